import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Work a feed owes its channel because of an appeal's history: a ПОС status push, fetching ПОС files, an
 * e-mail 547-ФЗ notice, a МЭДО receipt. One row per action (unique on kind + dedupe key), so a hook that
 * runs twice does the work once; remote calls wait here with their back-off instead of blocking the
 * history outbox, and what failed for good stays visible.
 */
export class FeedActions1763840000005 implements MigrationInterface {
  name = 'FeedActions1763840000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE feed_actions (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        dedupe_key text NOT NULL,
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        account_id uuid REFERENCES channel_accounts(id),
        payload jsonb NOT NULL DEFAULT '{}',
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','done','failed','skipped')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        outbound_message_id uuid REFERENCES outbound_messages(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        done_at timestamptz,
        UNIQUE (kind, dedupe_key)
      );
      CREATE INDEX feed_actions_pending_idx ON feed_actions(kind, id) WHERE state = 'pending';
      CREATE INDEX feed_actions_appeal_idx ON feed_actions(appeal_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE feed_actions;`);
  }
}
