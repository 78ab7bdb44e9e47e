import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An answer with files to a channel that carries none (OK) goes out as its text and a personal link per answer to
 * that answer's files. The link is the rating link's mechanism (a random key, only its SHA-256 kept, with the answer
 * and an expiry of RATING_LINK_DAYS, minted as the message goes out): one table, each key for one purpose. A key
 * made to rate never opens files, nor a key made for files rates.
 */
export class AnswerFileLinks1796207100000 implements MigrationInterface {
  name = 'AnswerFileLinks1796207100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE rating_links ADD COLUMN purpose text NOT NULL DEFAULT 'rating'
        CONSTRAINT rating_links_purpose_check CHECK (purpose IN ('rating', 'files'));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rating_links DROP COLUMN purpose`);
  }
}
