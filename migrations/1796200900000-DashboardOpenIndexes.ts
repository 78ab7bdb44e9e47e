import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The supervisor dashboard at millions of appeals (issue 18). Its fast-track list walked every open appeal in due
 * order looking for fast-tracked ones (41 000 rows at 1 M appeals, 110–200 ms); its clock charts looked up each
 * clock mark's appeal by primary key to keep the open ones (16 000 heap reads). Both now read partial indexes
 * holding only open appeals: the fast-tracked ones in the list's order, and the open appeals' ids with their
 * topics, which the marks join by hash from the index alone.
 */
export class DashboardOpenIndexes1796200900000 implements MigrationInterface {
  name = 'DashboardOpenIndexes1796200900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX appeals_open_fast_track_due_idx ON appeals(answer_due_at, id)
        WHERE fast_track AND status IN ('registered','in_work','escalated','returned','extended','reopened');
      CREATE INDEX appeals_open_id_idx ON appeals(id) INCLUDE (topic_id)
        WHERE status IN ('registered','in_work','escalated','returned','extended','reopened');
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX appeals_open_id_idx;
      DROP INDEX appeals_open_fast_track_due_idx;
    `);
  }
}
