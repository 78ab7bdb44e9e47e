import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Bull from 'bull';
import { Client } from 'pg';
import { ClassificationModule, ModelRegistry, Retrainer } from '@inbox/classification';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { demoInboundItems } from '@inbox/demo';
import { InboundStore, IntakeModule, NORMALISE_BATCH } from '@inbox/intake';
import { type InboundItem } from '@inbox/integrations/contract';
import { QueueModule } from '@inbox/queue';
import { createBenchDatabase } from './bench-database';
import { startChannelFakes } from './channel-fakes';
import { type CpuBudget, CpuSampler, printCpuBudget } from './cpu-budget';
import { channelMix, type MixShares } from './mix';
import { flag, printGrid, printTable, type TargetRow } from './report';
import { heldOffNote, workerPollEnv } from './registration-only';
import { printWorkerSizing } from './sizing';
import { printWaitEvents, type WaitEvents, WaitSampler } from './wait-events';
import { printWriteCounts, type WriteCounts, WriteCounter } from './write-counts';

@Module({ imports: [ConfigModule, DatabaseModule.forRoot(), QueueModule.forRoot(), IntakeModule] })
class ProducerModule {}

/** Off the clock: the bootstrap model trained in the bench's own process, as a region has one already. */
@Module({ imports: [ConfigModule, DatabaseModule.forRoot(), QueueModule.forRoot(), ClassificationModule] })
class TrainerModule {}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONCURRENCY = process.env.WORKER_CONCURRENCY ?? '16';
/** Issue 18's targets. */
export const TARGETS = {
  registrationRatio: 0.5,
  routedPerSecond: 2000,
  pacedP99Ms: 2000,
};

interface Latency {
  p50ms: number;
  p99ms: number;
}

interface ProductRun {
  items: number;
  appeals: number;
  followUps: number;
  quarantined: number;
  seconds: number;
  registeredPerSecond: number;
  routedPerSecond: number;
  /** Grouped into incidents (or found to be in none) by the grouping pass, after routing. */
  groupedPerSecond: number;
  toRegistered: Latency;
  toRouted: Latency;
  toGrouped: Latency;
  autoClassifiedShare: number;
  /** The notices the run's appeals got (messenger registration notices, МЭДО receipts), by delivery status. */
  notices: Record<string, number>;
  /** The failed ones by channel, kind and last error (its first 160 characters): whose they are and why. */
  failedNotices: { channel: string; kind: string; error: string; n: number }[];
  /** The burst's CPU per group of processes (Linux /proc), when sampled. */
  cpu?: CpuBudget;
  /** The product's Postgres sessions during the burst, by state and wait event (pg_stat_activity), when sampled. */
  waits?: WaitEvents;
  /** What the burst made Postgres write (rows per table; statements and WAL where counted), when counted. */
  writes?: WriteCounts;
}

