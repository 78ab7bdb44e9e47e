import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Sends are claimed before the remote is called (issue 15). A message or bot reply still queued is taken by one
 * sender at a time: `send_claim` (a token per attempt) until `send_claim_until`; the sent mark clears it in the
 * statement that stores the receipt. A second job for the same message (a sweep's, a stalled job handed over
 * while its first worker still runs) waits for the claim instead of sending again; a claim that ran out without a
 * receipt (the sender died mid-send) is an attempt whose outcome is unknown, and only then is the message sent
 * again — with the channel's idempotency key where it has one (VK random_id from the message id).
 */
export class SendClaims1796199100000 implements MigrationInterface {
  name = 'SendClaims1796199100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbound_messages ADD COLUMN send_claim uuid, ADD COLUMN send_claim_until timestamptz;
      ALTER TABLE bot_replies ADD COLUMN send_claim uuid, ADD COLUMN send_claim_until timestamptz;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE bot_replies DROP COLUMN send_claim, DROP COLUMN send_claim_until;
      ALTER TABLE outbound_messages DROP COLUMN send_claim, DROP COLUMN send_claim_until;
    `);
  }
}
