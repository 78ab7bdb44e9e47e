import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The windowed search sizes its windows by the appeals they span, read from the histograms of registration and
 * due times (AppealSpread, issue 18). At the default hundred buckets one bucket holds 100 000 appeals at 10 M,
 * so the sparse first days of due times (23 000 fast-track appeals over 20 days) share a bucket with 77 000 of
 * the dense ones, are taken as evenly spread, and a window of 32 000 appeals is placed within the sparse days
 * where it should reach past them. A thousand buckets (10 000 appeals each at 10 M) see them. ANALYZE reads a
 * sample of 300 000 rows (13 s at 2 M appeals); the planner's estimates of these columns only get finer.
 */
export class SearchWindowStatistics1796203100000 implements MigrationInterface {
  name = 'SearchWindowStatistics1796203100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE appeals ALTER COLUMN registered_at SET STATISTICS 1000,
                          ALTER COLUMN answer_due_at SET STATISTICS 1000;
      ANALYZE appeals (registered_at, answer_due_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE appeals ALTER COLUMN registered_at SET STATISTICS -1,
                          ALTER COLUMN answer_due_at SET STATISTICS -1;
    `);
  }
}
