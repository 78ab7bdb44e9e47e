import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Failed sign-ins were counted under the login as typed (`login:<login>`), which may be a password typed into the
 * wrong field. They now count under the account's id (`login:<id>`), or a keyed hash of a login that names no
 * account (`login:unknown:<hash>`, made by the api with a key the database does not hold). A row of a login that
 * names an account moves to its id (merged with one already there); the rest are deleted: their hash cannot be
 * made here, and no typed login may stay.
 */
export class SignInLockoutsByAccount1796205950000 implements MigrationInterface {
  name = 'SignInLockoutsByAccount1796205950000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO sign_in_failures (key, failures, last_failure_at, locked_until)
      SELECT 'login:' || u.id::text, f.failures, f.last_failure_at, f.locked_until
        FROM sign_in_failures f JOIN users u ON f.key = 'login:' || u.login
      ON CONFLICT (key) DO UPDATE SET
        failures = greatest(sign_in_failures.failures, EXCLUDED.failures),
        last_failure_at = greatest(sign_in_failures.last_failure_at, EXCLUDED.last_failure_at),
        locked_until = greatest(sign_in_failures.locked_until, EXCLUDED.locked_until)`);
    await q.query(`
      DELETE FROM sign_in_failures
       WHERE key LIKE 'login:%' AND key NOT LIKE 'login:unknown:%'
         AND NOT EXISTS (SELECT 1 FROM users u WHERE sign_in_failures.key = 'login:' || u.id::text)`);
  }

  async down(): Promise<void> {
    // The typed logins are gone on purpose: nothing to restore.
  }
}
