import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type INestApplicationContext } from '@nestjs/common';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { InboundStore, IntakeModule } from '@inbox/intake';
import { QueueModule } from '@inbox/queue';
import { inboundItem } from '../factories/inbound-items';
import { TEST_REDIS_URL } from '../support/services';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { eventually } from '../support/test-stack';

@Module({ imports: [ConfigModule, DatabaseModule.forRoot(), QueueModule.forRoot(), IntakeModule] })
class ProducerModule {}

const WORKER = join(__dirname, '..', '..', 'dist', 'apps', 'worker', 'src', 'main.js');
const ITEMS = 3000;

describe('a worker killed mid-stream (integration)', () => {
  let db: TestDatabase;
  let producer: INestApplicationContext;
  let env: NodeJS.ProcessEnv;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(WORKER))
      throw new Error(`${WORKER} is missing: run "npm run build" first (npm test does)`);
    db = await createTestDatabase();
    env = {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: `crash-${randomBytes(4).toString('hex')}`,
      QUEUE_LOCK_MS: '2000',
      WORKER_CONCURRENCY: '16',
      LOG_LEVEL: 'error',
    };
    Object.assign(process.env, {
      DATABASE_URL: env.DATABASE_URL,
      REDIS_URL: env.REDIS_URL,
      QUEUE_PREFIX: env.QUEUE_PREFIX,
    });
    producer = await NestFactory.createApplicationContext(ProducerModule, { logger: ['error'] });
  });

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await producer?.close();
    await db?.drop();
  });

  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, [WORKER], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    workers.push(child);
    return child;
  }

  const processed = async () =>
    (await db.dataSource.query(`SELECT count(*)::int AS n FROM inbound_items WHERE status = 'processed'`))[0]
      .n as number;

  it('finds every queued item as exactly one appeal after a kill -9 and a restart', async () => {
    const store = producer.get(InboundStore);
    const items = Array.from({ length: ITEMS }, (_, i) => inboundItem({ externalId: `crash-${i}` }));
    await store.store(items);

    const first = startWorker();
    await eventually(async () => ((await processed()) >= 300 ? true : undefined), 60_000, 20);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = await processed();
    expect(atKill).toBeLessThan(ITEMS);

    startWorker();
    await eventually(async () => ((await processed()) === ITEMS ? true : undefined), 120_000, 250);

    const [summary] = await db.dataSource.query(
      `SELECT count(*)::int AS appeals, count(DISTINCT inbound_item_id)::int AS items,
              count(DISTINCT registration_number)::int AS numbers FROM appeals`,
    );
    expect(summary).toEqual({ appeals: ITEMS, items: ITEMS, numbers: ITEMS });
    const [orphans] = await db.dataSource.query(
      `SELECT count(*)::int AS n FROM inbound_items i LEFT JOIN appeals a ON a.id = i.appeal_id
        WHERE a.id IS NULL OR a.inbound_item_id <> i.id`,
    );
    expect(orphans.n).toBe(0);
  });
});
