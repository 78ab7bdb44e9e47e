import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A bot reply (a consent request, an acknowledgement in the dialogue) whose every attempt failed on a temporary
 * error is failed for now and comes back by itself, as a citizen's message does (DeliveryRetryRounds): the delivery
 * sweep queues it again at `retry_at`, DELIVERY_RETRY_ROUNDS rounds with a doubling wait. It used to be dropped.
 */
export class BotReplyRetryRounds1796199200000 implements MigrationInterface {
  name = 'BotReplyRetryRounds1796199200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE bot_replies ADD COLUMN retry_at timestamptz, ADD COLUMN retry_rounds int NOT NULL DEFAULT 0;
      CREATE INDEX bot_replies_retry_idx ON bot_replies (retry_at) WHERE status = 'failed' AND retry_at IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX bot_replies_retry_idx;
      ALTER TABLE bot_replies DROP COLUMN retry_at, DROP COLUMN retry_rounds;
    `);
  }
}
