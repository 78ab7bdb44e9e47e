import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A bot reply that goes out in several messages (a long status answer, a knowledge-base answer: Telegram, OK) records
 * each part as it goes, as an outbound message does (OutboundMessageParts): a retry sends only the parts after those
 * out, and the citizen does not get the first part again because the second failed. Both tables keep, beside each
 * part's remote id, a digest of what it was (`parts_digests`): a message whose parts out now read otherwise is not
 * resumed, even when it still splits into as many parts. Rows recorded before have none and are checked by count.
 */
export class BotReplyParts1796207300000 implements MigrationInterface {
  name = 'BotReplyParts1796207300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE bot_replies ADD COLUMN parts_sent text[], ADD COLUMN parts_total integer,
         ADD COLUMN parts_digests text[]`,
    );
    await q.query(`ALTER TABLE outbound_messages ADD COLUMN parts_digests text[]`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbound_messages DROP COLUMN parts_digests`);
    await q.query(
      `ALTER TABLE bot_replies DROP COLUMN parts_sent, DROP COLUMN parts_total, DROP COLUMN parts_digests`,
    );
  }
}
