import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What recorded a messenger user's consent (the bot's event or the typed message, as its replies name it): a
 * consent reply whose handling failed after the consent was stored is retried, and the retry must still thank the
 * citizen for it rather than say the consent had been given already. Older consents name nothing.
 */
export class ConsentSource1796205987000 implements MigrationInterface {
  name = 'ConsentSource1796205987000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE channel_consents ADD COLUMN source text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE channel_consents DROP COLUMN source`);
  }
}
