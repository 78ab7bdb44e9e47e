import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `attachments.unique_key`: the channel's stable identity of a file (Telegram's `file_unique_id`), when the channel
 * has one. A follow-up does not attach again a file its appeal already has under the same key: a citizen who edits
 * the caption of a photo message re-sends the same photo, and the card listed it twice. Nullable, no index: the
 * check reads the appeal's few rows through `attachments_appeal_idx`.
 */
export class AttachmentUniqueKey1796203610000 implements MigrationInterface {
  name = 'AttachmentUniqueKey1796203610000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE attachments ADD COLUMN unique_key text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE attachments DROP COLUMN unique_key`);
  }
}
