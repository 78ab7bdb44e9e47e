import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 18: a batch's lease is written in place. The claim leased each row by moving its `next_attempt_at` to the
 * lease's end, a column two indexes hold (`event_outbox_due_idx`, `event_outbox_retrying_idx`), so every claimed
 * row took a new version in all five of its indexes on top of its delete. The lease's end is now `leased_until`,
 * which no index holds, and the table's pages keep room for a row's next version (`fillfactor`), so the lease,
 * its renewals and a release are heap-only updates. A row is due when `next_attempt_at` has passed and it is not
 * under a live lease. Rows leased before this migration keep their `next_attempt_at` at the lease's end.
 */
export class OutboxLeaseInPlace1796206200000 implements MigrationInterface {
  name = 'OutboxLeaseInPlace1796206200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event_outbox ADD COLUMN leased_until timestamptz`);
    await q.query(`ALTER TABLE event_outbox SET (fillfactor = 50)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event_outbox RESET (fillfactor)`);
    await q.query(`ALTER TABLE event_outbox DROP COLUMN leased_until`);
  }
}
