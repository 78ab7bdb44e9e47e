import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Bull from 'bull';
import { Client } from 'pg';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { generateDemoAppeals } from '@inbox/demo';
import { InboundStore, IntakeModule } from '@inbox/intake';
import { Channel, type InboundItem } from '@inbox/integrations/contract';
import { QueueModule } from '@inbox/queue';
import { createBenchDatabase } from './bench-database';

@Module({ imports: [ConfigModule, DatabaseModule.forRoot(), QueueModule.forRoot(), IntakeModule] })
class ProducerModule {}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONCURRENCY = process.env.WORKER_CONCURRENCY ?? '16';

interface RunResult {
  items: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

async function waitFor(client: Client, sql: string, target: number, child: ChildProcess): Promise<void> {
  let lastLog = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`worker exited with code ${child.exitCode}`);
    const n = Number((await client.query(sql)).rows[0].n);
    if (n >= target) return;
    if (Date.now() - lastLog > 5000) {
      process.stderr.write(`  … ${n}/${target}\n`);
      lastLog = Date.now();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function spawnWorker(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  // BENCH_WORKER_NODE_ARGS (e.g. "--cpu-prof") profiles the worker without touching its code.
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

function items(n: number): InboundItem[] {
  const demo = generateDemoAppeals({ count: Math.min(n, 2000), seed: 7, now: new Date() });
  const run = randomBytes(4).toString('hex');
  return Array.from({ length: n }, (_, i) => {
    const d = demo[i % demo.length];
    return {
      channel: Channel.Pos,
      externalId: `bench-${run}-${i}`,
      receivedAt: new Date().toISOString(),
      regime: d.regime,
      fastTrack: d.fastTrack,
      author: { ...d.author, externalId: undefined },
      subject: d.subject,
      text: d.text,
      address: d.address,
      territoryCode: d.territoryCode,
    };
  });
}

/** The real pipeline: store raw items (which enqueues normalisation), real worker process registers them. */
async function runPipeline(n: number): Promise<RunResult> {
  const db = await createBenchDatabase('inbox_bench_pipeline');
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    REDIS_URL,
    QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    WORKER_CONCURRENCY: CONCURRENCY,
    LOG_LEVEL: 'error',
    PENDING_SWEEP_MS: '600000',
  };
  Object.assign(process.env, env);
  const producer = await NestFactory.createApplicationContext(ProducerModule, { logger: ['error'] });
  const client = new Client({ connectionString: db.url });
  await client.connect();
  const worker = spawnWorker(join(__dirname, '..', 'apps', 'worker', 'src', 'main.js'), env);
  try {
    // Let the worker boot before the clock starts.
    await new Promise((r) => setTimeout(r, 3000));
    const store = producer.get(InboundStore);
    const all = items(n);
    const started = Date.now();
    for (let i = 0; i < all.length; i += 500) await store.store(all.slice(i, i + 500));
    await waitFor(client, `SELECT count(*) AS n FROM appeals`, n, worker);
    const seconds = (Date.now() - started) / 1000;
    const lat = await client.query(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
         FROM (SELECT extract(epoch FROM (i.processed_at - i.created_at)) * 1000 AS ms FROM inbound_items i) x`,
    );
    return result(n, seconds, lat.rows[0]);
  } finally {
    // SIGTERM lets the worker shut down cleanly (and write a CPU profile when NODE_OPTIONS asks for one).
    worker.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    worker.kill('SIGKILL');
    await client.end();
    await producer.close();
    await db.drop();
  }
}

/** The baseline: Bull no-op jobs that each do one plain insert, same Redis, Postgres and concurrency. */
async function runBaseline(n: number): Promise<RunResult> {
  const db = await createBenchDatabase('inbox_bench_baseline');
  const client = new Client({ connectionString: db.url });
  await client.connect();
  await client.query(
    `CREATE TABLE bench_baseline (n integer PRIMARY KEY, enqueued_at timestamptz NOT NULL,
       created_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  );
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    REDIS_URL,
    QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    WORKER_CONCURRENCY: CONCURRENCY,
  };
  const queue = new Bull('baseline', REDIS_URL, { prefix: env.QUEUE_PREFIX });
  const worker = spawnWorker(join(__dirname, 'baseline-worker.js'), env);
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const started = Date.now();
    for (let i = 0; i < n; i += 500) {
      const at = new Date().toISOString();
      await queue.addBulk(
        Array.from({ length: Math.min(500, n - i) }, (_, k) => ({
          name: 'noop-insert',
          data: { n: i + k, at },
          opts: { removeOnComplete: 1000, jobId: `b-${i + k}` },
        })),
      );
    }
    await waitFor(client, `SELECT count(*) AS n FROM bench_baseline`, n, worker);
    const seconds = (Date.now() - started) / 1000;
    const lat = await client.query(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
         FROM (SELECT extract(epoch FROM (created_at - enqueued_at)) * 1000 AS ms FROM bench_baseline) x`,
    );
    return result(n, seconds, lat.rows[0]);
  } finally {
    worker.kill('SIGKILL');
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await client.end();
    await db.drop();
  }
}

function result(n: number, seconds: number, lat: { p50: number; p99: number }): RunResult {
  return {
    items: n,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Number((n / seconds).toFixed(1)),
    p50ms: Math.round(Number(lat.p50)),
    p99ms: Math.round(Number(lat.p99)),
  };
}

export async function benchIngest(args: string[]): Promise<void> {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? process.env.BENCH_ITEMS ?? 20_000);
  process.stderr.write(`ingest: ${n} items, worker concurrency ${CONCURRENCY}\n`);
  process.stderr.write('pipeline (store raw → normalise → register, separate worker process)…\n');
  const pipeline = await runPipeline(n);
  process.stderr.write('baseline (Bull no-op job + one plain insert, separate worker process)…\n');
  const baseline = await runBaseline(n);
  const ratio = Number((pipeline.perSecond / baseline.perSecond).toFixed(2));
  console.log(JSON.stringify({ bench: 'ingest', pipeline, baseline, ratio }, null, 2));
  console.log(
    `\npipeline ${pipeline.perSecond} appeals/s (p50 ${pipeline.p50ms} ms, p99 ${pipeline.p99ms} ms) · ` +
      `baseline ${baseline.perSecond} jobs/s (p50 ${baseline.p50ms} ms, p99 ${baseline.p99ms} ms) · ratio ${ratio}`,
  );
}
