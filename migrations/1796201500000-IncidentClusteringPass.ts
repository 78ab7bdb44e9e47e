import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Incident grouping in its own pass (issue 18). The classification pass saves an appeal's grouping keys and
 * routes it without waiting on anyone's buckets; the keys wait, not yet grouped (`clustered_at` NULL), for the
 * grouping pass, which claims them oldest first from a partial index. Keys saved before this migration were
 * grouped as they were saved: the default marks them so (a constant default, no table rewrite).
 */
export class IncidentClusteringPass1796201500000 implements MigrationInterface {
  name = 'IncidentClusteringPass1796201500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE appeal_cluster_keys ADD COLUMN clustered_at timestamptz DEFAULT now();
      ALTER TABLE appeal_cluster_keys ALTER COLUMN clustered_at DROP DEFAULT;
      CREATE INDEX appeal_cluster_keys_unclustered_idx ON appeal_cluster_keys(registered_at, appeal_id)
        WHERE clustered_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX appeal_cluster_keys_unclustered_idx;
      ALTER TABLE appeal_cluster_keys DROP COLUMN clustered_at;
    `);
  }
}
