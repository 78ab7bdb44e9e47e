import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * One part per organisation of an appeal, each with its own clerk (assignee), clock, answer and status:
 * a part can now be closed by line 1 (a returned part re-routed, or one no longer needed).
 */
export class AppealParts1796168734368 implements MigrationInterface {
  name = 'AppealParts1796168734368';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE appeal_organisations
        ADD COLUMN assignee_id uuid REFERENCES users(id),
        ADD COLUMN closed_at timestamptz,
        DROP CONSTRAINT appeal_organisations_state_check,
        ADD CONSTRAINT appeal_organisations_state_check
          CHECK (state IN ('active','returned','answered','withdrawn','closed'));
      CREATE INDEX appeal_organisations_assignee_idx ON appeal_organisations(assignee_id)
        WHERE assignee_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX appeal_organisations_assignee_idx;
      UPDATE appeal_organisations SET state = 'withdrawn' WHERE state = 'closed';
      ALTER TABLE appeal_organisations
        DROP CONSTRAINT appeal_organisations_state_check,
        ADD CONSTRAINT appeal_organisations_state_check
          CHECK (state IN ('active','returned','answered','withdrawn')),
        DROP COLUMN closed_at,
        DROP COLUMN assignee_id;
    `);
  }
}
