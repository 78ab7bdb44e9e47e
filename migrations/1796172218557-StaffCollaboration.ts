import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Who does what: the department head role (approves answers, grants the 59-ФЗ extension); drafts that
 * are edited, discarded or sent back with a comment; internal notes on an appeal.
 */
export class StaffCollaboration1796172218557 implements MigrationInterface {
  name = 'StaffCollaboration1796172218557';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users DROP CONSTRAINT users_role_check,
        ADD CONSTRAINT users_role_check CHECK (role IN ('operator','clerk','head','supervisor','admin'));
      ALTER TABLE answers DROP CONSTRAINT answers_status_check,
        ADD CONSTRAINT answers_status_check CHECK (status IN ('draft','approved','sent','discarded')),
        ADD COLUMN edited_at timestamptz,
        ADD COLUMN sent_back_by uuid REFERENCES users(id),
        ADD COLUMN sent_back_at timestamptz,
        ADD COLUMN sent_back_comment text;
      CREATE TABLE appeal_notes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        author_id uuid NOT NULL REFERENCES users(id),
        text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX appeal_notes_appeal_idx ON appeal_notes(appeal_id, created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE appeal_notes;
      UPDATE answers SET status = 'draft' WHERE status = 'discarded';
      ALTER TABLE answers DROP CONSTRAINT answers_status_check,
        ADD CONSTRAINT answers_status_check CHECK (status IN ('draft','approved','sent')),
        DROP COLUMN edited_at, DROP COLUMN sent_back_by, DROP COLUMN sent_back_at, DROP COLUMN sent_back_comment;
      UPDATE users SET role = 'clerk' WHERE role = 'head';
      ALTER TABLE users DROP CONSTRAINT users_role_check,
        ADD CONSTRAINT users_role_check CHECK (role IN ('operator','clerk','supervisor','admin'));
    `);
  }
}
