import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ClockWatcher, ClocksModule } from '@inbox/clocks';
import { Role } from '@inbox/access';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule, Transactions } from '@inbox/database';
import { InboundStore } from '@inbox/intake';
import { Reports, ReportsModule } from '@inbox/reports';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { insertBareAppeal } from '../factories/appeals';
import { idOf } from '../factories/directory';
import { inboundItem } from '../factories/inbound-items';
import { TEST_REDIS_URL } from '../support/services';
import { createTestContext, type TestContext } from '../support/test-context';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { eventually } from '../support/test-stack';

/**
 * A TCP hop between the worker and Postgres that can go silent: `freeze()` swallows every byte, both ways, on the
 * connections open at that moment, and keeps them open (no FIN, no RST), as a frozen server, a dropped route or a
 * stuck proxy does. Connections opened later pass. `closedWhileFrozen` counts frozen connections the client gave up.
 */
class SilentHop {
  private readonly server: Server;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  closedWhileFrozen: number[] = [];
  private frozenAt = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      const pair = { client, upstream, frozen: false };
      this.pairs.add(pair);
      client.on('data', (d) => pair.frozen || upstream.write(d));
      upstream.on('data', (d) => pair.frozen || client.write(d));
      const end = (by: 'client' | 'server') => {
        if (!this.pairs.delete(pair)) return;
        if (pair.frozen && by === 'client') this.closedWhileFrozen.push(Date.now() - this.frozenAt);
        client.destroy();
        upstream.destroy();
      };
      client.on('close', () => end('client'));
      client.on('error', () => end('client'));
      upstream.on('close', () => end('server'));
      upstream.on('error', () => end('server'));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  /** Goes silent on every connection open now; returns how many. */
  freeze(): number {
    this.frozenAt = Date.now();
    for (const pair of this.pairs) pair.frozen = true;
    return this.pairs.size;
  }

  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * A worker whose database connection stops answering in the middle of a job's statement. Nothing ends such a
 * connection (TCP keepalive is answered by the kernel of a frozen server, and a proxy answers it anyway), so the
 * statement waited forever and the job with it: its Bull lock renewed by a live worker, never stalled, never
 * retried. The pools give up on a statement after PG_QUERY_TIMEOUT_MS now, close the connection, and the job runs
 * again on a fresh one.
 */
describe('a database connection that stops answering mid-statement (integration)', () => {
  const QUERY_TIMEOUT_MS = 3000;
  let db: TestDatabase;
  let hop: SilentHop;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    const direct = new URL(db.url);
    hop = new SilentHop({ host: direct.hostname, port: Number(direct.port || 5432) });
    const viaHop = new URL(db.url);
    viaHop.hostname = '127.0.0.1';
    viaHop.port = String(await hop.listen());
    Object.assign(process.env, {
      DATABASE_URL: viaHop.toString(),
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: `half-open-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'error',
      // The server's own bound past the client's: the registration's statement waits behind the lock until the
      // client gives it up, never cut by the server first (then it would be retried on a connection not yet frozen).
      PG_STATEMENT_TIMEOUT_MS: '60000',
      PG_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
    });
    worker = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error'] });
  });

  afterAll(async () => {
    // The hop first: a worker closing with frozen connections waits for them to end.
    await hop?.close();
    await worker?.close();
    await db?.drop();
  });

  it('gives the connection up within the query timeout and registers the item on a retry', async () => {
    // Writes to appeals wait behind a lock of our own, so that the registration's statement is in flight.
    const lock = db.dataSource.createQueryRunner();
    await lock.startTransaction();
    await lock.query(`LOCK TABLE appeals IN SHARE ROW EXCLUSIVE MODE`);
    const item = inboundItem({ externalId: `half-open-${randomBytes(3).toString('hex')}` });
    const [stored] = await worker!.get(InboundStore).store([item]);
    try {
      await eventually(
        async () => {
          const waiting = (await db.dataSource.query(
            // pg_stat_activity keeps a statement's first 1 024 bytes: the registration's input columns, not its
            // INSERT INTO appeals further on (matching that caught other work on appeals instead, now and then).
            `SELECT 1 FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%inbound_item_id uuid%'`,
          )) as unknown[];
          return waiting.length > 0 ? true : undefined;
          // The statement waits behind the lock until the client's 3 s bound: poll often to freeze well before.
        },
        60_000,
        25,
      );
      // The server's answers go nowhere from now on, on every connection the worker holds.
      expect(hop.freeze()).toBeGreaterThan(0);
    } finally {
      await lock.commitTransaction();
      await lock.release();
    }

    // The item is processed once the worker has seen a registration through, which it cannot on the frozen
    // connection: without the query timeout this waits forever. (The server may have finished the frozen
    // statement once the lock went: the appeal row alone does not show the worker moved on.)
    await eventually(async () => {
      const [{ status }] = (await db.dataSource.query(`SELECT status FROM inbound_items WHERE id = $1`, [
        stored.inboundItemId,
      ])) as { status: string }[];
      return status === 'processed' || undefined;
    }, 60_000);
    const appeals = (await db.dataSource.query(`SELECT id FROM appeals WHERE inbound_item_id = $1`, [
      stored.inboundItemId,
    ])) as { id: string }[];
    expect(appeals).toHaveLength(1);
    // The silent connection was given up by the worker: nothing else ends one, so without the query timeout the
    // item above is never processed (no bound on the time here: that is the machine's, not the behaviour's).
    expect(hop.closedWhileFrozen.length).toBeGreaterThan(0);
  });
});