async function waitFor(
  client: Client,
  sql: string,
  params: unknown[],
  done: (row: Record<string, unknown>) => boolean,
  workers: ChildProcess[],
  timeoutMs: number,
): Promise<void> {
  let lastLog = Date.now();
  const started = Date.now();
  for (;;) {
    const dead = workers.find((w) => w.exitCode !== null);
    if (dead) throw new Error(`worker exited with code ${dead.exitCode}`);
    const row = (await client.query(sql, params)).rows[0] as Record<string, unknown>;
    if (done(row)) return;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting: ${JSON.stringify(row)}`);
    if (Date.now() - lastLog > 10_000) {
      process.stderr.write(`  … ${JSON.stringify(row)}\n`);
      lastLog = Date.now();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function spawnNode(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  // BENCH_WORKER_NODE_ARGS (e.g. "--cpu-prof") profiles the worker without touching its code.
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  if (nodeArgs.includes('--cpu-prof')) nodeArgs.push('--require', join(__dirname, 'profile-exit.js'));
  return spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** How long a stopped worker has to exit (BENCH_STOP_GRACE_MS): a `--cpu-prof` profile takes seconds to write. */
const STOP_GRACE_MS = Number(process.env.BENCH_STOP_GRACE_MS ?? 15_000);

async function stop(children: ChildProcess[]): Promise<void> {
  // SIGTERM lets a worker shut down cleanly (and write a CPU profile when asked for one); killed after the grace.
  const exited = children.map((c) =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => c.once('exit', () => r())),
  );
  for (const c of children) c.kill('SIGTERM');
  await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, STOP_GRACE_MS))]);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

const rate = (n: number, seconds: number) => Math.round((n / seconds) * 10) / 10;

/**
 * The fair bound: bare Bull, jobs of NORMALISE_BATCH appeal-shaped rows, one multi-row INSERT each, into a
 * copy of the appeals table (same columns, checks and indexes), same concurrency as the worker.
 */
async function runFairBound(
  n: number,
): Promise<{ items: number; seconds: number; perSecond: number } & Latency> {
  const db = await createBenchDatabase('inbox_bench_fair');
  const client = new Client({ connectionString: db.url });
  await client.connect();
  await client.query(
    `CREATE TABLE bench_fair (LIKE appeals INCLUDING ALL, enqueued_at timestamptz NOT NULL)`,
  );
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    REDIS_URL,
    QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    WORKER_CONCURRENCY: CONCURRENCY,
  };
  const queue = new Bull('fair-bound', REDIS_URL, { prefix: env.QUEUE_PREFIX });
  const worker = spawnNode(join(__dirname, 'fair-bound-worker.js'), env);
  const { items } = channelMix(n);
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const started = Date.now();
    // The producer side as the pipeline's: chunks of 500 items, each sent as jobs of NORMALISE_BATCH.
    for (let i = 0; i < n; i += 500) {
      const at = new Date().toISOString();
      const chunk = items.slice(i, i + 500).map((it, k) => ({
        n: i + k,
        received_at: it.receivedAt,
        regime: it.regime ?? 'appeal',
        channel: it.channel,
        external_id: it.externalId,
        subject: it.subject ?? null,
        text: it.text,
        address: it.address ?? null,
        territory_code: it.territoryCode ?? null,
      }));
      const jobs = [];
      for (let j = 0; j < chunk.length; j += NORMALISE_BATCH) {
        jobs.push({
          name: 'insert-batch',
          data: { items: chunk.slice(j, j + NORMALISE_BATCH), at },
          opts: { removeOnComplete: 1000, jobId: `f-${i + j}` },
        });
      }
      await queue.addBulk(jobs);
    }
    await waitFor(
      client,
      `SELECT count(*)::int AS n FROM bench_fair`,
      [],
      (r) => Number(r.n) >= n,
      [worker],
      30 * 60_000,
    );
    const seconds = (Date.now() - started) / 1000;
    const lat = await percentiles(client, `SELECT created_at - enqueued_at AS d FROM bench_fair`);
    return { items: n, seconds: Math.round(seconds * 100) / 100, perSecond: rate(n, seconds), ...lat };
  } finally {
    await stop([worker]);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await client.end();
    await db.drop();
  }
}

async function percentiles(client: Client, durations: string, params: unknown[] = []): Promise<Latency> {
  const { rows } = await client.query(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
       FROM (SELECT extract(epoch FROM d) * 1000 AS ms FROM (${durations}) s) x`,
    params,
  );
  return { p50ms: Math.round(Number(rows[0].p50 ?? NaN)), p99ms: Math.round(Number(rows[0].p99 ?? NaN)) };
}

/**
 * One run's items, found through the unique (channel, external_id) index: between the least and the greatest
 * of their ids in the server's own collation, over the run's channels, and then by prefix. A `LIKE` prefix
 * alone cannot use that index under most collations, and on a kept database of millions (`--onto`) a poll
 * every 100 ms would scan them all.
 */
const RUN_ITEMS =
  'i.channel = ANY ($3::text[]) AND i.external_id BETWEEN $1 AND $2 AND i.external_id LIKE $4';

async function runItems(
  client: Client,
  prefix: string,
  items: InboundItem[],
): Promise<[string, string, string[], string]> {
  const { rows } = await client.query(`SELECT min(x) AS lo, max(x) AS hi FROM unnest($1::text[]) x`, [
    items.map((i) => i.externalId),
  ]);
  const { lo, hi } = rows[0] as { lo: string; hi: string };
  return [lo, hi, [...new Set(items.map((i) => i.channel))], `${prefix}%`];
}

