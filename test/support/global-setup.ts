import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { Client } from 'pg';
import { DatabaseDropper, DROPPED_DATABASE_PREFIX_ENV } from './database-dropper';
import { ADMIN_DATABASE_URL, TEMPLATE_DATABASE_ENV, TEST_REDIS_URL } from './services';

/**
 * Fails the run at once, with what to do, when Postgres or Redis is not there; names the run's template database
 * and its test files' databases (test-database.ts), which the workers inherit through the environment, and starts
 * dropping the files' databases they let go of (database-dropper.ts; global-teardown.ts stops it).
 */
export default async function globalSetup(): Promise<void> {
  const client = new Client({ connectionString: ADMIN_DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `Integration tests need PostgreSQL at ${ADMIN_DATABASE_URL.replace(/:[^:@/]*@/, ':***@')} ` +
        `(set TEST_DATABASE_URL, or run bash .ci/run which starts it): ${(error as Error).message}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  const { hostname, port } = new URL(TEST_REDIS_URL);
  await new Promise<void>((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) }, () => {
      socket.end();
      resolve();
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('error', (e) =>
      reject(
        new Error(
          `Integration tests need Redis at ${hostname}:${port || 6379} (set TEST_REDIS_URL): ${e.message}`,
        ),
      ),
    );
  });
  const run = randomBytes(6).toString('hex');
  process.env[TEMPLATE_DATABASE_ENV] = `inbox_test_template_${run}`;
  process.env[DROPPED_DATABASE_PREFIX_ENV] = `inbox_test_${run}_`;
  const dropper = new DatabaseDropper(`inbox_test_${run}_`, `inbox_test_template_${run}`);
  await dropper.start();
  (globalThis as { testDatabaseDropper?: DatabaseDropper }).testDatabaseDropper = dropper;
}
