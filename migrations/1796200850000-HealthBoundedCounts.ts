import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * /health at any size (issue 18): its history-outbox figures are read through partial indexes holding only the
 * rows they look at, and capped (HEALTH_COUNT_CAP): the oldest pending row's time is the first entry of an index
 * of pending rows by creation, and the rows backing off after a failure have their own index, so neither scans
 * the outbox.
 */
export class HealthBoundedCounts1796200850000 implements MigrationInterface {
  name = 'HealthBoundedCounts1796200850000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX event_outbox_pending_created_idx ON event_outbox(created_at) WHERE state = 'pending';
      CREATE INDEX event_outbox_retrying_idx ON event_outbox(next_attempt_at) WHERE state = 'pending' AND attempts > 0;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX event_outbox_retrying_idx;
      DROP INDEX event_outbox_pending_created_idx;
    `);
  }
}
