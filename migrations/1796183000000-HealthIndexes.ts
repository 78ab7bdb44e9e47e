import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * /health at scale (issue 18): it counts the intake backlog (items not processed) and each channel account's
 * pending and failed feed actions. Both used to read the whole table, which grows with every appeal; these
 * partial indexes hold only the rows those counts look at, so /health costs the same at 10 k or 10 M.
 */
export class HealthIndexes1796183000000 implements MigrationInterface {
  name = 'HealthIndexes1796183000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX inbound_items_unprocessed_idx ON inbound_items(status) WHERE status <> 'processed';
      CREATE INDEX feed_actions_account_open_idx ON feed_actions(account_id, state)
        WHERE state IN ('pending', 'failed');
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX feed_actions_account_open_idx;
      DROP INDEX inbound_items_unprocessed_idx;
    `);
  }
}
