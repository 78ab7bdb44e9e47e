import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 14 (least privilege): a password an administrator set (a new account, a reset) is temporary. Until its
 * owner replaces it the account may only change its own password, so no administrator ever knows a working
 * staff password. Existing accounts are not marked.
 */
export class PasswordChangeRequired1796197000000 implements MigrationInterface {
  name = 'PasswordChangeRequired1796197000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN must_change_password`);
  }
}
