import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 14: failed sign-ins counted per account and per address, with a growing lock-out. One row per key
 * (`login:<login>` or `address:<ip>`); a key unused for a day starts afresh. The token-signing secret no
 * longer lives in the database (AUTH_TOKEN_SECRET from the environment): the stored one goes.
 */
export class SignInLockouts1796180000000 implements MigrationInterface {
  name = 'SignInLockouts1796180000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sign_in_failures (
        key text PRIMARY KEY,
        failures integer NOT NULL CHECK (failures > 0),
        last_failure_at timestamptz NOT NULL,
        locked_until timestamptz
      );
      CREATE INDEX sign_in_failures_locked_idx ON sign_in_failures (locked_until) WHERE locked_until IS NOT NULL;
      DELETE FROM settings WHERE key = 'auth-token-secret';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sign_in_failures`);
  }
}
