import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 18: the worker's classification passes are no longer woken through the history outbox. The consumer
 * `classification` took every `registered` event — an `event_outbox` row an appeal, with its five index entries
 * and foreign-key checks, leased and deleted by claims of their own — only to wake the passes, which the worker's
 * own registrations now do in the process and other processes' by the poll (CLASSIFY_POLL_MS). The consumer goes,
 * and its queued rows with it (`ON DELETE CASCADE`): the pending appeals are the passes' queue, not these rows.
 */
export class ClassificationWakeInProcess1796206800000 implements MigrationInterface {
  name = 'ClassificationWakeInProcess1796206800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM event_consumers WHERE name = 'classification'`);
  }

  async down(q: QueryRunner): Promise<void> {
    // As a worker of the earlier version registers it at boot.
    await q.query(
      `INSERT INTO event_consumers (name, channels, types) VALUES ('classification', '{*}', '{registered}')
       ON CONFLICT (name) DO NOTHING`,
    );
  }
}
