import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A supervisor over subordinate organisations is told of their terms counted, not appeal by appeal: one
 * notification per organisation, kind (at risk, overdue) and the supervisor's day, updated in place by each clock
 * sweep (the appeals it counts, in the order they came; its text), instead of a new row per appeal (a region's
 * supervisor read «99+» after a busy day, the notices that concerned them drowned). The per-appeal facts stay in
 * clock_marks and appeal_events. Per-appeal rows keep these columns empty.
 */
export class ClockDigestNotifications1796207730000 implements MigrationInterface {
  name = 'ClockDigestNotifications1796207730000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE notifications
        ADD COLUMN organisation_id uuid REFERENCES organisations(id),
        ADD COLUMN digest_day date,
        ADD COLUMN appeal_ids uuid[],
        ADD CONSTRAINT notifications_digest_whole
          CHECK ((digest_day IS NULL) = (organisation_id IS NULL) AND (digest_day IS NULL) = (appeal_ids IS NULL));
      CREATE UNIQUE INDEX notifications_digest_key ON notifications (user_id, organisation_id, kind, digest_day)
        WHERE digest_day IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX notifications_digest_key;
      ALTER TABLE notifications DROP CONSTRAINT notifications_digest_whole,
        DROP COLUMN appeal_ids, DROP COLUMN digest_day, DROP COLUMN organisation_id;
    `);
  }
}