/** Stores items as the connectors do (chunks of up to 500), at `perSecond` when given, else at once. */
async function feed(store: InboundStore, items: InboundItem[], perSecond?: number): Promise<void> {
  if (!perSecond) {
    for (let i = 0; i < items.length; i += 500) await store.store(items.slice(i, i + 500));
    return;
  }
  const tickMs = 100;
  const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
  const started = Date.now();
  for (let i = 0, tick = 0; i < items.length; i += perTick, tick++) {
    const wait = started + tick * tickMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await store.store(items.slice(i, i + perTick));
  }
}

/** One phase of the product: feed the items, wait until every one is registered and every appeal routed. */
async function measure(
  client: Client,
  store: InboundStore,
  workers: ChildProcess[],
  items: InboundItem[],
  perSecond?: number,
  registrationOnly = false,
  cpuOf?: { databaseUrl: string },
): Promise<ProductRun> {
  const run = await runItems(client, items[0].externalId.replace(/-\d+$/, '-'), items);
  const pollingPid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  const sampler =
    cpuOf &&
    (await CpuSampler.start({
      databaseUrl: cpuOf.databaseUrl,
      workerPids: workers.map((w) => w.pid).filter((pid): pid is number => pid !== undefined),
      pollingPid,
    }));
  const waitSampler = cpuOf && (await WaitSampler.start(cpuOf.databaseUrl, [pollingPid]));
  const writeCounter = cpuOf && (await WriteCounter.start(cpuOf.databaseUrl));
  const started = Date.now();
  await feed(store, items, perSecond);
  // Every item is stored once feed() returns. The poll asks, cheapest first and each by a partial index, whether
  // any work is left (items pending, appeals unclassified, grouping keys unclustered, notices queued); only
  // when none is does it run the full count over the run's items, which decides as the bench always did.
  const left = [
    `EXISTS (SELECT 1 FROM inbound_items WHERE status = 'pending')`,
    ...(registrationOnly
      ? []
      : [
          `EXISTS (SELECT 1 FROM appeals WHERE classification_state = 'pending' AND classified_at IS NULL)`,
          `EXISTS (SELECT 1 FROM appeal_cluster_keys WHERE clustered_at IS NULL)`,
          `EXISTS (SELECT 1 FROM outbound_messages WHERE status = 'queued' AND delivery_state IS DISTINCT FROM 'awaiting-handover')`,
        ]),
  ];
  await waitFor(
    client,
    `SELECT ${left.map((q, k) => `${q} AS w${k}`).join(', ')}`,
    [],
    (r) => Object.values(r).every((v) => v === false),
    workers,
    60 * 60_000,
  );
  await waitFor(
    client,
    `SELECT count(*) FILTER (WHERE i.status = 'pending')::int AS pending,
            count(*)::int AS stored,
            count(a.id) FILTER (WHERE a.classified_at IS NULL)::int AS unrouted,
            count(a.id) FILTER (WHERE k.clustered_at IS NULL)::int AS ungrouped
       FROM inbound_items i LEFT JOIN appeals a ON a.id = i.appeal_id AND a.inbound_item_id = i.id
       LEFT JOIN appeal_cluster_keys k ON k.appeal_id = a.id
      WHERE ${RUN_ITEMS}`,
    run,
    (r) =>
      Number(r.stored) >= items.length &&
      Number(r.pending) === 0 &&
      (registrationOnly || (Number(r.unrouted) === 0 && Number(r.ungrouped) === 0)),
    workers,
    60 * 60_000,
  );
  // Stopped before the figures below are read: their statements are not the burst's.
  const cpuOfAppeals = sampler && (await sampler.stop());
  const waits = waitSampler && (await waitSampler.stop());
  const writes = writeCounter && (await writeCounter.stop());
  const { rows } = await client.query(
    `SELECT count(a.id)::int AS appeals,
            count(*) FILTER (WHERE i.status = 'processed' AND a.id IS NULL)::int AS follow_ups,
            count(*) FILTER (WHERE i.status <> 'processed')::int AS quarantined,
            count(a.id) FILTER (WHERE a.classification_state = 'auto')::int AS auto,
            extract(epoch FROM max(i.processed_at) - min(i.created_at)) AS reg_s,
            extract(epoch FROM max(a.classified_at) - min(i.created_at)) AS routed_s,
            extract(epoch FROM max(k.clustered_at) - min(i.created_at)) AS grouped_s
       FROM inbound_items i LEFT JOIN appeals a ON a.id = i.appeal_id AND a.inbound_item_id = i.id
       LEFT JOIN appeal_cluster_keys k ON k.appeal_id = a.id
      WHERE ${RUN_ITEMS}`,
    run,
  );
  const r = rows[0] as Record<string, string | number>;
  const seconds = (Date.now() - started) / 1000;
  const appeals = Number(r.appeals);
  const cpu = cpuOfAppeals?.(appeals);
  return {
    items: items.length,
    appeals,
    followUps: Number(r.follow_ups),
    quarantined: Number(r.quarantined),
    seconds: Math.round(seconds * 100) / 100,
    registeredPerSecond: rate(items.length, Number(r.reg_s)),
    routedPerSecond: rate(appeals, Number(r.routed_s)),
    groupedPerSecond: rate(appeals, Number(r.grouped_s)),
    toRegistered: await percentiles(
      client,
      `SELECT i.processed_at - i.created_at AS d FROM inbound_items i WHERE ${RUN_ITEMS}`,
      run,
    ),
    toRouted: await percentiles(
      client,
      `SELECT a.classified_at - i.created_at AS d FROM inbound_items i JOIN appeals a ON a.id = i.appeal_id AND a.inbound_item_id = i.id
        WHERE ${RUN_ITEMS}`,
      run,
    ),
    toGrouped: await percentiles(
      client,
      `SELECT k.clustered_at - i.created_at AS d FROM inbound_items i JOIN appeals a ON a.id = i.appeal_id AND a.inbound_item_id = i.id
         JOIN appeal_cluster_keys k ON k.appeal_id = a.id
        WHERE ${RUN_ITEMS}`,
      run,
    ),
    autoClassifiedShare: Math.round((Number(r.auto) / Math.max(appeals, 1)) * 1000) / 1000,
    notices: Object.fromEntries(
      (
        await client.query(
          `SELECT m.status, count(*)::int AS n FROM inbound_items i
             JOIN appeals a ON a.id = i.appeal_id AND a.inbound_item_id = i.id
             JOIN outbound_messages m ON m.appeal_id = a.id WHERE ${RUN_ITEMS} GROUP BY 1`,
          run,
        )
      ).rows.map((row: { status: string; n: number }) => [row.status, row.n]),
    ),
    failedNotices: (
      await client.query(
        `SELECT m.channel, m.kind, left(coalesce(m.last_error, ''), 160) AS error, count(*)::int AS n
           FROM inbound_items i JOIN appeals a ON a.id = i.appeal_id AND a.inbound_item_id = i.id
           JOIN outbound_messages m ON m.appeal_id = a.id
          WHERE ${RUN_ITEMS} AND m.status = 'failed' GROUP BY 1, 2, 3 ORDER BY 4 DESC`,
        run,
      )
    ).rows as { channel: string; kind: string; error: string; n: number }[],
    cpu,
    waits,
    writes,
  };
}

