import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An inbound event's claim (a rating, a withdrawal, a bot action) taken over after its handler died renewed its
 * lease by writing `received_at`, so the moment the channel's event reached us was lost and later dated by a
 * worker's death. The lease runs from `claimed_at` now (NULL: a claim made before this migration, leased from
 * `received_at`); `received_at` is written once, on arrival.
 */
export class InboundEventClaimTime1796205910000 implements MigrationInterface {
  name = 'InboundEventClaimTime1796205910000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE inbound_events ADD COLUMN claimed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE inbound_events DROP COLUMN claimed_at`);
  }
}
