import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The search's applicant arm (searchArms: `lower(surname) = …` or `lower(email) = …`, issue 18) is read through
 * partial expression indexes (`… WHERE surname IS NOT NULL`), and the planner takes no statistics from a partial
 * index: it assumed one applicant in 200 matched either (10 000 rows at 1 M applicants, 50 000 at 5 M). That
 * estimate priced a clerk's search page at 21 000 at 2 M appeals (4 400 with these statistics), growing with the
 * applicants towards `jit_above_cost` (100 000), past which every page compiles its expressions for a handful of
 * rows. Statistics on the two expressions give the planner their real spread (a unique e-mail: one row; a
 * surname: its share). No index is built; ANALYZE of `applicants` reads a sample (half a second at 1 M).
 */
export class SearchPersonStatistics1796202870000 implements MigrationInterface {
  name = 'SearchPersonStatistics1796202870000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE STATISTICS applicants_surname_lower_stats ON (lower(surname)) FROM applicants;
      CREATE STATISTICS applicants_email_lower_stats ON (lower(email)) FROM applicants;
      ANALYZE applicants;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP STATISTICS applicants_email_lower_stats;
      DROP STATISTICS applicants_surname_lower_stats;
    `);
  }
}
