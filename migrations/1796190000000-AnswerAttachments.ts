import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 12: answers carry files (a decision, a scan, a photo of the work done). Contents are stored once by
 * hash in attachment_contents, as the citizens' own files are; a file belongs to one answer.
 */
export class AnswerAttachments1796190000000 implements MigrationInterface {
  name = 'AnswerAttachments1796190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE answer_attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        answer_id uuid NOT NULL REFERENCES answers(id),
        file_name text NOT NULL,
        content_type text NOT NULL,
        size integer NOT NULL CHECK (size >= 0),
        sha256 text NOT NULL REFERENCES attachment_contents(sha256),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX answer_attachments_answer_idx ON answer_attachments (answer_id, created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE answer_attachments`);
  }
}
