import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Citizens' messengers (Telegram, VK and OK dialogues): items wait for the bot before registration (commands,
 * consent to personal-data processing under 152-ФЗ), bot replies that belong to no appeal yet, notices with
 * buttons that are sent once per history event, and remote media waiting to be downloaded.
 */
export class MessengerDialogue1763840000004 implements MigrationInterface {
  name = 'MessengerDialogue1763840000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- gated: stored, not yet seen by the bot; awaiting-consent: kept whole until the author consents;
      -- dialogue: a bot command or a consent/rating reply, consumed by the bot and never an appeal.
      ALTER TABLE inbound_items DROP CONSTRAINT inbound_items_status_check;
      ALTER TABLE inbound_items ADD CONSTRAINT inbound_items_status_check CHECK (status IN
        ('pending','processed','failed','quarantined','gated','awaiting-consent','dialogue'));
      CREATE INDEX inbound_items_dialogue_idx ON inbound_items (channel, (payload->'author'->>'externalId'))
        WHERE status IN ('gated', 'awaiting-consent');

      -- The messenger ingress marks dialogue items; honouring the mark in the statement that stores the item
      -- means no crash between "stored" and "held" can let the pending sweep register one unseen.
      CREATE FUNCTION inbound_items_dialogue_gate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'pending' AND NEW.payload->>'gate' = 'dialogue' THEN
          NEW.status := 'gated';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER inbound_items_dialogue_gate BEFORE INSERT ON inbound_items
        FOR EACH ROW EXECUTE FUNCTION inbound_items_dialogue_gate();

      -- Which notice text the citizen accepted: the proof of consent (152-ФЗ ст. 9 ч. 3).
      ALTER TABLE channel_consents ADD COLUMN notice_version text;

      -- What the bot says outside an appeal (greeting, help, "my appeals", the consent request). Sent through
      -- the same rate-limited delivery queues as answers; once per source (an event or an item).
      CREATE TABLE bot_replies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        channel text NOT NULL,
        source text NOT NULL UNIQUE,
        purpose text NOT NULL,
        author_external_id text,
        reply_address jsonb NOT NULL,
        text text NOT NULL,
        choices jsonb,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        remote_id text,
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX bot_replies_queued_idx ON bot_replies(created_at) WHERE status = 'queued';
      CREATE INDEX bot_replies_author_idx ON bot_replies(channel, author_external_id, created_at DESC);

      -- Buttons under a notice, and the history event a notice answers: one notice per event and kind.
      ALTER TABLE outbound_messages
        ADD COLUMN choices jsonb,
        ADD COLUMN source_event_id bigint REFERENCES appeal_events(id);
      CREATE UNIQUE INDEX outbound_messages_source_event_uq ON outbound_messages(source_event_id, kind)
        WHERE source_event_id IS NOT NULL;

      CREATE INDEX attachments_remote_idx ON attachments(created_at) WHERE status = 'remote';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX attachments_remote_idx;
      DROP INDEX outbound_messages_source_event_uq;
      ALTER TABLE outbound_messages DROP COLUMN source_event_id, DROP COLUMN choices;
      DROP TABLE bot_replies;
      ALTER TABLE channel_consents DROP COLUMN notice_version;
      DROP TRIGGER inbound_items_dialogue_gate ON inbound_items;
      DROP FUNCTION inbound_items_dialogue_gate();
      DROP INDEX inbound_items_dialogue_idx;
      UPDATE inbound_items SET status = 'pending' WHERE status IN ('gated', 'awaiting-consent');
      UPDATE inbound_items SET status = 'failed', error = 'bot dialogue' WHERE status = 'dialogue';
      ALTER TABLE inbound_items DROP CONSTRAINT inbound_items_status_check;
      ALTER TABLE inbound_items ADD CONSTRAINT inbound_items_status_check CHECK (status IN
        ('pending','processed','failed','quarantined'));
    `);
  }
}
