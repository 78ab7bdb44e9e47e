import { type INestApplicationContext, Module } from '@nestjs/common';
import { Client } from 'pg';
import { AccessModule, type AccessScope, Role } from '@inbox/access';
import { AppealEventFeed, AppealRegistrar, AppealsModule, type AppealsUpdate } from '@inbox/appeals';
import {
  type AppealEventRecord,
  AppealEventHooks,
  AppealEventsOutbox,
  ChannelsModule,
} from '@inbox/channels';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { CONNECTORS } from '@inbox/integrations/catalog';
import { Channel } from '@inbox/integrations/contract';
import { InboundStore, IntakeModule } from '@inbox/intake';
import { QueueModule } from '@inbox/queue';
import { idOf } from '../factories/directory';
import { inboundItem } from '../factories/inbound-items';
import { createTestContext } from '../support/test-context';
import { type TestDatabase } from '../support/test-database';
import { eventually } from '../support/test-stack';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.forRoot(),
    QueueModule.forRoot(),
    AccessModule,
    AppealsModule,
    IntakeModule,
    ChannelsModule.forRoot(CONNECTORS),
  ],
  providers: [AppealEventFeed],
})
class OutboxTestModule {}

const everything = (organisationId: string): AccessScope => ({
  userId: 'u',
  role: Role.Operator,
  organisationId,
  organisationIds: null,
});

/**
 * Issue 15: the history outbox cannot skip. Two transactions on two connections append events; the one that
 * took the lower id commits after the higher one has been read. The old cursor (`id > last seen`) lost it for
 * good; the outbox rows and the live stream's snapshots must still deliver both. A failing consumer backs off
 * on its own and ends as a dead letter that a retry brings back.
 */