/**
 * Work done twice, counted from the database: any non-zero figure is a defect. Only history after `afterEventId`
 * counts: on a kept database (`--onto`) earlier runs' history is not this run's.
 */
async function doubleWork(client: Client, afterEventId: string): Promise<Record<string, number>> {
  const { rows } = await client.query(
    `WITH run_events AS (SELECT * FROM appeal_events WHERE id > $1::bigint)
     SELECT
       (SELECT count(*) FROM (SELECT appeal_id FROM run_events WHERE type = 'registered'
                               GROUP BY appeal_id HAVING count(*) > 1) x)::int AS "registered twice",
       (SELECT count(*) FROM (SELECT data->>'inboundItemId' FROM run_events WHERE type = 'follow-up-received'
                               GROUP BY 1 HAVING count(*) > 1) x)::int AS "follow-up recorded twice",
       (SELECT count(*) FROM (SELECT appeal_id FROM run_events
                               WHERE type IN ('auto-classified', 'classification-queued')
                               GROUP BY appeal_id HAVING count(*) > 1) x)::int AS "classified twice",
       (SELECT count(*) FROM (SELECT appeal_id FROM run_events WHERE type = 'fast-tracked'
                               GROUP BY appeal_id HAVING count(*) > 1) x)::int AS "fast-tracked twice",
       (SELECT count(*) FROM (SELECT appeal_id FROM run_events WHERE type = 'incident-linked'
                               GROUP BY appeal_id HAVING count(*) > 1) x)::int AS "incident-linked twice",
       (SELECT count(*) FROM (SELECT appeal_id, flag FROM appeal_flags GROUP BY 1, 2 HAVING count(*) > 1) x)::int
         AS "flag raised twice",
       (SELECT count(*) FROM (SELECT data->>'outboundMessageId' FROM run_events WHERE type = 'delivered'
                               GROUP BY 1 HAVING count(*) > 1) x)::int AS "delivered twice"`,
    [afterEventId],
  );
  return rows[0] as Record<string, number>;
}

