import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Staff sessions that can be ended before their token expires.
 *
 * - `users.session_epoch`: every token carries the epoch it was issued in; a token of an older epoch names
 *   nobody. Changing one's own password raises it, so a stolen token does not outlive the password it was
 *   taken with (an administrator's reset holds every session at the change-password step, as before). `users.session_kept`: the one session (sign-in, with its renewals)
 *   of an older epoch still good, the one that changed the password; it renews into the new epoch.
 * - `revoked_staff_sessions`: the sessions signed out, kept until their last token would have expired anyway.
 */
export class StaffSessionRevocation1796203700000 implements MigrationInterface {
  name = 'StaffSessionRevocation1796203700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users ADD COLUMN session_epoch integer NOT NULL DEFAULT 0,
        ADD COLUMN session_kept uuid;
      CREATE TABLE revoked_staff_sessions (
        session_id uuid PRIMARY KEY,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX revoked_staff_sessions_expires_idx ON revoked_staff_sessions (expires_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE revoked_staff_sessions;
      ALTER TABLE users DROP COLUMN session_epoch, DROP COLUMN session_kept;
    `);
  }
}
