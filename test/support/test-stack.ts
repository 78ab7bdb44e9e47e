import { randomBytes } from 'node:crypto';
import { type INestApplication, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bull';
import { type Queue } from 'bull';
import { QueueName } from '@inbox/queue';
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
  close(): Promise<void>;
}

/**
 * The real api (and optionally the real worker) in this process, on a fresh database and a private queue
 * prefix, configured only through the environment, as in production.
 */
export async function startTestStack(
  options: { worker?: boolean; env?: Record<string, string> } = {},
): Promise<TestStack> {
  const db = await createTestDatabase();
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PENDING_SWEEP_MS: '2000',
    // Bull's limiter leaves timers that fail an in-process shutdown; the limits themselves are data (delivery-limits.ts).
    DELIVERY_RATE_LIMITS: 'false',
    ...options.env,
  };
  Object.assign(process.env, env);
  const api = await createApiApp();
  await api.listen(0, '127.0.0.1');
  const address = api.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const worker = options.worker
    ? await NestFactory.createApplicationContext(WorkerModule, { logger: ['error'] })
    : undefined;
  return {
    db,
    api,
    worker,
    baseUrl,
    env,
    async close() {
      if (worker) await drainQueues(worker);
      await closeQuietly(api);
      if (worker) await closeQuietly(worker);
      await db.drop();
    },
  };
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

/**
 * Bull gives a Redis client 500 ms to QUIT, then disconnects it and rejects with "Connection is closed."
 * when the machine is busy: a shutdown artefact, not a test failure. Anything else still fails the test.
 */
export async function closeQuietly(app: { close(): Promise<void> }): Promise<void> {
  try {
    await app.close();
  } catch (error) {
    if (!(error instanceof Error && error.message === 'Connection is closed.')) throw error;
  }
}

/** Stops taking jobs and lets the running ones finish, so nothing talks to Redis while it closes. */
async function drainQueues(app: INestApplicationContext): Promise<void> {
  for (const name of Object.values(QueueName)) {
    const queue = app.get<Queue>(getQueueToken(name), { strict: false });
    await Promise.race([queue.pause(true).catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
  }
}
