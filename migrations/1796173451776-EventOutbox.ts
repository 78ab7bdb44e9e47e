import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The history outbox (issue 15). Followers of `appeal_events` used to read `id > cursor`; ids come from a
 * sequence taken before commit, so an event whose transaction committed after a higher id had been read was
 * skipped for good. Now:
 *
 * - `event_consumers`: every durable follower (a citizen notice per channel, ПОС status pushes, МЭДО receipts…)
 *   with the channels and event types it wants, registered by the worker at boot.
 * - `event_outbox`: one row per (consumer, event), written by a trigger in the very transaction that appends the
 *   event, whoever appends it (the workflow's history helper, the registration statement, delivery, clocks…). A
 *   consumer claims its rows (`FOR UPDATE SKIP LOCKED`), deletes each one it has handled, and backs a failed one
 *   off on its own; after the last attempt the row stays as a dead letter (`state = 'dead'`) that staff can retry.
 *   Nothing is read by id order, so a late commit cannot be skipped.
 * - `appeal_events.tx_id`: the appending transaction's id, for the live stream, which follows the history by
 *   snapshot (what became visible since its last snapshot), not by id. Rows from before this migration keep NULL:
 *   nobody streams the past.
 */
export class EventOutbox1796173451776 implements MigrationInterface {
  name = 'EventOutbox1796173451776';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE appeal_events ADD COLUMN tx_id xid8;
      ALTER TABLE appeal_events ALTER COLUMN tx_id SET DEFAULT pg_current_xact_id();
      CREATE INDEX appeal_events_tx_idx ON appeal_events(tx_id) WHERE tx_id IS NOT NULL;

      CREATE TABLE event_consumers (
        name text PRIMARY KEY,
        -- Appeal channels whose events it wants; '*' for every channel.
        channels text[] NOT NULL,
        types text[] NOT NULL,
        registered_at timestamptz NOT NULL DEFAULT now(),
        seen_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE event_outbox (
        consumer text NOT NULL REFERENCES event_consumers(name) ON DELETE CASCADE,
        event_id bigint NOT NULL REFERENCES appeal_events(id),
        appeal_id uuid NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        failed_at timestamptz,
        PRIMARY KEY (consumer, event_id)
      );
      CREATE INDEX event_outbox_due_idx ON event_outbox(next_attempt_at) WHERE state = 'pending';
      CREATE INDEX event_outbox_appeal_idx ON event_outbox(consumer, appeal_id, event_id);
      CREATE INDEX event_outbox_dead_idx ON event_outbox(failed_at) WHERE state = 'dead';

      -- One statement-level trigger: a registration appends three events in one statement, clock marks many.
      CREATE FUNCTION appeal_events_to_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO event_outbox (consumer, event_id, appeal_id)
        SELECT c.name, e.id, e.appeal_id
          FROM appended e
          JOIN appeals a ON a.id = e.appeal_id
          JOIN event_consumers c ON e.type = ANY (c.types) AND (a.channel = ANY (c.channels) OR '*' = ANY (c.channels));
        RETURN NULL;
      END $$;
      CREATE TRIGGER appeal_events_outbox AFTER INSERT ON appeal_events
        REFERENCING NEW TABLE AS appended FOR EACH STATEMENT EXECUTE FUNCTION appeal_events_to_outbox();

      -- The old single cursor: superseded by the outbox.
      DELETE FROM settings WHERE key = 'appeal-event-hooks-cursor';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER appeal_events_outbox ON appeal_events;
      DROP FUNCTION appeal_events_to_outbox();
      DROP TABLE event_outbox;
      DROP TABLE event_consumers;
      DROP INDEX appeal_events_tx_idx;
      ALTER TABLE appeal_events DROP COLUMN tx_id;
    `);
  }
}
