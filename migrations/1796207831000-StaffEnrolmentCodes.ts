import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An administrator's password reset used to set a temporary password the administrator knew: signed in with it
 * before its owner, they could replace it and work as that supervisor or clerk. A reset now makes the password
 * unusable, ends the account's sessions and issues a one-time enrolment code (stored as a keyed hash, short-lived,
 * single use) sent to the employee's work e-mail (`users.email`), or shown to the administrator once when there is
 * none, which the audit log records. Redeeming it sets a password only its owner knows.
 */
export class StaffEnrolmentCodes1796207831000 implements MigrationInterface {
  name = 'StaffEnrolmentCodes1796207831000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users ADD COLUMN email text;

      CREATE TABLE staff_enrolment_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        code_hash text NOT NULL,
        issued_by uuid REFERENCES users(id),
        issued_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        -- 'email': sent to the work e-mail; 'shown': given to the administrator to hand over in person;
        -- 'email-failed': the letter did not go (the administrator issues it again).
        delivery text NOT NULL CHECK (delivery IN ('email', 'shown', 'email-failed')),
        used_at timestamptz,
        cancelled_at timestamptz
      );
      -- At most one code of an account is open: a new one cancels the one before, in the same transaction.
      CREATE UNIQUE INDEX staff_enrolment_codes_open_idx ON staff_enrolment_codes(user_id)
        WHERE used_at IS NULL AND cancelled_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE staff_enrolment_codes; ALTER TABLE users DROP COLUMN email`);
  }
}
