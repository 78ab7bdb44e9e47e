import { randomBytes } from 'node:crypto';
import { type DynamicModule, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TEST_REDIS_URL } from './services';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface TestContext {
  db: TestDatabase;
  ctx: INestApplicationContext;
  /** What was put into process.env for it. */
  env: Record<string, string>;
}

/**
 * `module` in this process on a throwaway database, configured only through the environment, as in production:
 * the database, Redis under a private queue prefix (`<queuePrefix>-<random>`), LOG_LEVEL warn, and `env` over them.
 * The caller closes `ctx` and drops `db`.
 */
export async function createTestContext(
  module: Type | DynamicModule,
  queuePrefix: string,
  env: Record<string, string> = {},
): Promise<TestContext> {
  const db = await createTestDatabase();
  const fullEnv: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `${queuePrefix}-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'warn',
    ...env,
  };
  Object.assign(process.env, fullEnv);
  try {
    const ctx = await NestFactory.createApplicationContext(module, { logger: ['error'] });
    return { db, ctx, env: fullEnv };
  } catch (e) {
    await db.drop();
    throw e;
  }
}
