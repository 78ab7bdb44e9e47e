import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { createTestContext } from '../support/test-context';
import { type TestDatabase } from '../support/test-database';

@Module({ imports: [ConfigModule, DatabaseModule.forRoot({ pool: 'api' })] })
class ApiPoolModule {}

@Module({ imports: [ConfigModule, DatabaseModule.forRoot()] })
class WorkerPoolModule {}

/**
 * Issue 18: at 1 M appeals the clerk's overdue queue launched a parallel worker (Gather Merge) for a page of 51
 * rows: ~20 ms of launch for ~7 ms of work on a busy 2-core machine. The api's sessions start with
 * `parallel_setup_cost` from API_PG_PARALLEL_SETUP_COST, every connection of the pool, before any statement;
 * the other processes keep the server's setting. And at 10 M appeals inflated row estimates put statements over
 * `jit_above_cost`, 228 of a 258 ms statement compiling: every pool's sessions start with `jit` off, unless PG_JIT.
 */
describe('api database sessions (integration)', () => {
  let db: TestDatabase;
  let api: INestApplicationContext;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    ({ db, ctx: api } = await createTestContext(ApiPoolModule, 'api-sessions', {
      API_PG_PARALLEL_SETUP_COST: '25000',
    }));
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await db?.drop();
    delete process.env.API_PG_PARALLEL_SETUP_COST;
    delete process.env.PG_JIT;
    delete process.env.PG_POOL_MAX;
  });

  /** The setting as each of `n` sessions held at once sees it. */
  const settings = async (
    ds: DataSource,
    n: number,
    name: 'parallel_setup_cost' | 'jit' = 'parallel_setup_cost',
  ): Promise<string[]> => {
    const runners = await Promise.all(
      Array.from({ length: n }, async () => {
        const runner = ds.createQueryRunner();
        await runner.connect();
        return runner;
      }),
    );
    try {
      return await Promise.all(
        runners.map(async (r) => {
          const [row] = (await r.query(`SHOW ${name}`)) as Record<string, string>[];
          return row[name];
        }),
      );
    } finally {
      await Promise.all(runners.map((r) => r.release()));
    }
  };

  it('gives every api session the configured parallel_setup_cost', async () => {
    expect(await settings(api.get(DataSource), 4)).toEqual(['25000', '25000', '25000', '25000']);
  });

  it('leaves the other processes at the server’s setting', async () => {
    worker = await NestFactory.createApplicationContext(WorkerPoolModule, { logger: ['error'] });
    const [server] = await settings(db.dataSource, 1);
    expect(await settings(worker.get(DataSource), 2)).toEqual([server, server]);
  });

  it('starts every session of the api’s and the worker’s pools without JIT', async () => {
    worker ??= await NestFactory.createApplicationContext(WorkerPoolModule, { logger: ['error'] });
    expect(await settings(api.get(DataSource), 3, 'jit')).toEqual(['off', 'off', 'off']);
    expect(await settings(worker.get(DataSource), 2, 'jit')).toEqual(['off', 'off']);
  });

  it('keeps the server’s jit with PG_JIT=true', async () => {
    // On whatever the server's default: the database's own setting, which a session's options override.
    const [{ name }] = (await db.dataSource.query(`SELECT current_database() AS name`)) as { name: string }[];
    await db.dataSource.query(`ALTER DATABASE "${name}" SET jit = on`);
    expect(new Set(await settings(api.get(DataSource), 6, 'jit'))).toEqual(new Set(['off']));
    process.env.PG_JIT = 'true';
    const jit = await NestFactory.createApplicationContext(WorkerPoolModule, { logger: ['error'] });
    try {
      expect(await settings(jit.get(DataSource), 2, 'jit')).toEqual(['on', 'on']);
    } finally {
      delete process.env.PG_JIT;
      await jit.close();
    }
  });

  it('opens at most PG_POOL_MAX connections per pool', async () => {
    process.env.PG_POOL_MAX = '3';
    const small = await NestFactory.createApplicationContext(WorkerPoolModule, { logger: ['error'] });
    try {
      const ds = small.get(DataSource);
      const held = await Promise.all(
        Array.from({ length: 3 }, async () => {
          const runner = ds.createQueryRunner();
          await runner.connect();
          await runner.query('SELECT 1');
          return runner;
        }),
      );
      // A fourth statement waits for a connection of the three instead of opening another.
      const fourth = ds.query('SELECT 1');
      const waited = await Promise.race([
        fourth.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 300)),
      ]);
      await Promise.all(held.map((r) => r.release()));
      await fourth;
      expect(waited).toBe(true);
    } finally {
      delete process.env.PG_POOL_MAX;
      await small.close();
    }
  });
});