/** The workers register labelled demo appeals, a first model is trained, and the workers load it. */
async function warmUp(
  client: Client,
  store: InboundStore,
  workers: ChildProcess[],
  onto: boolean,
): Promise<void> {
  // Ids of this run's own: a kept database (`--onto`) has an earlier run's warm-up, which would be duplicates.
  const run = randomBytes(4).toString('hex');
  const warm = demoInboundItems(300, new Date()).map((item) => ({
    ...item,
    externalId: `warm-${run}-${item.externalId}`,
    thread: item.thread && { key: `warm-${run}-${item.thread.key}` },
  }));
  await store.store(warm);
  process.stderr.write(`  warm-up: ${warm.length} demo appeals, then a first model…\n`);
  await waitFor(
    client,
    `SELECT count(a.classified_at)::int AS routed
       FROM inbound_items i JOIN appeals a ON a.id = i.appeal_id AND a.inbound_item_id = i.id WHERE ${RUN_ITEMS}`,
    await runItems(client, `warm-${run}-`, warm),
    (r) => Number(r.routed) >= warm.length,
    workers,
    20 * 60_000,
  );
  const trainer = await NestFactory.createApplicationContext(TrainerModule, { logger: ['error'] });
  try {
    const outcome = await trainer.get(Retrainer).retrain('bootstrap');
    // On a kept database an earlier run's model may stay the better one; the workers serve that.
    const served = outcome.outcome === 'promoted' || (onto && outcome.outcome === 'rejected');
    if (!served) throw new Error(`no model for the bench: ${JSON.stringify(outcome)}`);
  } finally {
    await trainer.close();
  }
  await new Promise((r) => setTimeout(r, ModelRegistry.CHECK_MS + 1000));
}

/**
 * The product: the realistic mix stored through the real intake store, `workers` real worker processes
 * registering, classifying and routing it. A first model is trained before the clock starts (the worker's
 * own bootstrap on 300 labelled demo appeals), as a region has one from its history.
 */
