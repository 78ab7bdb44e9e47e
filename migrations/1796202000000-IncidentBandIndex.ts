import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Incident candidates by band and time (issue 18). Texts sharing a MinHash band were found through a GIN index
 * on the keys' band arrays: every key sharing a band, of any time, was read and then filtered by the window
 * (and, on a small table, the planner scanned the whole table once per item). A row per band, ordered by
 * (band, registered_at), gives each band's newest keys within the window by one index range each.
 */
export class IncidentBandIndex1796202000000 implements MigrationInterface {
  name = 'IncidentBandIndex1796202000000';

  async up(q: QueryRunner): Promise<void> {
    // No foreign key to appeals: its check would wait for an appeal a routing pass holds.
    await q.query(`
      CREATE TABLE appeal_cluster_bands (
        band bigint NOT NULL,
        registered_at timestamptz NOT NULL,
        appeal_id uuid NOT NULL,
        PRIMARY KEY (band, registered_at, appeal_id)
      );
      INSERT INTO appeal_cluster_bands (band, registered_at, appeal_id)
        SELECT DISTINCT b, k.registered_at, k.appeal_id FROM appeal_cluster_keys k, unnest(k.bands) b;
      CREATE INDEX appeal_cluster_bands_appeal_idx ON appeal_cluster_bands(appeal_id);
      DROP INDEX appeal_cluster_keys_bands_idx;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX appeal_cluster_keys_bands_idx ON appeal_cluster_keys USING gin (bands);
      DROP TABLE appeal_cluster_bands;
    `);
  }
}
