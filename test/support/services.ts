import type Redis from 'ioredis';
import { Client } from 'pg';

/** Where the tests find Postgres and Redis; .ci/run starts them when a machine has none. */
export const ADMIN_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The environment variable naming the run's template database (global-setup.ts names it, global-teardown.ts
 * drops it). The first test file to need a database migrates and seeds the template; every test file's database
 * is then a copy of it, which Postgres makes in a fraction of the time the 60-odd migrations take one by one.
 */
export const TEMPLATE_DATABASE_ENV = 'TEST_TEMPLATE_DATABASE';

/**
 * What every test database sets for the sessions that open on it (`ALTER DATABASE … SET`, which a copy does not
 * inherit from its template: test-database.ts sets it on each): commits that do not wait for their WAL's flush,
 * 2–6 ms a writing commit on a shared disk, and a test file commits 800–3 700 transactions. A commit is as
 * visible to every other session as before; a crash of the server could lose the last moment's commits, and
 * nothing in npm test crashes Postgres (the chaos suite does, on its own server and config).
 */
export const TEST_DATABASE_SETTINGS = 'SET synchronous_commit = off';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Deletes every Redis key of one queue prefix: a Redis flushed for one test only (the shared one carries others). */
export async function flushQueuePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
