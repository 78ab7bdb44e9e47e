import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * "Find anything" at scale (issue 12): a registration number by any fragment ("000123", "26-0001") and a phone by
 * any run of its digits are LIKE '%…%' searches, which a b-tree cannot serve; pg_trgm's GIN indexes can. The
 * surname is compared case-insensitively, so its index is on lower(surname). pg_trgm is a trusted extension
 * (PostgreSQL 13+): the database owner may create it.
 */
export class SearchTrigramIndexes1796175715343 implements MigrationInterface {
  name = 'SearchTrigramIndexes1796175715343';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE INDEX appeals_registration_number_trgm ON appeals USING gin (registration_number gin_trgm_ops);
      CREATE INDEX applicants_phone_digits_trgm ON applicants
        USING gin ((regexp_replace(coalesce(phone, ''), '\\D', '', 'g')) gin_trgm_ops) WHERE phone IS NOT NULL;
      CREATE INDEX applicants_surname_lower_idx ON applicants (lower(surname)) WHERE surname IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX applicants_surname_lower_idx;
      DROP INDEX applicants_phone_digits_trgm;
      DROP INDEX appeals_registration_number_trgm;
    `);
  }
}
