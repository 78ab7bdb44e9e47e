import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The inbox's «На согласовании» queue reads the draft answers first (few at any time, among every answer ever
 * given): a partial index holds only them, so the queue and its count do not read the whole answers table.
 */
export class DraftAnswersIndex1796205700000 implements MigrationInterface {
  name = 'DraftAnswersIndex1796205700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX answers_draft_idx ON answers (organisation_id, appeal_id) WHERE status = 'draft'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX answers_draft_idx`);
  }
}
