import { type INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { type AccessScope, Role } from '@inbox/access';
import { AppealEventFeed, AppealRegistrar, type AppealsUpdate } from '@inbox/appeals';
import {
  type AppealEventRecord,
  AppealEventHooks,
  AppealEventsOutbox,
  ChannelsModule,
  type HookOutcome,
} from '@inbox/channels';
import { AppConfig } from '@inbox/config';
import { Transactions } from '@inbox/database';
import { CONNECTORS } from '@inbox/integrations/catalog';
import { Channel, ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';
import { InboundStore } from '@inbox/intake';
import { idOf } from '../factories/directory';
import { inboundItem } from '../factories/inbound-items';
import { AppealsTestModule } from '../support/appeals-test-module';
import { createTestContext } from '../support/test-context';
import { type TestDatabase } from '../support/test-database';
import { eventually } from '../support/test-stack';

const OutboxTestModule = AppealsTestModule.with([ChannelsModule.forRoot(CONNECTORS)], [AppealEventFeed]);

/** Three attempts, 50 ms apart at first, no retry window: back-offs and dead letters within a test. */
const OUTBOX_ENV = {
  LOG_LEVEL: 'error',
  EVENT_HOOK_ATTEMPTS: '3',
  EVENT_HOOK_RETRY_MS: '50',
  EVENT_HOOK_RETRY_FOR_MS: '0',
};

/** A ПОС appeal registered as the worker registers one (no queue). */
async function registerAppeal(ctx: INestApplicationContext): Promise<string> {
  const [stored] = await ctx.get(InboundStore).store([inboundItem()], { enqueue: false });
  const outcome = await ctx.get(AppealRegistrar).registerInboundItem(stored.inboundItemId);
  if (outcome.kind !== 'registered') throw new Error(`expected a registration, got ${outcome.kind}`);
  return outcome.appealId;
}

/** Appends events of `type` with data {n}, one per [appeal index, n], in this order; returns their ids by n. */
async function appendNumbered(
  db: TestDatabase,
  type: string,
  appeals: string[],
  events: [number, number][],
): Promise<Map<number, string>> {
  const ids = new Map<number, string>();
  for (const [appeal, n] of events) {
    const [{ id }] = (await db.dataSource.query(
      `INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, $2, $3) RETURNING id::text`,
      [appeals[appeal], type, { n }],
    )) as { id: string }[];
    ids.set(n, id);
  }
  return ids;
}

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
    ({ db, ctx } = await createTestContext(OutboxTestModule, 'outbox', OUTBOX_ENV));
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

    appealId = await registerAppeal(ctx);
    otherAppealId = await registerAppeal(ctx);
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

interface OutboxRow {
  event_id: string;
  attempts: number;
  state: string;
  last_error: string | null;
}

/**
 * Issue 18: the outbox's batch hooks. A consumer gets the claimed events at once (one statement for the batch)
 * and says per event whether it is done; the runner keeps the single-event semantics: a failed event backs off
 * alone, an appeal's later events wait behind it in order, a hook that throws fails its whole batch, and after the
 * last attempt a row stays as a dead letter.
 */
describe('history outbox, batch hooks (integration)', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  let hooks: AppealEventHooks;
  let outbox: AppealEventsOutbox;
  const appeals: string[] = [];
  /** Every batch the hook was given, as lists of `n`. */
  const batches: number[][] = [];
  /** What the hook does this time: fail the events whose `n` is listed, throw for the whole batch, or leave some out. */
  let failing = new Set<number>();
  let throwing = false;
  let leftOut = new Set<number>();
  /** A batch holding any of these fails as a whole, as one bad row fails a set-based statement. */
  let poison = new Set<number>();

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(OutboxTestModule, 'outbox-batch', OUTBOX_ENV));
    hooks = ctx.get(AppealEventHooks);
    outbox = ctx.get(AppealEventsOutbox);
    const n = (e: AppealEventRecord) => Number(e.data.n);
    hooks.onBatch('test-batch', '*', ['test-batch'], async (events) => {
      batches.push(events.map(n));
      if (throwing) throw new Error('the remote side is down');
      if (events.some((e) => poison.has(n(e)))) throw new Error('the batch holds a bad event');
      const outcomes = new Map<string, HookOutcome>();
      for (const e of events) {
        if (leftOut.has(n(e))) continue;
        outcomes.set(e.id, failing.has(n(e)) ? { failed: new Error(`event ${n(e)} refused`) } : 'done');
      }
      return outcomes;
    });
    await hooks.onApplicationBootstrap();

    for (let i = 0; i < 3; i++) appeals.push(await registerAppeal(ctx));
  });

  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  beforeEach(() => {
    batches.length = 0;
    failing = new Set();
    throwing = false;
    leftOut = new Set();
    poison = new Set();
  });

  /** Appends `test-batch` events, one per [appeal index, n], in this order; returns their ids by n. */
  const append = (events: [number, number][]) => appendNumbered(db, 'test-batch', appeals, events);

  const rows = async (): Promise<OutboxRow[]> =>
    (await db.dataSource.query(
      `SELECT event_id::text, attempts, state, last_error FROM event_outbox
        WHERE consumer = 'test-batch' ORDER BY event_id`,
    )) as OutboxRow[];

  const drainAll = async () =>
    eventually(async () => {
      await hooks.drain();
      const pending = (await rows()).filter((r) => r.state === 'pending');
      return pending.length === 0 ? true : undefined;
    }, 10_000);

  it('backs off a failed event alone, holds its appeal’s later events in order, and completes the rest', async () => {
    failing = new Set([1]);
    // Appeal 0: 1 (fails), 2 (waits behind it); appeal 1: 3, then 5; appeal 2: 4.
    const ids = await append([
      [0, 1],
      [0, 2],
      [1, 3],
      [2, 4],
      [1, 5],
    ]);
    await hooks.drain();
    // One call per wave: each appeal's earliest event, then appeal 1's next one; 2 never reached the hook.
    expect(batches).toEqual([[1, 3, 4], [5]]);
    expect(await rows()).toEqual([
      { event_id: ids.get(1), attempts: 1, state: 'pending', last_error: 'event 1 refused' },
      { event_id: ids.get(2), attempts: 0, state: 'pending', last_error: null },
    ]);

    // Up again: after its back-off the failed event goes first, then the one held behind it.
    failing = new Set();
    batches.length = 0;
    await drainAll();
    expect(batches.flat()).toEqual([1, 2]);
    expect(await rows()).toEqual([]);
  });

  it('fails every event of a batch whose hook throws, and counts an event left out as failed', async () => {
    throwing = true;
    const ids = await append([
      [0, 11],
      [1, 12],
      [2, 13],
    ]);
    await hooks.drain();
    expect(batches).toEqual([[11, 12, 13]]);
    expect(await rows()).toEqual(
      [11, 12, 13].map((n) => ({
        event_id: ids.get(n),
        attempts: 1,
        state: 'pending',
        last_error: 'the remote side is down',
      })),
    );

    throwing = false;
    leftOut = new Set([12]);
    // Past the first back-off (50 ms): all three are due again, in one batch.
    await new Promise((r) => setTimeout(r, 150));
    await hooks.drain();
    expect(await rows()).toEqual([
      { event_id: ids.get(12), attempts: 2, state: 'pending', last_error: 'the hook gave no outcome' },
    ]);
    leftOut = new Set();
    await drainAll();
    expect(await rows()).toEqual([]);
  });

  it('retries a batch that failed as a whole event by event, so a bad event fails alone', async () => {
    // A set-based hook fails its whole batch for one bad event (here: 32)...
    poison = new Set([32]);
    const ids = await append([
      [0, 31],
      [1, 32],
      [2, 33],
    ]);
    await hooks.drain();
    expect(batches).toEqual([[31, 32, 33]]);
    // ...and after the back-off each is tried alone: the others are done, the bad one backs off again.
    await new Promise((r) => setTimeout(r, 150));
    await hooks.drain();
    expect(batches).toEqual([[31, 32, 33], [31], [32], [33]]);
    expect(await rows()).toEqual([
      {
        event_id: ids.get(32),
        attempts: 2,
        state: 'pending',
        last_error: 'the batch holds a bad event',
      },
    ]);
    poison = new Set();
    await drainAll();
    expect(await rows()).toEqual([]);
  });

  it('keeps an event as a dead letter after the last attempt while the others of its batch are done', async () => {
    failing = new Set([21]);
    const ids = await append([
      [0, 21],
      [1, 22],
    ]);
    // EVENT_HOOK_ATTEMPTS = 3: three tries, then the row stays, dead, with the last reason.
    await drainAll();
    expect(batches.flat().filter((n) => n === 21)).toHaveLength(3);
    expect(batches.flat().filter((n) => n === 22)).toHaveLength(1);
    expect(await rows()).toEqual([
      { event_id: ids.get(21), attempts: 3, state: 'dead', last_error: 'event 21 refused' },
    ]);
    expect(await outbox.dead(10)).toEqual([
      expect.objectContaining({ consumer: 'test-batch', eventId: ids.get(21), appealId: appeals[0] }),
    ]);

    // A dead letter no longer holds its appeal back: a later event of it goes through.
    const later = await append([[0, 23]]);
    await drainAll();
    expect(batches.flat()).toContain(23);
    expect((await rows()).map((r) => r.event_id)).toEqual([ids.get(21)]);
    expect(later.size).toBe(1);

    // Staff retry it once the remote side is back: delivered once.
    failing = new Set();
    expect(await outbox.retryDead({ consumer: 'test-batch', eventId: ids.get(21) })).toBe(1);
    await drainAll();
    expect(await rows()).toEqual([]);
    expect(batches.flat().filter((n) => n === 21)).toHaveLength(4);
  });
});

