import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An incident's answer is drafted and approved per organisation, not once for everyone: an incident may group
 * appeals of several organisations, and one organisation's draft claimed the incident for all of them (the others
 * could not draft their part) and was shown to them as the incident's answer. `incident_parts` keeps each
 * organisation's draft of its part (claimed by the primary key), and when it was answered; the drafts per appeal
 * stay in `incident_answers`.
 */
export class IncidentParts1796206600000 implements MigrationInterface {
  name = 'IncidentParts1796206600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE incident_parts (
        incident_id uuid NOT NULL REFERENCES incidents(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        draft_text text,
        drafted_by uuid REFERENCES users(id),
        drafted_at timestamptz,
        answered_by uuid REFERENCES users(id),
        answered_at timestamptz,
        PRIMARY KEY (incident_id, organisation_id)
      );
      INSERT INTO incident_parts (incident_id, organisation_id, draft_text, drafted_by, drafted_at, answered_by, answered_at)
      SELECT i.id, u.organisation_id, i.draft_text, i.drafted_by, i.drafted_at,
             CASE WHEN i.status = 'answered' THEN i.answered_by END, CASE WHEN i.status = 'answered' THEN i.answered_at END
        FROM incidents i JOIN users u ON u.id = i.drafted_by
       WHERE i.drafted_at IS NOT NULL;
      ALTER TABLE incidents DROP COLUMN draft_text, DROP COLUMN drafted_by, DROP COLUMN drafted_at;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE incidents
        ADD COLUMN draft_text text,
        ADD COLUMN drafted_by uuid REFERENCES users(id),
        ADD COLUMN drafted_at timestamptz;
      UPDATE incidents i SET draft_text = p.draft_text, drafted_by = p.drafted_by, drafted_at = p.drafted_at
        FROM (SELECT DISTINCT ON (incident_id) * FROM incident_parts WHERE drafted_at IS NOT NULL
               ORDER BY incident_id, drafted_at DESC) p
       WHERE p.incident_id = i.id;
      DROP TABLE incident_parts;
    `);
  }
}
