import { type MigrationInterface, type QueryRunner } from 'typeorm';

const RENAMED: [string, string][] = [
  ['rating_links_pkey', 'public_answer_links_pkey'],
  ['rating_links_appeal_id_fkey', 'public_answer_links_appeal_id_fkey'],
  ['rating_links_answer_id_fkey', 'public_answer_links_answer_id_fkey'],
  ['rating_links_outbound_message_id_fkey', 'public_answer_links_outbound_message_id_fkey'],
  ['rating_links_purpose_check', 'public_answer_links_purpose_check'],
];

/**
 * `rating_links` has held two kinds of public link of an answer since AnswerFileLinks (`purpose`: to rate it, or to
 * take its files): named for what it holds, with its constraints and index. A rename: every row stays, with its key's
 * hash, answer and expiry, so the links already sent (rate.html and answer-files.html, the key in the fragment) open
 * as before.
 */
export class PublicAnswerLinks1796207200000 implements MigrationInterface {
  name = 'PublicAnswerLinks1796207200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE rating_links RENAME TO public_answer_links;
      ${RENAMED.map(([from, to]) => `ALTER TABLE public_answer_links RENAME CONSTRAINT ${from} TO ${to};`).join('\n      ')}
      ALTER INDEX rating_links_answer_idx RENAME TO public_answer_links_answer_idx;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER INDEX public_answer_links_answer_idx RENAME TO rating_links_answer_idx;
      ${RENAMED.map(([from, to]) => `ALTER TABLE public_answer_links RENAME CONSTRAINT ${to} TO ${from};`).join('\n      ')}
      ALTER TABLE public_answer_links RENAME TO rating_links;
    `);
  }
}
