import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Webhook events (a rating button, a consent press, a delivery receipt) are kept in Postgres until the worker has
 * handled them, as inbound items are: the channel got its 200 already and sends them no more, so the Bull job that
 * carries them was the only copy, and a Redis restarted without persistence or flushed lost them for good. The
 * dialogue sweep queues again what stays here (ChannelIntake.requeueDeferredEvents). The events travel without
 * names or texts, as they did through Redis (withoutPersonalData).
 */
export class DeferredInboundEvents1796204900000 implements MigrationInterface {
  name = 'DeferredInboundEvents1796204900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE deferred_inbound_events (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        account_id uuid,
        events jsonb NOT NULL,
        -- Times the sweep queued them again; past a limit they stay here, no longer queued.
        rounds int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX deferred_inbound_events_created_idx ON deferred_inbound_events (created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deferred_inbound_events`);
  }
}
