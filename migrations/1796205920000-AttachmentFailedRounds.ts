import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `attachments.store_failures` (AttachmentStoreRetries) counted every round in which a referenced file was not
 * received — the channel would not give it (down, rate-limited, its credentials) or our side fetched it and could
 * not keep it (the database's disk full, or away) — not only failures to store. Named for what it counts:
 * `failed_rounds`, and said so on the column.
 */
export class AttachmentFailedRounds1796205920000 implements MigrationInterface {
  name = 'AttachmentFailedRounds1796205920000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE attachments RENAME COLUMN store_failures TO failed_rounds;
      COMMENT ON COLUMN attachments.failed_rounds IS
        'Rounds in which this referenced file was not received: the channel would not give it, or we could not keep it (ATTACHMENT_STORE_ROUNDS)';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      COMMENT ON COLUMN attachments.failed_rounds IS NULL;
      ALTER TABLE attachments RENAME COLUMN failed_rounds TO store_failures;
    `);
  }
}
