import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 18: a consumer's batch is leased, not held in a transaction. A consumer used to claim its rows
 * `FOR UPDATE` and keep that transaction open while its hooks ran (sending notices, writing other tables on other
 * connections); in `bench ingest` those batches were the largest group of sessions `idle in transaction`. Now the
 * claim marks its rows with a lease (`lease`, this batch's id) and moves their `next_attempt_at` to the lease's
 * end, so they are not due for anyone else, and commits; the hooks run outside any transaction, and one statement
 * afterwards deletes, backs off or releases the rows still under that lease. A worker that dies with its batch
 * leaves rows that fall due again when the lease runs out. NULL: not leased.
 */
export class OutboxLeases1796205990000 implements MigrationInterface {
  name = 'OutboxLeases1796205990000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event_outbox ADD COLUMN lease uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event_outbox DROP COLUMN lease`);
  }
}
