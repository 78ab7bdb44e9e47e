import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 12 (ratings by e-mail): an answer that goes out by e-mail carries a personal link to rate it. Only the
 * link token's SHA-256 is kept, with the answer it rates and when it stops working; the token itself is in the
 * letter alone. A retried letter gets a new token beside the old one: either rates the answer, once.
 */
export class RatingLinks1796200700000 implements MigrationInterface {
  name = 'RatingLinks1796200700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rating_links (
        token_hash text PRIMARY KEY,
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        answer_id uuid NOT NULL REFERENCES answers(id),
        outbound_message_id uuid NOT NULL REFERENCES outbound_messages(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX rating_links_answer_idx ON rating_links (answer_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rating_links`);
  }
}
