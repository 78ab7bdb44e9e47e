import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What the citizen wrote with a rating («2 3 яму так и не заделали», ПОС's comment to its score): their reason,
 * which staff read beside the rating and the superior organisation reads when a poor rating reopens the appeal.
 * Erased with the rest of the citizen's words after the retention term.
 */
export class RatingComment1796206100000 implements MigrationInterface {
  name = 'RatingComment1796206100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ratings ADD COLUMN comment text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ratings DROP COLUMN comment`);
  }
}
