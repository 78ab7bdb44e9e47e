import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An incident is answered by two people (issue 12: nobody approves their own draft): one drafts the answer,
 * kept on the incident with who drafted it and when, and as a draft answer on every open appeal, linked here
 * in `incident_answers`; another approves, which approves and sends those drafts.
 */
export class IncidentAnswerDrafts1796179524990 implements MigrationInterface {
  name = 'IncidentAnswerDrafts1796179524990';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE incidents
        ADD COLUMN draft_text text,
        ADD COLUMN drafted_by uuid REFERENCES users(id),
        ADD COLUMN drafted_at timestamptz;
      CREATE TABLE incident_answers (
        answer_id uuid PRIMARY KEY REFERENCES answers(id),
        incident_id uuid NOT NULL REFERENCES incidents(id),
        appeal_id uuid NOT NULL REFERENCES appeals(id)
      );
      CREATE INDEX incident_answers_incident_idx ON incident_answers(incident_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE incident_answers;
      ALTER TABLE incidents DROP COLUMN draft_text, DROP COLUMN drafted_by, DROP COLUMN drafted_at;
    `);
  }
}
