import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 12 (Build 2): the citizen gets each organisation's answer as it comes, or one combined answer once
 * every part is answered or closed, as the responsible organisation chooses (`answer_delivery`). A message to
 * the applicant may then carry several answers: `outbound_message_answers` says which (delivery sends all
 * their files); an answer that is sent but in no message is held for the combined one. Existing answer
 * messages carry their one answer.
 */
export class CombinedAnswers1796198500000 implements MigrationInterface {
  name = 'CombinedAnswers1796198500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE organisations ADD COLUMN answer_delivery text NOT NULL DEFAULT 'each'
        CHECK (answer_delivery IN ('each', 'combined'));
      CREATE TABLE outbound_message_answers (
        outbound_message_id uuid NOT NULL REFERENCES outbound_messages(id),
        answer_id uuid NOT NULL REFERENCES answers(id),
        position integer NOT NULL DEFAULT 0,
        PRIMARY KEY (outbound_message_id, answer_id)
      );
      CREATE INDEX outbound_message_answers_answer_idx ON outbound_message_answers (answer_id);
      INSERT INTO outbound_message_answers (outbound_message_id, answer_id)
        SELECT id, answer_id FROM outbound_messages WHERE answer_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE outbound_message_answers;
      ALTER TABLE organisations DROP COLUMN answer_delivery;
    `);
  }
}
