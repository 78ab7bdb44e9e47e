import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Requests to group an appeal again (issue 18). A pass that routes an appeal again holds the appeal's row; had it
 * rewritten the appeal's grouping keys, it would wait for a grouping pass that holds those keys and waits for
 * the appeal (a deadlock). It adds a request row instead (a plain insert: it waits on no one), and a short
 * transaction of the grouping pass turns requests into keys waiting to be grouped, skipping rows another pass
 * holds.
 */
export class IncidentRegroupRequests1796201800000 implements MigrationInterface {
  name = 'IncidentRegroupRequests1796201800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE appeal_cluster_requests (
        id bigserial PRIMARY KEY,
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        requested_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX appeal_cluster_requests_appeal_idx ON appeal_cluster_requests(appeal_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE appeal_cluster_requests`);
  }
}
