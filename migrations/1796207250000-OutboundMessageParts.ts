import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A message that goes out in several (a long answer in parts, then its files: Telegram, OK) records each part as it
 * goes: the channel's id of every part out, in order, and how many parts the send has. A retry — the queue's, a
 * round's, a clerk's — sends only the parts after them: neither channel drops a repeat, and the citizen must not
 * get the first part again because the second failed. The ids stay the thread keys a reply to a part names.
 */
export class OutboundMessageParts1796207250000 implements MigrationInterface {
  name = 'OutboundMessageParts1796207250000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE outbound_messages ADD COLUMN parts_sent text[], ADD COLUMN parts_total integer`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbound_messages DROP COLUMN parts_sent, DROP COLUMN parts_total`);
  }
}
