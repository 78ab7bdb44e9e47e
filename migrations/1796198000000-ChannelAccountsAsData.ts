import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 13, Build 1: many accounts per channel, kept as data. An account names its connector kind (our form and a
 * site's feed are both "website"), the organisation it serves, where it came from ('env': the one implicit
 * account per kind from environment variables; 'admin': added by an administrator), and its secrets: encrypted
 * with the configured key (`secrets_encrypted`, never read back out of the service) or named by environment
 * variable (`secret_env`: {"groupToken": "VK_MUNICIPAL_TOKEN"}). A bot reply remembers the account it answers
 * through, as an inbound item already does.
 */
export class ChannelAccountsAsData1796198000000 implements MigrationInterface {
  name = 'ChannelAccountsAsData1796198000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE channel_accounts
        ADD COLUMN kind text,
        ADD COLUMN organisation_id uuid REFERENCES organisations(id),
        ADD COLUMN source text NOT NULL DEFAULT 'env' CHECK (source IN ('env', 'admin')),
        ADD COLUMN secrets_encrypted text,
        ADD COLUMN secret_env jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
      UPDATE channel_accounts SET kind = CASE channel WHEN 'website' THEN 'website-feed' ELSE channel END;
      ALTER TABLE channel_accounts ALTER COLUMN kind SET NOT NULL;
      CREATE INDEX channel_accounts_kind_idx ON channel_accounts(kind, created_at);

      ALTER TABLE bot_replies ADD COLUMN account_id uuid REFERENCES channel_accounts(id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE bot_replies DROP COLUMN account_id;
      DROP INDEX channel_accounts_kind_idx;
      ALTER TABLE channel_accounts DROP COLUMN kind, DROP COLUMN organisation_id, DROP COLUMN source,
        DROP COLUMN secrets_encrypted, DROP COLUMN secret_env, DROP COLUMN updated_at;
    `);
  }
}
