import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An appeal line 1 joined into an earlier one of the same citizen (the same appeal sent twice): it names the appeal
 * that answers it. The join refuses a chain — joining into an appeal that was itself joined, or joining an appeal
 * others were joined into — by these two reads; the partial index holds only the joined few, not the history.
 */
export class AppealJoins1796207400000 implements MigrationInterface {
  name = 'AppealJoins1796207400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE appeals ADD COLUMN joined_into_id uuid REFERENCES appeals(id);
      CREATE INDEX appeals_joined_into_idx ON appeals(joined_into_id) WHERE joined_into_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX appeals_joined_into_idx; ALTER TABLE appeals DROP COLUMN joined_into_id`);
  }
}
