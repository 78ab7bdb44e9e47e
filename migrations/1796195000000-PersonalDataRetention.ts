import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 14 (152-ФЗ, archive rules): once a closed appeal has been kept for the retention period, its personal
 * data is erased and the statistics kept. `personal_data_erased_at` marks an appeal done (so the sweep is
 * idempotent); the partial index finds the candidates without reading the erased ones again.
 */
export class PersonalDataRetention1796195000000 implements MigrationInterface {
  name = 'PersonalDataRetention1796195000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE appeals ADD COLUMN personal_data_erased_at timestamptz;
      CREATE INDEX appeals_retention_idx ON appeals (COALESCE(closed_at, answered_at, updated_at))
        WHERE personal_data_erased_at IS NULL AND status IN ('closed', 'answered', 'redirected');
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX appeals_retention_idx;
      ALTER TABLE appeals DROP COLUMN personal_data_erased_at;
    `);
  }
}