/**
 * A consumer's outage longer than its attempts (a channel, or our own database, away for an hour) does not bury
 * its rows: they keep retrying until they have failed for EVENT_HOOK_RETRY_FOR_MS, and the panel's backlog says
 * since when and why they fail. A permanent error (a request the channel refuses as malformed) is buried at once.
 */
describe('history outbox, retry window (integration)', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  let hooks: AppealEventHooks;
  let outbox: AppealEventsOutbox;
  let appealId: string;
  let failure: Error | undefined;
  const handled: string[] = [];

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(OutboxTestModule, 'outbox-window', {
      ...OUTBOX_ENV,
      EVENT_HOOK_RETRY_FOR_MS: '3600000',
    }));
    hooks = ctx.get(AppealEventHooks);
    outbox = ctx.get(AppealEventsOutbox);
    hooks.on('test-window', '*', ['test-window'], async (e) => {
      if (failure) throw failure;
      handled.push(e.id);
    });
    await hooks.onApplicationBootstrap();
    appealId = await registerAppeal(ctx);
  });

  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  const append = async (): Promise<string> => {
    const [{ id }] = (await db.dataSource.query(
      `INSERT INTO appeal_events (appeal_id, type) VALUES ($1, 'test-window') RETURNING id::text`,
      [appealId],
    )) as { id: string }[];
    return id;
  };
  const row = async (id: string) =>
    (
      (await db.dataSource.query(
        `SELECT attempts, state FROM event_outbox WHERE consumer = 'test-window' AND event_id = $1`,
        [id],
      )) as { attempts: number; state: string }[]
    )[0];
  /** Tries the consumer until the row has had `attempts` attempts (each back-off made due at once). */
  const failUntil = async (id: string, attempts: number) =>
    eventually(async () => {
      await db.dataSource.query(
        `UPDATE event_outbox SET next_attempt_at = now() WHERE consumer = 'test-window'`,
      );
      await hooks.drain();
      const r = await row(id);
      return r && (r.attempts >= attempts || r.state === 'dead') ? r : undefined;
    }, 10_000);
  const drainUntilGone = async (id: string) =>
    eventually(async () => {
      await db.dataSource.query(
        `UPDATE event_outbox SET next_attempt_at = now() WHERE consumer = 'test-window'`,
      );
      await hooks.drain();
      return (await row(id)) ? undefined : true;
    }, 10_000);

  it('keeps retrying past EVENT_HOOK_ATTEMPTS within the window, shows what is stuck, and buries it after', async () => {
    failure = new ConnectorError(ConnectorErrorCode.Temporary, 'the channel is down');
    const id = await append();
    // Three attempts (EVENT_HOOK_ATTEMPTS) and three more: an hour's outage is not over, the row waits.
    expect(await failUntil(id, 6)).toEqual({ attempts: 6, state: 'pending' });
    expect(await outbox.dead(10)).toEqual([]);
    const [backlog] = (await outbox.backlog()).filter((c) => c.consumer === 'test-window');
    expect(backlog).toMatchObject({ pending: 1, retrying: 1, dead: 0, lastError: 'the channel is down' });
    expect(backlog.failingSince).toBeInstanceOf(Date);

    // The channel is back: the row goes through by itself, nobody retried it.
    failure = undefined;
    await drainUntilGone(id);
    expect(handled).toEqual([id]);
    expect(await row(id)).toBeUndefined();

    // Failing for longer than the window (its first failure an hour and a minute ago): the next failure buries it.
    failure = new ConnectorError(ConnectorErrorCode.Temporary, 'the channel is down');
    const late = await append();
    await failUntil(late, 3);
    expect(await row(late)).toEqual({ attempts: 3, state: 'pending' });
    await db.dataSource.query(
      `UPDATE event_outbox SET first_failed_at = now() - interval '61 minutes' WHERE consumer = 'test-window'`,
    );
    expect(await failUntil(late, 4)).toEqual({ attempts: 4, state: 'dead' });

    // A staff retry starts a fresh window.
    expect(await outbox.retryDead({ consumer: 'test-window' })).toBe(1);
    expect(await failUntil(late, 4)).toEqual({ attempts: 4, state: 'pending' });
    failure = undefined;
    await drainUntilGone(late);
    expect(await row(late)).toBeUndefined();
  });

  it('buries an event the channel refuses for good at its first failure', async () => {
    failure = new ConnectorError(ConnectorErrorCode.InvalidPayload, 'the channel refused the request');
    const id = await append();
    expect(await failUntil(id, 1)).toEqual({ attempts: 1, state: 'dead' });
    expect(await outbox.dead(10)).toEqual([
      expect.objectContaining({ consumer: 'test-window', eventId: id, attempts: 1 }),
    ]);
    failure = undefined;
    await outbox.retryDead({ consumer: 'test-window' });
  });
});

