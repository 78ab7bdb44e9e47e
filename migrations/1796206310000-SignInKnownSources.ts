import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Lock-outs per account and source: failed sign-ins now lock an account only for the address (an IPv6 one by its
 * /64) they came from (`login:<account>@<address>`); the account's count from all addresses together
 * (`login:<account>`, many more free failures) locks only addresses the account has not signed in from. Those
 * are kept here, a row per account and address of its last right password, for 90 days.
 */
export class SignInKnownSources1796206310000 implements MigrationInterface {
  name = 'SignInKnownSources1796206310000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sign_in_known_sources (
        account_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        source text NOT NULL,
        signed_in_at timestamptz NOT NULL,
        PRIMARY KEY (account_id, source)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sign_in_known_sources`);
  }
}