describe('history outbox (integration)', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  let hooks: AppealEventHooks;
  let outbox: AppealEventsOutbox;
  let appealId: string;
  let otherAppealId: string;
  const seen: Record<string, string[]> = { posStatus: [], everyChannel: [], telegramOnly: [], flaky: [] };
  let flakyFailures = 0;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(OutboxTestModule, 'outbox', {
      LOG_LEVEL: 'error',
      EVENT_HOOK_ATTEMPTS: '3',
      EVENT_HOOK_RETRY_MS: '50',
    }));
    hooks = ctx.get(AppealEventHooks);
    outbox = ctx.get(AppealEventsOutbox);
    const record = (list: string[]) => async (e: AppealEventRecord) => {
      list.push(`${e.type}#${e.id}`);
    };
    hooks.on('test-pos-status', Channel.Pos, ['test-late', 'test-early'], record(seen.posStatus));
    hooks.on('test-every-channel', '*', ['test-late', 'test-early'], record(seen.everyChannel));
    hooks.on('test-telegram-only', Channel.Telegram, ['test-late', 'test-early'], record(seen.telegramOnly));
    hooks.on('test-flaky', '*', ['test-flaky'], async (e) => {
      if (flakyFailures > 0) {
        flakyFailures--;
        throw new Error('the remote side is down');
      }
      seen.flaky.push(`${e.type}#${e.id}#${String(e.data.n)}`);
    });
    // What the worker does at boot: from here on the trigger queues these consumers' events.
    await hooks.onApplicationBootstrap();

    const store = ctx.get(InboundStore);
    const registrar = ctx.get(AppealRegistrar);
    const register = async () => {
      const [stored] = await store.store([inboundItem()], { enqueue: false });
      const outcome = await registrar.registerInboundItem(stored.inboundItemId);
      if (outcome.kind !== 'registered') throw new Error(`expected a registration, got ${outcome.kind}`);
      return outcome.appealId;
    };
    appealId = await register();
    otherAppealId = await register();
  });

  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  const connect = async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    return client;
  };

  const drainAll = async () => {
    await eventually(async () => {
      await hooks.drain();
      const [{ n }] = (await db.dataSource.query(
        `SELECT count(*)::int AS n FROM event_outbox WHERE state = 'pending' AND consumer LIKE 'test-%'`,
      )) as { n: number }[];
      return n === 0 ? true : undefined;
    }, 10_000);
  };

  it('delivers two events committed out of id order on two connections to every consumer and the stream', async () => {
    const feed = ctx.get(AppealEventFeed);
    const cur = await idOf(db.dataSource, 'organisations', 'cur');
    const updates: AppealsUpdate[] = [];
    const subscription = feed.watch(everything(cur)).subscribe((u) => {
      if (u) updates.push(u);
    });
    const first = await connect();
    const second = await connect();
    try {
      // The first transaction takes the lower id and stays open...
      await first.query('BEGIN');
      const [{ id: lowId }] = (
        await first.query(
          `INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'test-late', '{}') RETURNING id::text`,
          [appealId],
        )
      ).rows as { id: string }[];
      // ...while the second takes a higher id and commits at once.
      await second.query('BEGIN');
      const [{ id: highId }] = (
        await second.query(
          `INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'test-early', '{}') RETURNING id::text`,
          [appealId],
        )
      ).rows as { id: string }[];
      await second.query('COMMIT');
      expect(BigInt(lowId)).toBeLessThan(BigInt(highId));

      // Consumers and the stream read the higher id: the point where a cursor would have moved past the lower one.
      await drainAll();
      expect(seen.posStatus).toEqual([`test-early#${highId}`]);
      expect(seen.everyChannel).toEqual([`test-early#${highId}`]);
      await eventually(async () => (updates.length > 0 ? true : undefined), 10_000);
      expect(updates.flatMap((u) => u.types)).toEqual(['test-early']);
      expect(updates.map((u) => u.lastEventId)).toEqual([highId]);

      // Now the lower id commits, late.
      await first.query('COMMIT');
      await drainAll();
      expect(seen.posStatus).toEqual([`test-early#${highId}`, `test-late#${lowId}`]);
      expect(seen.everyChannel).toEqual([`test-early#${highId}`, `test-late#${lowId}`]);
      // The appeal came by ПОС: the Telegram consumer hears of neither.
      expect(seen.telegramOnly).toEqual([]);
      await eventually(async () => (updates.length > 1 ? true : undefined), 10_000);
      expect(updates[1]).toMatchObject({
        lastEventId: lowId,
        count: 1,
        types: ['test-late'],
        appealIds: [appealId],
      });
      expect(updates).toHaveLength(2);
      // Handled rows are gone; nothing is left behind for any test consumer.
      const [{ n }] = (await db.dataSource.query(
        `SELECT count(*)::int AS n FROM event_outbox WHERE consumer LIKE 'test-%'`,
      )) as { n: number }[];
      expect(n).toBe(0);
    } finally {
      subscription.unsubscribe();
      await first.end();
      await second.end();
    }
  });

  it('scopes the stream in SQL: an organisation without the appeal hears nothing', async () => {
    const feed = ctx.get(AppealEventFeed);
    const [housing, cur] = await Promise.all([
      idOf(db.dataSource, 'organisations', 'minzhkh'),
      idOf(db.dataSource, 'organisations', 'cur'),
    ]);
    const narrow: AppealsUpdate[] = [];
    const wide: AppealsUpdate[] = [];
    const subs = [
      feed.watch({ ...everything(housing), role: Role.Clerk, organisationIds: [housing] }).subscribe((u) => {
        if (u) narrow.push(u);
      }),
      feed.watch(everything(cur)).subscribe((u) => {
        if (u) wide.push(u);
      }),
    ];
    try {
      await new Promise((r) => setTimeout(r, 100));
      await db.dataSource.query(`INSERT INTO appeal_events (appeal_id, type) VALUES ($1, 'test-scope')`, [
        otherAppealId,
      ]);
      await eventually(async () => (wide.length > 0 ? true : undefined), 10_000);
      expect(wide[0].appealIds).toEqual([otherAppealId]);
      const [{ n }] = (await db.dataSource.query(
        `SELECT count(*)::int AS n FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2`,
        [otherAppealId, housing],
      )) as { n: number }[];
      expect(n).toBe(0);
      await new Promise((r) => setTimeout(r, 2500));
      expect(narrow).toEqual([]);
    } finally {
      for (const s of subs) s.unsubscribe();
    }
  });

  it('backs a failing consumer off without holding back the others, keeps order per appeal, and buries it after the last attempt', async () => {
    flakyFailures = 1;
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const [{ id }] = (await db.dataSource.query(
        `INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'test-flaky', $2) RETURNING id::text`,
        [appealId, { n }],
      )) as { id: string }[];
      ids.push(id);
    }
    const [{ id: otherId }] = (await db.dataSource.query(
      `INSERT INTO appeal_events (appeal_id, type) VALUES ($1, 'test-early') RETURNING id::text`,
      [otherAppealId],
    )) as { id: string }[];
    await hooks.drain();
    // The other consumer went on; the flaky one failed once and waits, its second event behind the first.
    expect(seen.everyChannel).toContain(`test-early#${otherId}`);
    const [row] = (await db.dataSource.query(
      `SELECT attempts, state, last_error FROM event_outbox WHERE consumer = 'test-flaky' AND event_id = $1`,
      [ids[0]],
    )) as { attempts: number; state: string; last_error: string }[];
    expect(row).toEqual({ attempts: 1, state: 'pending', last_error: 'the remote side is down' });
    await drainAll();
    expect(seen.flaky).toEqual([`test-flaky#${ids[0]}#1`, `test-flaky#${ids[1]}#2`]);

    // Down for longer than every attempt (EVENT_HOOK_ATTEMPTS = 3): a dead letter, visible and kept.
    flakyFailures = 1000;
    const [{ id: doomed }] = (await db.dataSource.query(
      `INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'test-flaky', '{"n":3}') RETURNING id::text`,
      [otherAppealId],
    )) as { id: string }[];
    await drainAll();
    const dead = await outbox.dead(10);
    expect(dead).toEqual([
      expect.objectContaining({
        consumer: 'test-flaky',
        eventId: doomed,
        appealId: otherAppealId,
        attempts: 3,
        lastError: 'the remote side is down',
        type: 'test-flaky',
      }),
    ]);
    expect(seen.flaky).toHaveLength(2);

    // The channel is back; staff retry the dead letter and it is delivered once.
    flakyFailures = 0;
    expect(await outbox.retryDead({ consumer: 'test-flaky', eventId: doomed })).toBe(1);
    await drainAll();
    expect(seen.flaky).toEqual([
      `test-flaky#${ids[0]}#1`,
      `test-flaky#${ids[1]}#2`,
      `test-flaky#${doomed}#3`,
    ]);
    expect(await outbox.dead(10)).toEqual([]);
  });
});
