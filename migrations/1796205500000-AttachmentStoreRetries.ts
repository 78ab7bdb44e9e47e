import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A messenger's file our side fetched and failed to keep (the database's disk full, the database away) stays a
 * reference and is fetched again by the media sweep (c7189a2) — it was, every PENDING_SWEEP_MS, for good. Each
 * failed round is counted now (`store_failures`), the next waits until `fetch_after` (ATTACHMENT_STORE_RETRY_MS,
 * doubling), and after ATTACHMENT_STORE_ROUNDS the file is marked not received ('not-stored'), which the clerk sees
 * on the card.
 */
export class AttachmentStoreRetries1796205500000 implements MigrationInterface {
  name = 'AttachmentStoreRetries1796205500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE attachments ADD COLUMN store_failures int NOT NULL DEFAULT 0, ADD COLUMN fetch_after timestamptz;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE attachments DROP COLUMN store_failures, DROP COLUMN fetch_after`);
  }
}