/**
 * Takes a lock on a connection of its own and holds it `ms`, or until `release()`; `released` settles once it is
 * let go, and `held()` says whether it still is.
 */
async function holdLock(
  ds: DataSource,
  lockSql: string,
  ms: number,
): Promise<{ released: Promise<void>; held(): boolean; release(): Promise<void> }> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  await runner.query(lockSql);
  let held = true;
  let letGo: () => void = () => undefined;
  const timer = setTimeout(() => letGo(), ms);
  const released = new Promise<void>((resolve) => (letGo = resolve)).then(async () => {
    clearTimeout(timer);
    held = false;
    await runner.commitTransaction();
    await runner.release();
  });
  return {
    released,
    held: () => held,
    release: () => {
      letGo();
      return released;
    },
  };
}

@Module({ imports: [ConfigModule, DatabaseModule.forRoot(), ReportsModule, ClocksModule] })
class DatabaseOnly {}

/** The same bounds do not cut long work that is legitimate: Transactions.runLong has the long ones. */
describe('long work under the pool timeouts (integration)', () => {
  let context: TestContext | undefined;

  beforeAll(async () => {
    context = await createTestContext(DatabaseOnly, 'long-work', {
      PG_STATEMENT_TIMEOUT_MS: '500',
      PG_QUERY_TIMEOUT_MS: '1000',
      PG_LONG_STATEMENT_TIMEOUT_MS: '60000',
    });
  });

  afterAll(async () => {
    await context?.ctx.close();
    await context?.db.drop();
  });

  it('cancels a long statement on the pool, and lets it run in runLong', async () => {
    const transactions = context!.ctx.get(Transactions);
    // Past the server's 500 ms: cancelled by Postgres itself (57014), the connection still usable.
    await expect(transactions.run((tx) => tx.query(`SELECT pg_sleep(0.8)`))).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '57014' }),
    });
    // 1.5 s, past both bounds of the pool, within the long ones.
    const [row] = (await transactions.runLong((tx) => tx.query(`SELECT pg_sleep(1.5), 1 AS done`))) as {
      done: number;
    }[];
    expect(row.done).toBe(1);
    // And the pool's bounds hold again afterwards, on the same connections.
    await expect(transactions.run((tx) => tx.query(`SELECT pg_sleep(0.8)`))).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '57014' }),
    });
    expect(await context!.ctx.get(DataSource).query(`SELECT 1 AS ok`)).toEqual([{ ok: 1 }]);
  });

  // The fold of the count deltas is long work: after an import of millions of appeals its one statement runs
  // for minutes, and cut at the pool's bound it rolled back, leaving a bigger fold for the next turn. A reader's
  // lock on the counts it updates stands in for the volume, holding its statement past the pool's 500 ms.
  it('completes a fold that takes longer than the pool allows a statement', async () => {
    const ds = context!.ctx.get(DataSource);
    const reports = context!.ctx.get(Reports);
    // The test's own connection: no statement bound.
    const admin = context!.db.dataSource;
    await insertBareAppeal(admin, 'fold-long-1', '2026-900101');
    expect(await reports.foldCounts()).toBeGreaterThan(0);
    await admin.query(`UPDATE appeals SET status = 'in_work' WHERE external_id = 'fold-long-1'`);

    // A plain statement on the pool is cut at 500 ms (the server's cancel, 57014).
    await expect(ds.query(`SELECT pg_sleep(0.8)`)).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '57014' }),
    });

    // The counts the fold must update are held for 1.5 s: its statement waits that long.
    const { released } = await holdLock(admin, `SELECT 1 FROM appeal_daily_counts FOR UPDATE`, 1500);
    const started = Date.now();
    const folded = await reports.foldCounts();
    const tookMs = Date.now() - started;
    await released;

    expect(tookMs).toBeGreaterThan(1000);
    expect(folded).toBeGreaterThan(0);
    const counts = (await admin.query(
      `SELECT status, count FROM appeal_daily_counts WHERE count <> 0 ORDER BY status`,
    )) as { status: string; count: number }[];
    expect(counts).toEqual([{ status: 'in_work', count: 1 }]);
    const [{ pending }] = (await admin.query(`SELECT count(*)::int AS pending FROM appeal_count_deltas`)) as {
      pending: number;
    }[];
    expect(pending).toBe(0);
  });

  // The clock sweep too: one statement over every open clock (a full sweep) or every appeal queued since the
  // last (after an import). Here its writes to the marks wait 1.5 s behind a lock, past the pool's 500 ms.
  it('completes a clock sweep that takes longer than the pool allows a statement', async () => {
    const admin = context!.db.dataSource;
    const watcher = context!.ctx.get(ClockWatcher);
    await insertBareAppeal(admin, 'sweep-long-1', '2026-900102');
    await admin.query(
      `UPDATE appeals SET answer_due_at = now() - interval '1 hour' WHERE external_id = 'sweep-long-1'`,
    );
    const { released } = await holdLock(admin, `LOCK TABLE clock_marks IN EXCLUSIVE MODE`, 1500);
    const started = Date.now();
    const swept = await watcher.sweep();
    const tookMs = Date.now() - started;
    await released;

    expect(tookMs).toBeGreaterThan(1000);
    expect(swept.byClock['answer/overdue']).toBeGreaterThanOrEqual(1);
  });
  // A dashboard view folds what is pending too, but a supervisor must not wait on an import's fold (minutes, now
  // that it is long work): the view waits 2 s at most, the fold goes on behind it, and the view's readers add the
  // deltas not folded yet. Here the fold's statement is held behind a lock on the counts until the view is back.
  it('shows the dashboard without waiting on a long fold, which finishes behind it', async () => {
    const admin = context!.db.dataSource;
    const reports = context!.ctx.get(Reports);
    await reports.foldCounts();
    const region = await idOf(admin, 'organisations', 'region');
    const viewer = {
      organisationId: region,
      scope: { userId: 'x', role: Role.Supervisor, organisationId: region, organisationIds: null },
    };
    const before = (await reports.dashboard(viewer)).totals.open;
    await insertBareAppeal(admin, 'fold-view-1', '2026-900103');

    // Writers wait, readers do not (EXCLUSIVE lets a plain SELECT through).
    // Let go after 60 s at the latest: a view that waited on the fold is back only then, with the lock gone.
    const lock = await holdLock(admin, `LOCK TABLE appeal_daily_counts IN EXCLUSIVE MODE`, 60_000);
    const dashboard = await reports.dashboard(viewer);
    expect(lock.held()).toBe(true);
    expect(dashboard.totals.open).toBe(before + 1);
    await lock.release();
    await eventually(async () => {
      const [{ pending }] = (await admin.query(
        `SELECT count(*)::int AS pending FROM appeal_count_deltas`,
      )) as {
        pending: number;
      }[];
      return pending === 0 || undefined;
    });
  });
});
