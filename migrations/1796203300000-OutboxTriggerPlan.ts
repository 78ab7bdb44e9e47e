import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The outbox rows of the events a statement appended, each consumer's whose types and channels match. */
const outboxFunction = (planned: 'once' | 'each statement') => `
      CREATE OR REPLACE FUNCTION appeal_events_to_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${
          planned === 'once'
            ? `INSERT INTO event_outbox (consumer, event_id, appeal_id)
        SELECT c.name, e.id, e.appeal_id
          FROM appended e
          JOIN appeals a ON a.id = e.appeal_id
          JOIN event_consumers c ON e.type = ANY (c.types) AND (a.channel = ANY (c.channels) OR '*' = ANY (c.channels));`
            : `-- EXECUTE: planned for the table as it is now, the appeals read by key.
        EXECUTE $q$INSERT INTO event_outbox (consumer, event_id, appeal_id)
        SELECT c.name, e.id, e.appeal_id
          FROM appended e
          JOIN appeals a ON a.id = e.appeal_id AND a.id = ANY (ARRAY(SELECT appeal_id FROM appended))
          JOIN event_consumers c ON e.type = ANY (c.types) AND (a.channel = ANY (c.channels) OR '*' = ANY (c.channels))$q$;`
        }
        RETURN NULL;
      END $$`;

/**
 * The outbox trigger (migration EventOutbox) reads the appeals of the events a statement appended by key, planned
 * for each statement (issue 18). As a PL/pgSQL statement it was planned once per session: a session whose first
 * event came while `appeals` was small kept a plan that hashed the whole table, and scanned the grown table for
 * every event after (a delivery receipt, a registration, a pass), until an ANALYZE of the table invalidated it.
 * On the bench's fresh database, on a server without autovacuum, that was most of the trigger's calls.
 * test/integration/outbox-trigger-plan.test.ts grows the table under such a session.
 */
export class OutboxTriggerPlan1796203300000 implements MigrationInterface {
  name = 'OutboxTriggerPlan1796203300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(outboxFunction('each statement'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(outboxFunction('once'));
  }
}
