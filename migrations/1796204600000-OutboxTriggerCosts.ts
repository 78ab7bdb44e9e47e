import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** OutboxTriggerPlan's insert: planned for each statement, for the table as it is now, the appeals read by key. */
const EACH_STATEMENT = `EXECUTE $q$INSERT INTO event_outbox (consumer, event_id, appeal_id)
        SELECT c.name, e.id, e.appeal_id
          FROM appended e
          JOIN appeals a ON a.id = e.appeal_id AND a.id = ANY (ARRAY(SELECT appeal_id FROM appended))
          JOIN event_consumers c ON e.type = ANY (c.types) AND (a.channel = ANY (c.channels) OR '*' = ANY (c.channels))$q$;`;

const outboxFunction = (cheaper: boolean) => `
      CREATE OR REPLACE FUNCTION appeal_events_to_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${
          cheaper
            ? `-- Events of no type a consumer takes (a pass's classification entries, incident links…): nothing to do.
        IF NOT EXISTS (SELECT 1 FROM appended e JOIN event_consumers c ON e.type = ANY (c.types)) THEN
          RETURN NULL;
        END IF;
        -- One or two events (a delivery receipt, a follow-up): each appeal's channel by key, in a plan the
        -- session keeps; planning the insert below would cost more than the rest of the statement.
        IF (SELECT count(*) FROM appended) <= 2 THEN
          INSERT INTO event_outbox (consumer, event_id, appeal_id)
          SELECT c.name, e.id, e.appeal_id
            FROM (SELECT x.id, x.appeal_id, x.type, appeal_channel_by_key(x.appeal_id) AS channel
                    FROM appended x OFFSET 0) e
            JOIN event_consumers c
              ON e.type = ANY (c.types) AND (e.channel = ANY (c.channels) OR '*' = ANY (c.channels));
          RETURN NULL;
        END IF;
        `
            : ''
        }${EACH_STATEMENT}
        RETURN NULL;
      END $$`;

/**
 * Issue 18: the outbox trigger (migrations EventOutbox, OutboxTriggerPlan) planned its insert for every statement
 * that appends history. Planning a statement that names `appeals` costs a backend ≈ 0.3 ms (its 23 indexes are
 * opened and measured), more than the rest of a one-event statement such as a delivery receipt (one a notice).
 *
 * - A statement whose events no consumer takes (`auto-classified`, `classification-queued`, `incident-linked`,
 *   `legal-flag-raised`, `delivery-failed`, `card-updated`: about one statement in five in `bench ingest`) ends at
 *   a look at the consumers' types (a plan the session keeps: `event_consumers` is a few rows).
 * - A statement of one or two events reads each event's appeal channel through `appeal_channel_by_key`, whose
 *   one lookup is planned once per session, by the primary key whatever the table's size then (a generic plan,
 *   sequential scans priced out while it is made: OutboxTriggerPlan's case of a plan kept from a small table);
 *   the consumers' join is over the appended rows and `event_consumers` alone. Backend CPU of a one-event
 *   `delivered` insert (400 rolled back, 20 000 appeals): 0.53–0.60 → 0.20–0.30 ms.
 *
 * Larger statements (a registration batch's, a pass's) keep the insert planned for each.
 */
export class OutboxTriggerCosts1796204600000 implements MigrationInterface {
  name = 'OutboxTriggerCosts1796204600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION appeal_channel_by_key(appeal uuid) RETURNS text LANGUAGE plpgsql STABLE
        SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
      BEGIN
        RETURN (SELECT a.channel FROM appeals a WHERE a.id = appeal);
      END $$`);
    await q.query(outboxFunction(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(outboxFunction(false));
    await q.query(`DROP FUNCTION appeal_channel_by_key(uuid)`);
  }
}
