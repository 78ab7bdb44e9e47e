import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 14 (152-ФЗ: nothing kept that need not be): once an inbound item is registered (pending → processed),
 * its raw payload loses the applicant's personal data, which the appeal and the applicant now hold: names and
 * contacts (the author keeps only the channel's external id, which consents and threads match on), the text,
 * subject, address, reply address, and the attachments' bytes and names (the bytes are in attachment_contents).
 * What routing and reports read stays (features, channel category, thread, territory). A trigger does it in
 * the statement that registers, so no code path can forget it; rows processed before are cleaned here.
 */
export class InboundPersonalDataRemoval1796184000000 implements MigrationInterface {
  name = 'InboundPersonalDataRemoval1796184000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION inbound_payload_without_personal_data(p jsonb) RETURNS jsonb
      LANGUAGE sql IMMUTABLE AS $$
        SELECT (p - 'text' - 'subject' - 'address' - 'replyAddress' - 'author' - 'attachments')
          || jsonb_build_object(
               'author', jsonb_strip_nulls(jsonb_build_object('externalId', p->'author'->'externalId')),
               'personalDataRemoved', true)
          || CASE WHEN jsonb_typeof(p->'attachments') = 'array' THEN jsonb_build_object('attachments',
               (SELECT coalesce(jsonb_agg(att - 'contentBase64' - 'fileName'), '[]'::jsonb)
                  FROM jsonb_array_elements(p->'attachments') att))
             ELSE '{}'::jsonb END
      $$;
      CREATE FUNCTION inbound_items_drop_personal_data() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        NEW.payload := inbound_payload_without_personal_data(NEW.payload);
        RETURN NEW;
      END
      $$;
      CREATE TRIGGER inbound_items_personal_data_after_registration
        BEFORE UPDATE OF status ON inbound_items FOR EACH ROW
        WHEN (NEW.status = 'processed' AND OLD.status IS DISTINCT FROM 'processed')
        EXECUTE FUNCTION inbound_items_drop_personal_data();
      UPDATE inbound_items SET payload = inbound_payload_without_personal_data(payload)
       WHERE status = 'processed' AND NOT payload ? 'personalDataRemoved';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER inbound_items_personal_data_after_registration ON inbound_items;
      DROP FUNCTION inbound_items_drop_personal_data();
      DROP FUNCTION inbound_payload_without_personal_data(jsonb);
    `);
  }
}
