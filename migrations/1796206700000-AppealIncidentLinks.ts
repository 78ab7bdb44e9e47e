import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 18: an appeal's incident in a narrow table of its own (`appeal_incidents`, libs/appeals), not in the
 * `appeals` row. Joining an incident wrote a third version of that row — its 19 b-trees and the search GINs'
 * pending lists again, its row triggers, 14.5–16.5 WAL records and 5–6.5 kB an appeal — for one uuid. A link is
 * now one row with two index entries, written once (an appeal joins one incident and never leaves it).
 */
export class AppealIncidentLinks1796206700000 implements MigrationInterface {
  name = 'AppealIncidentLinks1796206700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE appeal_incidents (
        appeal_id uuid PRIMARY KEY REFERENCES appeals(id),
        incident_id uuid NOT NULL REFERENCES incidents(id)
      );
      INSERT INTO appeal_incidents (appeal_id, incident_id)
      SELECT id, incident_id FROM appeals WHERE incident_id IS NOT NULL;
      CREATE INDEX appeal_incidents_incident_idx ON appeal_incidents (incident_id);
      DROP INDEX appeals_incident_idx;
      ALTER TABLE appeals DROP CONSTRAINT appeals_incident_fk;
      ALTER TABLE appeals DROP COLUMN incident_id;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE appeals ADD COLUMN incident_id uuid;
      UPDATE appeals a SET incident_id = l.incident_id FROM appeal_incidents l WHERE l.appeal_id = a.id;
      ALTER TABLE appeals ADD CONSTRAINT appeals_incident_fk FOREIGN KEY (incident_id) REFERENCES incidents(id);
      CREATE INDEX appeals_incident_idx ON appeals(incident_id) WHERE incident_id IS NOT NULL;
      DROP TABLE appeal_incidents;
    `);
  }
}
