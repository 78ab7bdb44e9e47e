import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Registration numbers come from one Postgres sequence per year ("2026-000123"). A sequence never blocks
 * concurrent registrations (a counter row would serialise every worker on one lock); the price is that a
 * rolled-back registration leaves a gap, which registries of appeals tolerate. Later years' sequences are
 * created on first use.
 */
export class RegistrationNumberSequences1763840000001 implements MigrationInterface {
  name = 'RegistrationNumberSequences1763840000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION next_registration_seq(year integer) RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE seq text := 'appeal_registration_seq_' || year;
      BEGIN
        IF to_regclass(seq) IS NULL THEN
          EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', seq);
        END IF;
        RETURN nextval(seq);
      END $$;
    `);
    for (let year = 2024; year <= 2030; year++) {
      await q.query(`CREATE SEQUENCE IF NOT EXISTS appeal_registration_seq_${year}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (let year = 2024; year <= 2030; year++) {
      await q.query(`DROP SEQUENCE IF EXISTS appeal_registration_seq_${year}`);
    }
    await q.query(`DROP FUNCTION next_registration_seq(integer)`);
  }
}
