import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The overdue queue reads an index in due order (issue 18). It used to fetch every appeal with an overdue mark
 * by id and sort them all for one page of 50; marks are never removed, so that grew with every late answer
 * ever recorded. Now `appeals.overdue_marked` says an appeal has an overdue mark (of any clock, at any
 * organisation), set by a trigger in the transaction that records the mark (the clock sweep, or anything else
 * that inserts one), and the queue walks `appeals_overdue_due_idx` (or, newest first, `appeals_overdue_registered_idx`) in the queue's order and stops at the page.
 * Marks are only ever added, so the flag is never cleared.
 */
export class OverdueMarkedAppeals1796200600000 implements MigrationInterface {
  name = 'OverdueMarkedAppeals1796200600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE appeals ADD COLUMN overdue_marked boolean NOT NULL DEFAULT false;
      CREATE FUNCTION appeals_mark_overdue() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE appeals a SET overdue_marked = true
         WHERE a.id IN (SELECT appeal_id FROM added WHERE kind = 'overdue') AND NOT a.overdue_marked;
        RETURN NULL;
      END $$;
      CREATE TRIGGER clock_marks_overdue_flag AFTER INSERT ON clock_marks
        REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION appeals_mark_overdue();
      UPDATE appeals SET overdue_marked = true WHERE id IN (SELECT appeal_id FROM clock_marks WHERE kind = 'overdue');
      CREATE INDEX appeals_overdue_due_idx ON appeals(answer_due_at, id) WHERE overdue_marked;
      CREATE INDEX appeals_overdue_registered_idx ON appeals(registered_at DESC, id DESC) WHERE overdue_marked;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX appeals_overdue_registered_idx;
      DROP INDEX appeals_overdue_due_idx;
      DROP TRIGGER clock_marks_overdue_flag ON clock_marks;
      DROP FUNCTION appeals_mark_overdue();
      ALTER TABLE appeals DROP COLUMN overdue_marked;
    `);
  }
}