async function runProduct(
  n: number,
  workerCount: number,
  pacedItems: number,
  pacedRate: number,
  registrationOnly: boolean,
  channelEnv: Record<string, string>,
  onto?: string,
): Promise<{
  burst: ProductRun;
  paced?: ProductRun;
  shares: MixShares;
  twice: Record<string, number>;
  appealsBefore: number;
}> {
  const db = await createBenchDatabase(onto ?? 'inbox_bench_pipeline', { reuse: onto !== undefined });
  if (onto && !db.reused) {
    await db.drop();
    throw new Error(
      `--onto ${onto}: no such database; fill one first: npm run bench -- scale N --keep --db ${onto}`,
    );
  }
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    REDIS_URL,
    QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    WORKER_CONCURRENCY: CONCURRENCY,
    LOG_LEVEL: 'error',
    PENDING_SWEEP_MS: '600000',
    CLOCK_WATCH_MS: '600000',
    CLASSIFIER_RETRAIN_CRON: 'off',
    CLASSIFIER_BOOTSTRAP: 'true',
    // The region's channel accounts, at fakes of the services (none with --no-channel-accounts).
    ...channelEnv,
    // Registration alone: the history hooks and the classification poll wait out the run.
    ...workerPollEnv(registrationOnly),
  };
  Object.assign(process.env, env);
  const producer = await NestFactory.createApplicationContext(ProducerModule, { logger: ['error'] });
  const client = new Client({ connectionString: db.url });
  await client.connect();
  const store = producer.get(InboundStore);
  const workers: ChildProcess[] = [];
  try {
    // Warm-up, off the clock: the workers register labelled demo appeals (classified without a model), a
    // first model is trained from them, and the clock starts once the workers can have loaded it.
    for (let w = 0; w < workerCount; w++)
      workers.push(spawnNode(join(__dirname, '..', 'apps', 'worker', 'src', 'main.js'), env));
    // The workers are up once their history hooks are registered (events before that are the sweep's).
    await waitFor(
      client,
      `SELECT count(*)::int AS hooks FROM event_consumers WHERE name = 'classification-feedback'`,
      [],
      (r) => Number(r.hooks) > 0,
      workers,
      5 * 60_000,
    );
    if (!registrationOnly) await warmUp(client, store, workers, onto !== undefined);
    const before = (
      await client.query(
        `SELECT (SELECT count(*) FROM appeals)::int AS appeals, (SELECT coalesce(max(id), 0) FROM appeal_events)::text AS event`,
      )
    ).rows[0] as { appeals: number; event: string };
    if (onto) process.stderr.write(`  onto ${onto}: ${before.appeals} appeals already there\n`);
    const mix = channelMix(n);
    process.stderr.write(`  burst: ${n} items at once…\n`);
    const burst = await measure(client, store, workers, mix.items, undefined, registrationOnly, {
      databaseUrl: db.url,
    });
    let paced: ProductRun | undefined;
    if (pacedItems > 0 && !registrationOnly) {
      process.stderr.write(`  paced: ${pacedItems} items at ${pacedRate}/s…\n`);
      paced = await measure(client, store, workers, channelMix(pacedItems, 19).items, pacedRate);
    }
    return {
      burst,
      paced,
      shares: mix.shares,
      twice: await doubleWork(client, before.event),
      appealsBefore: before.appeals,
    };
  } finally {
    await stop(workers);
    await client.end();
    await producer.close();
    if (!onto) await db.drop();
  }
}

/**
 * `npm run bench -- ingest [N] [--workers 1,2,4] [--paced-items M] [--paced-rate R] [--registration-only] [--no-channel-accounts]`: the
 * fair bound once, then the product once per worker-process count, each on a fresh database (the same tables'
 * sizes for every count), so the scale-out table compares like with like. `--registration-only` stops once
 * every item is registered, with the classification and routing hooks held off meanwhile (no warm-up, no
 * model, no paced run): registration's own cost, for work on it. The workers have the region's channel accounts
 * (Telegram, VK, OK at fakes of their APIs in a process of their own, МЭДО at a temporary exchange folder, e-mail at a private Dovecot and an SMTP receiver), so
 * the notices the ingest owes go out and each run waits until none is queued; `--no-channel-accounts` leaves
 * them out (every notice then fails at once, as before 3 December 2026's evening).
 * `--onto DB` runs the product on a database kept by `scale N --keep --db DB` instead of a fresh one (left in
 * place, grown by the run): the cost an appeal with millions of appeals already stored, against the same run on
 * an empty database.
 */
