import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The history outbox buried a row after EVENT_HOOK_ATTEMPTS failures (2 s doubling: about half an hour), so an
 * outage of a channel or of our own database longer than that needed staff to retry every row. A row now keeps
 * retrying (capped back-off) until it has failed for EVENT_HOOK_RETRY_FOR_MS (24 h) and at least
 * EVENT_HOOK_ATTEMPTS times; a permanent error buries it at once. `first_failed_at` is when its current run of
 * failures began (NULL: never failed, or put back by staff); the «Уведомления и статусы» tab shows per consumer
 * since when its rows fail and why.
 */
export class OutboxFailingSince1796205900000 implements MigrationInterface {
  name = 'OutboxFailingSince1796205900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE event_outbox ADD COLUMN first_failed_at timestamptz;
      -- Rows failing now: their run of failures began no later than they were queued.
      UPDATE event_outbox SET first_failed_at = created_at WHERE state = 'pending' AND attempts > 0;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event_outbox DROP COLUMN first_failed_at`);
  }
}
