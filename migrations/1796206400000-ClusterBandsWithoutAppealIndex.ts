import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 18: twelve fewer index entries an appeal. `appeal_cluster_bands` takes a row per MinHash band of every
 * routed appeal (12), each written into its primary key (band, registered_at, appeal_id) and into
 * `appeal_cluster_bands_appeal_idx` (appeal_id), a random uuid's b-tree that only the rare re-grouping read, to
 * find the rows of an appeal's old bands. Those rows are found by the primary key instead, from the old bands its
 * key row (`appeal_cluster_keys.bands`) still holds when they are replaced.
 */
export class ClusterBandsWithoutAppealIndex1796206400000 implements MigrationInterface {
  name = 'ClusterBandsWithoutAppealIndex1796206400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX appeal_cluster_bands_appeal_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX appeal_cluster_bands_appeal_idx ON appeal_cluster_bands(appeal_id)`);
  }
}
