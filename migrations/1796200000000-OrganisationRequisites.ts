import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 13 (ПОС): the organisation directory keeps an organisation's requisites — ИНН, КПП, ОГРН, ОКТМО and its
 * legal address — as a channel that knows them sends them (ПОС's `organizationInfo`), with where and when they
 * came from. Empty until then.
 */
export class OrganisationRequisites1796200000000 implements MigrationInterface {
  name = 'OrganisationRequisites1796200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organisations ADD COLUMN requisites jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organisations DROP COLUMN requisites`);
  }
}
