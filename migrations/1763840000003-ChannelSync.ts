import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Channel sync: what a connector could not read is kept whole with the reason (never dropped), pull
 * back-off state per account, inbound event dedupe, bot consents, and the ПОС rubricator mirror.
 */
export class ChannelSync1763840000003 implements MigrationInterface {
  name = 'ChannelSync1763840000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE quarantined_inputs (
        id bigserial PRIMARY KEY,
        channel text NOT NULL,
        account_id uuid REFERENCES channel_accounts(id),
        external_id text,
        reason text NOT NULL,
        raw jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX quarantined_inputs_channel_idx ON quarantined_inputs(channel, id DESC);

      ALTER TABLE channel_accounts
        ADD COLUMN next_pull_at timestamptz,
        ADD COLUMN items_quarantined bigint NOT NULL DEFAULT 0,
        ADD COLUMN last_pull_at timestamptz;

      -- Ratings, delivery states and bot actions arrive more than once; each is handled once.
      CREATE TABLE inbound_events (
        channel text NOT NULL,
        external_id text NOT NULL,
        kind text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        outcome text,
        PRIMARY KEY (channel, external_id)
      );

      -- A messenger user's consent to personal-data processing (152-ФЗ), asked once by the bot.
      CREATE TABLE channel_consents (
        channel text NOT NULL,
        author_external_id text NOT NULL,
        accepted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, author_external_id)
      );

      CREATE TABLE channel_categories (
        channel text NOT NULL,
        external_id text NOT NULL,
        parent_external_id text,
        name text NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        topic_id uuid REFERENCES topics(id),
        synced_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, external_id)
      );

      ALTER TABLE outbound_messages ADD COLUMN delivery_state text, ADD COLUMN delivery_state_at timestamptz;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbound_messages DROP COLUMN delivery_state, DROP COLUMN delivery_state_at;
      DROP TABLE channel_categories;
      DROP TABLE channel_consents;
      DROP TABLE inbound_events;
      ALTER TABLE channel_accounts DROP COLUMN next_pull_at, DROP COLUMN items_quarantined, DROP COLUMN last_pull_at;
      DROP TABLE quarantined_inputs;
    `);
  }
}
