import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A clerk's overdue queue reads its page from the index alone (issue 18). The queue walks the flagged appeals in
 * its order and kept only those in the clerk's scope, testing each row walked against `appeal_organisations`:
 * ~1 200 rows (heap and parts) for a page of 51 at an organisation holding 1 appeal in 26, 7.5-21 ms at 1 M, and
 * more the smaller the organisation. Both orders' indexes now carry `part_organisation_ids` (the organisations
 * holding a part, migration AppealSearchScopeIndex), so the page's ids are found by an index-only scan with the
 * scope tested inside it (0.3 ms); the rows are then read and checked against the scope itself
 * (AppealsRepository).
 */
export class OverdueScopeInIndex1796202100000 implements MigrationInterface {
  name = 'OverdueScopeInIndex1796202100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX appeals_overdue_due_idx;
      DROP INDEX appeals_overdue_registered_idx;
      CREATE INDEX appeals_overdue_due_idx ON appeals(answer_due_at, id) INCLUDE (part_organisation_ids)
        WHERE overdue_marked;
      CREATE INDEX appeals_overdue_registered_idx ON appeals(registered_at DESC, id DESC)
        INCLUDE (part_organisation_ids) WHERE overdue_marked;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX appeals_overdue_due_idx;
      DROP INDEX appeals_overdue_registered_idx;
      CREATE INDEX appeals_overdue_due_idx ON appeals(answer_due_at, id) WHERE overdue_marked;
      CREATE INDEX appeals_overdue_registered_idx ON appeals(registered_at DESC, id DESC) WHERE overdue_marked;
    `);
  }
}
