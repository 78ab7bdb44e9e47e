import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The applicant's СНИЛС, as ПОС gives it from Gosuslugi («123-456-789 64»): personal data beside the applicant's
 * contacts, shown on the card to those who see them, gone with the applicant when personal data are erased.
 */
export class ApplicantSnils1796206500000 implements MigrationInterface {
  name = 'ApplicantSnils1796206500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE applicants ADD COLUMN snils text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE applicants DROP COLUMN snils`);
  }
}