/**
 * Issue 18: a consumer's batch is leased in a short transaction, its hooks run outside it, and one statement
 * settles it. While a hook runs its rows are locked by no transaction, another worker takes other appeals' rows of
 * the same consumer (never a leased row nor a later event of a leased appeal), a lease is renewed for as long as
 * the hook runs, and the rows of a worker that died after its claim are taken over once its lease has run out —
 * its late outcome then changes nothing. A replay of a running row runs it again after its batch.
 */
describe('history outbox, leased batches (integration)', () => {
  /** 1.5 s leases, renewed every 0.5 s. */
  const LEASE_MS = 1500;
  const GIVE_UP = { attempts: 3, afterMs: 0 };
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  let outbox: AppealEventsOutbox;
  /** Two workers' runners over one database: the context's, and a second one as another worker process has. */
  let first: AppealEventHooks;
  let second: AppealEventHooks;
  const appeals: string[] = [];
  /** Each call of either worker's hook: the worker and the events' `n`. */
  const calls: { worker: string; ns: number[] }[] = [];
  /** A call holding one of these `n` waits until the gate opens. */
  const gates = new Map<number, Promise<void>>();

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(OutboxTestModule, 'outbox-lease', {
      ...OUTBOX_ENV,
      EVENT_HOOK_LEASE_MS: String(LEASE_MS),
    }));
    outbox = ctx.get(AppealEventsOutbox);
    first = ctx.get(AppealEventHooks);
    second = new AppealEventHooks(outbox, ctx.get(Transactions), ctx.get(AppConfig));
    for (const [worker, hooks] of [
      ['first', first],
      ['second', second],
    ] as const) {
      hooks.onBatch('test-lease', '*', ['test-lease'], async (events) => {
        const ns = events.map((e) => Number(e.data.n));
        calls.push({ worker, ns });
        await Promise.all(ns.map((n) => gates.get(n)));
      });
    }
    await first.onApplicationBootstrap();
    for (let i = 0; i < 3; i++) appeals.push(await registerAppeal(ctx));
  });

  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  beforeEach(() => {
    calls.length = 0;
    gates.clear();
  });

  const gate = (n: number): (() => void) => {
    let open!: () => void;
    gates.set(
      n,
      new Promise<void>((r) => {
        open = r;
      }),
    );
    return open;
  };

  const append = (events: [number, number][]) => appendNumbered(db, 'test-lease', appeals, events);

  const left = async (): Promise<number> => {
    const [{ n }] = (await db.dataSource.query(
      `SELECT count(*)::int AS n FROM event_outbox WHERE consumer = 'test-lease'`,
    )) as { n: number }[];
    return n;
  };

  const handled = () => calls.flatMap((c) => c.ns).sort((a, b) => a - b);

  it('runs a batch’s hook outside any transaction, while another worker takes other appeals’ rows', async () => {
    const open = gate(1);
    await append([
      [0, 1],
      [0, 2],
      [1, 3],
    ]);
    const running = first.drain();
    await eventually(async () => (calls.length > 0 ? true : undefined), 10_000);
    expect(calls).toEqual([{ worker: 'first', ns: [1, 3] }]);

    // While the hook waits, no transaction holds the batch's rows: another session locks them at once
    // (before leases, the claim's transaction held them FOR UPDATE until the hook was done).
    const probe = new Client({ connectionString: db.url });
    await probe.connect();
    try {
      await probe.query('BEGIN');
      const locked = await probe.query(
        `SELECT event_id FROM event_outbox WHERE consumer = 'test-lease' FOR UPDATE NOWAIT`,
      );
      expect(locked.rowCount).toBe(3);
      await probe.query('ROLLBACK');
    } finally {
      await probe.end();
    }

    // New events: the second worker takes appeal 2's, not appeal 0's (its events 1 and 2 are leased).
    await append([
      [2, 4],
      [0, 5],
    ]);
    expect(await second.drain()).toBe(1);
    expect(calls).toEqual([
      { worker: 'first', ns: [1, 3] },
      { worker: 'second', ns: [4] },
    ]);

    open();
    expect(await running).toBe(3);
    await eventually(async () => {
      await first.drain();
      return (await left()) === 0 ? true : undefined;
    }, 10_000);
    // Each event once, appeal 0's in order.
    expect(handled()).toEqual([1, 2, 3, 4, 5]);
    const appeal0 = calls.flatMap((c) => c.ns).filter((n) => [1, 2, 5].includes(n));
    expect(appeal0).toEqual([1, 2, 5]);
  });

  it('renews the lease while a hook runs longer than it, so no other worker runs the row meanwhile', async () => {
    const open = gate(11);
    await append([[0, 11]]);
    const running = first.drain();
    await eventually(async () => (calls.length > 0 ? true : undefined), 10_000);
    // Twice the lease's length, the second worker looking all along.
    const until = Date.now() + 2 * LEASE_MS;
    while (Date.now() < until) {
      expect(await second.drain()).toBe(0);
      await new Promise((r) => setTimeout(r, 200));
    }
    open();
    expect(await running).toBe(1);
    expect(calls).toEqual([{ worker: 'first', ns: [11] }]);
    expect(await left()).toBe(0);
  });

  it('takes over the rows of a worker that died after its claim once the lease has run out; the dead one’s late outcome changes nothing', async () => {
    const ids = await append([
      [1, 21],
      [2, 22],
    ]);
    // A worker claims, commits, and is never heard of again.
    const lost = '00000000-0000-4000-8000-000000000001';
    const claimed = await ctx.get(Transactions).run(async (tx) => {
      expect(await outbox.takeTurn(tx, 'test-lease')).toBe(true);
      return outbox.claim(tx, 'test-lease', 200, lost, LEASE_MS);
    });
    expect(claimed.map((e) => e.id)).toEqual([ids.get(21), ids.get(22)]);

    // Within the lease nobody runs them.
    expect(await first.drain()).toBe(0);
    expect(await second.drain()).toBe(0);
    expect(calls).toEqual([]);

    // After it, a worker takes them over (here claimed as the runner would, so its lease can be watched)...
    await new Promise((r) => setTimeout(r, LEASE_MS + 200));
    const taker = '00000000-0000-4000-8000-000000000002';
    const retaken = await ctx.get(Transactions).run(async (tx) => {
      expect(await outbox.takeTurn(tx, 'test-lease')).toBe(true);
      return outbox.claim(tx, 'test-lease', 200, taker, LEASE_MS);
    });
    expect(retaken.map((e) => e.id)).toEqual([ids.get(21), ids.get(22)]);
    // ...and the dead worker's outcome, arriving late, neither deletes nor backs off the taker's rows.
    await outbox.settle(
      'test-lease',
      lost,
      {
        done: [ids.get(21)!],
        failed: [{ eventId: ids.get(22)!, reason: 'late', retryInMs: 50 }],
        untried: [],
      },
      GIVE_UP,
    );
    const rows = (await db.dataSource.query(
      `SELECT event_id::text, attempts, lease::text FROM event_outbox WHERE consumer = 'test-lease' ORDER BY event_id`,
    )) as { event_id: string; attempts: number; lease: string }[];
    expect(rows).toEqual([
      { event_id: ids.get(21), attempts: 0, lease: taker },
      { event_id: ids.get(22), attempts: 0, lease: taker },
    ]);
    // The taker's batch was not tried either (it "dies" too): after its lease the runner handles both, once.
    await outbox.settle(
      'test-lease',
      taker,
      { done: [], failed: [], untried: [ids.get(21)!, ids.get(22)!] },
      GIVE_UP,
    );
    expect(await first.drain()).toBe(2);
    expect(calls).toEqual([{ worker: 'first', ns: [21, 22] }]);
    expect(await left()).toBe(0);
  });

  it('runs an event replayed while its batch runs again after that batch, never beside it', async () => {
    const open = gate(31);
    await append([[1, 31]]);
    const running = first.drain();
    await eventually(async () => (calls.length > 0 ? true : undefined), 10_000);
    // An administrator's replay of the whole history, while event 31's hook is still running.
    expect(await outbox.replay(['test-lease'])).toBeGreaterThanOrEqual(1);
    await eventually(async () => {
      await second.drain();
      return (await left()) === 1 ? true : undefined;
    }, 10_000);
    // The second worker replayed every other event, not 31, which is still the first one's.
    expect(calls.filter((c) => c.worker === 'second').flatMap((c) => c.ns)).not.toContain(31);
    open();
    await running;
    // Due as soon as its batch has settled, not when the batch's lease would have run out.
    expect(await second.drain()).toBe(1);
    expect(await left()).toBe(0);
    // 31 once in its batch, once more for the replay, after it.
    expect(calls.filter((c) => c.ns.includes(31)).map((c) => c.worker)).toEqual(['first', 'second']);
  });
});
