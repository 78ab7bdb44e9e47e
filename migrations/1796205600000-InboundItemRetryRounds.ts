import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An inbound item whose registration failed every attempt (an outage longer than the job's retries: the database's
 * disk full, frozen, or refusing for minutes) was marked 'failed' for good — a citizen's appeal that nobody
 * registered, shown only as a count on /health, its payload erased later by the retention sweep. It is failed for
 * now: the intake sweep returns it to 'pending' at `retry_at`, INTAKE_RETRY_ROUNDS rounds with a doubling wait.
 */
export class InboundItemRetryRounds1796205600000 implements MigrationInterface {
  name = 'InboundItemRetryRounds1796205600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE inbound_items ADD COLUMN retry_at timestamptz, ADD COLUMN retry_rounds int NOT NULL DEFAULT 0;
      CREATE INDEX inbound_items_retry_idx ON inbound_items (retry_at) WHERE status = 'failed' AND retry_at IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX inbound_items_retry_idx;
      ALTER TABLE inbound_items DROP COLUMN retry_at, DROP COLUMN retry_rounds;
    `);
  }
}
