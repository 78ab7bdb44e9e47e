import { randomBytes } from 'node:crypto';
import { type INestApplication, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppealRegistrar } from '@inbox/appeals';
import { InboundStore } from '@inbox/intake';
import { type InboundItem } from '@inbox/integrations/contract';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { TEST_REDIS_URL } from './services';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface TestStack {
  db: TestDatabase;
  api: INestApplication;
  worker?: INestApplicationContext;
  baseUrl: string;
  env: Record<string, string>;
  /** Stops the worker as in production; `startWorker` starts a fresh one (a redeploy, a crash and restart). */
  stopWorker(): Promise<void>;
  startWorker(): Promise<INestApplicationContext>;
  close(): Promise<void>;
}

/**
 * The real api (and optionally the real worker) in this process, on a fresh database and a private queue
 * prefix, configured only through the environment, as in production. `database` names a template to copy
 * instead of the usual one (demo-database.ts).
 */
export async function startTestStack(
  options: {
    worker?: boolean;
    env?: Record<string, string>;
    database?: () => Promise<string>;
    /** Commits that wait for the WAL's flush, as in production (test-database.ts). */
    synchronousCommit?: boolean;
  } = {},
): Promise<TestStack> {
  const db = await createTestDatabase({
    from: await options.database?.(),
    synchronousCommit: options.synchronousCommit,
  });
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PENDING_SWEEP_MS: '2000',
    // Production's default: the OpenAPI document is built only for the files that read it (API_DOCS: 'public'),
    // not on every boot (0.25–0.3 s of CPU each, README "Running the tests").
    API_DOCS: 'off',
    ...options.env,
  };
  Object.assign(process.env, env);
  const api = await createApiApp();
  await api.listen(0, '127.0.0.1');
  const address = api.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const startWorker = () => NestFactory.createApplicationContext(WorkerModule, { logger: ['error'] });
  const stack: TestStack = {
    db,
    api,
    worker: options.worker ? await startWorker() : undefined,
    baseUrl,
    env,
    async stopWorker() {
      const worker = stack.worker;
      stack.worker = undefined;
      await worker?.close();
    },
    async startWorker() {
      if (stack.worker) throw new Error('the worker is running');
      stack.worker = await startWorker();
      return stack.worker;
    },
    // The worker first: its jobs finish while the api's queues are still open. Both close as in production
    // (QueueShutdown), with the production delivery limits on, and a failed close fails the test.
    async close() {
      await stack.stopWorker();
      await api.close();
      await db.drop();
    },
  };
  return stack;
}

/** A stack beside the local fake of the outside service it talks to; closing it stops both. */
export interface StackWithFake<F> {
  fake: F;
  stack: TestStack;
  close(): Promise<void>;
}

/**
 * `start` (a stack set up for the started `fake`), closed before the fake stops; the fake is stopped at once when
 * the stack does not start.
 */
export async function startWithFake<F extends { stop(): Promise<void> }>(
  fake: F,
  start: (fake: F) => Promise<TestStack>,
): Promise<StackWithFake<F>> {
  try {
    const stack = await start(fake);
    return {
      fake,
      stack,
      async close() {
        await stack.close();
        await fake.stop();
      },
    };
  } catch (error) {
    await fake.stop();
    throw error;
  }
}

/** Polls until the check returns a value, or fails with the last state after the timeout. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  stepMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Response bodies in tests are checked by the assertions themselves. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function json(res: Response | Promise<Response>): Promise<any> {
  return (await res).json();
}

/** Stores the items (not queued) and registers each at `at` through the real registrar; their appeal ids. */
export async function registerItems(stack: TestStack, items: InboundItem[], at?: Date): Promise<string[]> {
  return registerItemsIn(stack.api, items, at);
}

/** registerItems in any Nest context that holds the intake and the registrar (a worker-less test context). */
export async function registerItemsIn(
  ctx: Pick<INestApplicationContext, 'get'>,
  items: InboundItem[],
  at?: Date,
): Promise<string[]> {
  const stored = await ctx.get(InboundStore).store(items, { enqueue: false });
  const ids: string[] = [];
  for (const s of stored) {
    const outcome = await ctx.get(AppealRegistrar).registerInboundItem(s.inboundItemId, at);
    if (outcome.kind !== 'registered') throw new Error(`not registered: ${outcome.kind}`);
    ids.push(outcome.appealId);
  }
  return ids;
}
