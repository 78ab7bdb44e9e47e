import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The inbox's overdue and at-risk queues start from the marks (issue 18): the marks of one kind, of every
 * organisation or of one, read from this index alone (appeal ids included), then the appeals fetched by id.
 */
export class ClockMarksKindIndex1796199900000 implements MigrationInterface {
  name = 'ClockMarksKindIndex1796199900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX clock_marks_kind_idx ON clock_marks(kind, organisation_id, appeal_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX clock_marks_kind_idx`);
  }
}
