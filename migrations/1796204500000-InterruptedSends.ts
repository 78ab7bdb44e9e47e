import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A send interrupted between the channel's acceptance and our receipt (the sender died mid-send: its claim, the
 * "attempt started" mark of SendClaims, ran out with no receipt) is not sent again blindly where the channel can
 * neither tell whether it has the message nor drop a repeat (Telegram, OK): the message is held, failed, with
 * `send_interrupted_at`, for a person to resend it or mark it delivered in «Недоставленные».
 */
export class InterruptedSends1796204500000 implements MigrationInterface {
  name = 'InterruptedSends1796204500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbound_messages ADD COLUMN send_interrupted_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbound_messages DROP COLUMN send_interrupted_at`);
  }
}