export async function benchIngest(args: string[]): Promise<void> {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? process.env.BENCH_ITEMS ?? 20_000);
  const counts = (flag(args, '--workers') ?? '2')
    .split(',')
    .map(Number)
    .filter((k) => Number.isInteger(k) && k > 0);
  if (counts.length === 0) throw new Error('--workers: worker-process counts, e.g. 1,2,4');
  const pacedRate = Number(flag(args, '--paced-rate') ?? TARGETS.routedPerSecond / 2);
  const pacedItems = Number(flag(args, '--paced-items') ?? Math.min(n, 2000));
  const registrationOnly = args.includes('--registration-only');
  const withAccounts = !args.includes('--no-channel-accounts');
  const onto = flag(args, '--onto');
  const load = loadavg().map((l) => l.toFixed(1));
  process.stderr.write(
    `ingest: ${n} items, ${counts.join(', ')} worker processes × concurrency ${CONCURRENCY}, load average ${load.join(' ')}\n`,
  );
  process.stderr.write('fair bound (bare Bull, batches of the pipeline, one multi-row INSERT each)…\n');
  const fair = await runFairBound(n);
  const fakes = withAccounts ? await startChannelFakes() : undefined;
  process.stderr.write(
    fakes
      ? `channel accounts: Telegram, VK, OK at fakes of their APIs (pid ${fakes.pid}, not counted), МЭДО at a temporary exchange folder, e-mail at a private Dovecot + SMTP receiver\n`
      : 'channel accounts: none (--no-channel-accounts): every notice fails at once for want of one\n',
  );
  const runs: { workers: number; product: Awaited<ReturnType<typeof runProduct>>; load: string[] }[] = [];
  for (const workers of counts) {
    const before = loadavg().map((l) => l.toFixed(1));
    process.stderr.write(
      registrationOnly
        ? `product, ${workers} worker processes (realistic mix → registered; ${heldOffNote()})…\n`
        : `product, ${workers} worker processes (realistic mix → registered → classified and routed)…\n`,
    );
    try {
      runs.push({
        workers,
        product: await runProduct(
          n,
          workers,
          pacedItems,
          pacedRate,
          registrationOnly,
          fakes?.env ?? {},
          onto,
        ),
        load: before,
      });
    } catch (error) {
      await fakes?.stop();
      throw error;
    }
  }
  await fakes?.stop();
  const loadAfter = loadavg().map((l) => l.toFixed(1));
  const ratio = (perSecond: number) => Math.round((perSecond / fair.perSecond) * 100) / 100;
  const twiceOf = (twice: Record<string, number>) => Object.values(twice).reduce((s, k) => s + k, 0);
  console.log(
    JSON.stringify(
      {
        bench: 'ingest',
        ...(registrationOnly ? { registrationOnly: heldOffNote() } : {}),
        channelAccounts: withAccounts ? 'fakes' : 'none',
        ...(onto ? { onto } : {}),
        at: new Date().toISOString(),
        loadAverage: { before: load, after: loadAfter },
        concurrency: Number(CONCURRENCY),
        fair,
        mix: runs[0].product.shares,
        runs: runs.map(({ workers, product: { burst, paced, twice, appealsBefore }, load: before }) => ({
          workers,
          appealsBefore,
          loadAverageBefore: before,
          burst,
          paced: paced && { ...paced, rate: pacedRate },
          ratios: { registration: ratio(burst.registeredPerSecond), routed: ratio(burst.routedPerSecond) },
          processedTwice: twice,
        })),
      },
      null,
      2,
    ),
  );
  for (const { workers, product, load: before } of runs) {
    const { burst, paced, twice, appealsBefore } = product;
    const rows: TargetRow[] = [
      {
        figure: 'fair bound (bare Bull, 25-item jobs, one INSERT)',
        measured: `${fair.perSecond} items/s (p50 ${fair.p50ms} ms, p99 ${fair.p99ms} ms)`,
        target: '—',
      },
      {
        figure: 'registration, realistic mix',
        measured: `${burst.registeredPerSecond}/s = ${ratio(burst.registeredPerSecond)}× fair (p50 ${burst.toRegistered.p50ms} ms, p99 ${burst.toRegistered.p99ms} ms)`,
        target: `≥ ${TARGETS.registrationRatio}× fair`,
        met: ratio(burst.registeredPerSecond) >= TARGETS.registrationRatio,
      },
      ...(registrationOnly
        ? []
        : [
            {
              figure: `classified + routed, ${workers} workers`,
              measured: `${burst.routedPerSecond}/s = ${ratio(burst.routedPerSecond)}× fair (p50 ${burst.toRouted.p50ms} ms, p99 ${burst.toRouted.p99ms} ms); auto ${burst.autoClassifiedShare}`,
              target: `≥ ${TARGETS.routedPerSecond}/s`,
              met: burst.routedPerSecond >= TARGETS.routedPerSecond,
            },
            {
              figure: `grouped into incidents after routing, ${workers} workers`,
              measured: `${burst.groupedPerSecond}/s (p50 ${burst.toGrouped.p50ms} ms, p99 ${burst.toGrouped.p99ms} ms from arrival)`,
              target: 'keeps up',
            },
            {
              figure: `notices to the burst's appeals (registration, МЭДО receipts, e-mail)`,
              measured: JSON.stringify(burst.notices),
              target: withAccounts ? 'all sent' : '— (no accounts)',
              met: withAccounts ? Object.keys(burst.notices).every((k) => k === 'sent') : undefined,
            },
          ]),
      ...(paced
        ? [
            {
              figure: `arrival → routed p99 at ${pacedRate}/s offered`,
              measured: `${paced.toRouted.p99ms} ms (p50 ${paced.toRouted.p50ms} ms; kept up at ${paced.routedPerSecond}/s; grouped p99 ${paced.toGrouped.p99ms} ms)`,
              target: `< ${TARGETS.pacedP99Ms} ms`,
              met: paced.toRouted.p99ms < TARGETS.pacedP99Ms,
            },
          ]
        : []),
      {
        figure: `nothing processed twice (${workers} workers, from the database)`,
        measured: twiceOf(twice) === 0 ? '0' : JSON.stringify(twice),
        target: '0',
        met: twiceOf(twice) === 0,
      },
    ];
    const onTop = onto ? ` · onto ${onto} (${appealsBefore} appeals before)` : '';
    printTable(`ingest · ${n} items · ${workers} workers${onTop} · load before ${before.join(' ')}`, rows);
    if (registrationOnly) console.log(`  ${heldOffNote()}`);
    for (const f of burst.failedNotices)
      console.log(`  failed notices: ${f.n} × ${f.channel} ${f.kind}: ${f.error || '(no error recorded)'}`);
    if (burst.cpu)
      printCpuBudget(
        `CPU of the burst · ${workers} workers · ${burst.appeals} appeals`,
        burst.cpu,
        registrationOnly ? burst.registeredPerSecond : burst.routedPerSecond,
      );
    if (burst.waits)
      printWaitEvents(
        `Postgres sessions of the burst · ${workers} workers · state and wait event`,
        burst.waits,
      );
    if (burst.writes)
      printWriteCounts(`Writes of the burst · ${workers} workers`, burst.writes, burst.appeals);
  }
  if (registrationOnly) return;
  if (runs.length > 1) printScaleOut(n, runs);
  // One process's rate: the single-worker run's if there is one, else the best per-process rate measured.
  const single = runs.find((r) => r.workers === 1);
  printWorkerSizing(
    single
      ? single.product.burst.routedPerSecond
      : Math.max(...runs.map((r) => Math.round((r.product.burst.routedPerSecond / r.workers) * 10) / 10)),
  );
}

/** One line per worker-process count, each figure beside the first count's (the scale-out factor). */
function printScaleOut(
  n: number,
  runs: { workers: number; product: { burst: ProductRun; twice: Record<string, number> }; load: string[] }[],
): void {
  const base = runs[0].product.burst;
  const times = (x: number, of: number) => `${x} (${(Math.round((x / of) * 100) / 100).toFixed(2)}×)`;
  const header = [
    'workers',
    'registered/s',
    'classified+routed/s',
    'arrival → routed p50 / p99',
    'processed twice',
    'load before',
  ];
  const cells = runs.map(({ workers, product: { burst, twice }, load }) => [
    String(workers),
    times(burst.registeredPerSecond, base.registeredPerSecond),
    times(burst.routedPerSecond, base.routedPerSecond),
    `${burst.toRouted.p50ms} / ${burst.toRouted.p99ms} ms`,
    Object.values(twice).some((k) => k > 0) ? JSON.stringify(twice) : '0',
    load[0],
  ]);
  printGrid(
    `ingest scale-out · ${n} items a run, burst · × = against ${runs[0].workers} worker(s)`,
    header,
    cells,
  );
}
