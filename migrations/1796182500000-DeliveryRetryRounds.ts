import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Deliveries come back by themselves after a channel outage (issue 15). A message whose every attempt failed on
 * a temporary error (the channel down longer than all retries) keeps status 'failed', visible on the appeal,
 * with `retry_at`: the delivery sweep puts it back in the queue then, for DELIVERY_RETRY_ROUNDS rounds with a
 * doubling wait (`retry_rounds` counts them). A permanent failure has no `retry_at` and waits for staff.
 */
export class DeliveryRetryRounds1796182500000 implements MigrationInterface {
  name = 'DeliveryRetryRounds1796182500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbound_messages ADD COLUMN retry_at timestamptz, ADD COLUMN retry_rounds int NOT NULL DEFAULT 0;
      CREATE INDEX outbound_messages_retry_idx ON outbound_messages (retry_at)
        WHERE status = 'failed' AND retry_at IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX outbound_messages_retry_idx;
      ALTER TABLE outbound_messages DROP COLUMN retry_at, DROP COLUMN retry_rounds;
    `);
  }
}
