import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What a connector keeps of an account between calls (contract `AccountState`): Telegram's channel posts' copies,
 * so that a reply to a neighbour's comment under a post reads as a comment after a restart and in every api
 * process. The newest keys of an account by `updated_at` are kept; the index serves that trimming.
 */
export class ChannelAccountState1796205800000 implements MigrationInterface {
  name = 'ChannelAccountState1796205800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE channel_account_state (
        account_id uuid NOT NULL REFERENCES channel_accounts(id) ON DELETE CASCADE,
        key text NOT NULL,
        value text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, key)
      )`);
    await q.query(
      `CREATE INDEX channel_account_state_age_idx ON channel_account_state (account_id, updated_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE channel_account_state`);
  }
}
