import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** InboundPersonalDataRemoval's body, over the parameter `p` (the tests compare the function with it). */
export const FIRST_FORM = `(p - 'text' - 'subject' - 'address' - 'replyAddress' - 'author' - 'attachments')
          || jsonb_build_object(
               'author', jsonb_strip_nulls(jsonb_build_object('externalId', p->'author'->'externalId')),
               'personalDataRemoved', true)
          || CASE WHEN jsonb_typeof(p->'attachments') = 'array' THEN jsonb_build_object('attachments',
               (SELECT coalesce(jsonb_agg(att - 'contentBase64' - 'fileName'), '[]'::jsonb)
                  FROM jsonb_array_elements(p->'attachments') att))
             ELSE '{}'::jsonb END`;

/**
 * Issue 18: `inbound_payload_without_personal_data` (InboundPersonalDataRemoval) runs in the trigger that fires
 * for every item registration claims. With a sub-select (the attachments' list) and `jsonb_build_object` (stable)
 * in its body it could not be inlined, so each item's claim started and ended an executor of its own for it
 * (`perf` on the bench's backends: ≈ 1.3 % of their CPU, the trigger's whole cost but for PL/pgSQL's call). Now
 * the objects are built with `jsonb_set` (immutable) and the list of files goes through a function of its own,
 * called only when there are files (one item in twenty in the bench's mix): the body inlines into the trigger's
 * assignment and into the retention's statements. The payload it leaves is the same
 * (`test/integration/personal-data-inlined.test.ts` compares both forms).
 */
export class PersonalDataRemovalInlined1796204730000 implements MigrationInterface {
  name = 'PersonalDataRemovalInlined1796204730000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION inbound_attachments_without_personal_data(files jsonb) RETURNS jsonb
      LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(jsonb_agg(att - 'contentBase64' - 'fileName'), '[]'::jsonb)
          FROM jsonb_array_elements(files) att
      $$;
      CREATE OR REPLACE FUNCTION inbound_payload_without_personal_data(p jsonb) RETURNS jsonb
      LANGUAGE sql IMMUTABLE AS $$
        SELECT (p - 'text' - 'subject' - 'address' - 'replyAddress' - 'author' - 'attachments')
          || jsonb_set('{"personalDataRemoved": true}'::jsonb, '{author}',
               jsonb_strip_nulls(jsonb_set('{}'::jsonb, '{externalId}',
                 coalesce(p->'author'->'externalId', 'null'::jsonb))))
          || CASE WHEN jsonb_typeof(p->'attachments') = 'array' THEN jsonb_set('{}'::jsonb, '{attachments}',
               CASE WHEN p->'attachments' = '[]'::jsonb THEN '[]'::jsonb
                    ELSE inbound_attachments_without_personal_data(p->'attachments') END)
             ELSE '{}'::jsonb END
      $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION inbound_payload_without_personal_data(p jsonb) RETURNS jsonb
      LANGUAGE sql IMMUTABLE AS $$
        SELECT ${FIRST_FORM}
      $$;
      DROP FUNCTION inbound_attachments_without_personal_data(jsonb);`);
  }
}
