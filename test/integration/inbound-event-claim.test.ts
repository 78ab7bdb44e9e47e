import { InboundEventsRepository } from '@inbox/channels';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * An inbound event's claim taken over after its handler died (kill -9 mid-way: a lease of 2 × QUEUE_LOCK_MS), or
 * released after a failure and made again, must not date the event's arrival by the retry: `received_at` is when
 * the channel's event reached us.
 */
describe('inbound event claims (integration)', () => {
  let db: TestDatabase;
  let events: InboundEventsRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    events = new InboundEventsRepository(db.dataSource);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const receivedAt = async (externalId: string): Promise<string> => {
    const [row] = (await db.dataSource.query(
      `SELECT received_at::text AS at FROM inbound_events WHERE channel = 'vk' AND external_id = $1`,
      [externalId],
    )) as { at: string }[];
    return row.at;
  };

  it.each([
    {
      title:
        'keeps the arrival time when a dead handler’s claim is taken over, and leases the new claim afresh',
      externalId: 'ev-1',
      kind: 'withdrawal',
      async afterTakeover() {
        // The takeover holds its own lease: another handler waits.
        expect(await events.claim('vk', 'ev-1', 'withdrawal', 60_000)).toBe('busy');
        await events.setOutcome('vk', 'ev-1', 'withdrawn');
        expect(await events.claim('vk', 'ev-1', 'withdrawal', 0)).toBe('done');
      },
    },
    {
      title: 'takes over a taken-over claim again once its own lease has run out',
      externalId: 'ev-2',
      kind: 'rating',
      async afterTakeover() {
        await db.dataSource.query(
          `UPDATE inbound_events SET claimed_at = claimed_at - interval '2 minutes' WHERE external_id = 'ev-2'`,
        );
        expect(await events.claim('vk', 'ev-2', 'rating', 60_000)).toBe('claimed');
      },
    },
  ])('$title', async ({ externalId, kind, afterTakeover }) => {
    expect(await events.claim('vk', externalId, kind, 60_000)).toBe('claimed');
    expect(await events.claim('vk', externalId, kind, 60_000)).toBe('busy');
    // It arrived ten minutes ago and its handler died without an outcome.
    await db.dataSource.query(
      `UPDATE inbound_events SET received_at = received_at - interval '10 minutes',
              claimed_at = claimed_at - interval '10 minutes' WHERE external_id = $1`,
      [externalId],
    );
    const arrived = await receivedAt(externalId);
    expect(await events.claim('vk', externalId, kind, 60_000)).toBe('claimed');
    expect(await receivedAt(externalId)).toBe(arrived);
    await afterTakeover();
    expect(await receivedAt(externalId)).toBe(arrived);
  });

  it('keeps the arrival time across a claim released after a failure and made again', async () => {
    const arrived = new Date(Date.now() - 10 * 60_000).toISOString();
    expect(await events.claim('vk', 'ev-3', 'rating', 60_000, arrived)).toBe('claimed');
    // A fresh claim holds its lease though the event arrived long ago.
    expect(await events.claim('vk', 'ev-3', 'rating', 60_000, arrived)).toBe('busy');
    const at = await receivedAt('ev-3');
    expect(new Date(at).toISOString()).toBe(arrived);
    // Its handler failed (the database away for a moment) and let it go; the job's retry claims it again.
    await events.releaseClaim('vk', 'ev-3');
    expect(await events.claim('vk', 'ev-3', 'rating', 60_000, arrived)).toBe('claimed');
    expect(await receivedAt('ev-3')).toBe(at);
    // An arrival time from the future, or none readable, is ours now.
    expect(await events.claim('vk', 'ev-4', 'rating', 60_000, '2999-01-01T00:00:00Z')).toBe('claimed');
    expect(await events.claim('vk', 'ev-5', 'rating', 60_000, 'не время')).toBe('claimed');
    const [row] = (await db.dataSource.query(
      `SELECT bool_and(received_at <= now()) AS ok FROM inbound_events WHERE external_id IN ('ev-4', 'ev-5')`,
    )) as { ok: boolean }[];
    expect(row.ok).toBe(true);
  });
});
