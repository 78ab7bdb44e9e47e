import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrationsLocked } from '@inbox/database';
import { seedDirectory } from '@inbox/demo';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A fresh, migrated database for one benchmark run, dropped afterwards, named `<base>_<random>` so that runs
 * side by side (several worktrees on one server) never drop or share each other's. With `reuse`, the database
 * is `<base>` itself: one left by an earlier run (`--keep`) is kept as it is and only brought up to the current
 * migrations.
 */
export async function createBenchDatabase(
  base: string,
  options: { reuse?: boolean } = {},
): Promise<{ url: string; reused: boolean; drop(): Promise<void> }> {
  const name = options.reuse ? base : `${base}_${randomBytes(3).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      return (await client.query(sql)).rows as unknown[];
    } finally {
      await client.end();
    }
  };
  const reused =
    options.reuse === true && (await admin(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)).length > 0;
  if (reused) {
    // Two runs growing or migrating one kept database at once would each fill it to N (a psql session
    // reading it is fine).
    const others = await admin(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${name}' AND backend_type = 'client backend' AND application_name <> 'psql'`,
    );
    const n = (others[0] as { n: number }).n;
    if (n > 0)
      throw new Error(
        `${name}: ${n} other connection(s) are using it (another bench run?); wait for it to end`,
      );
  }
  if (!reused) {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${name}`);
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const ds = new DataSource(dataSourceOptions(url.toString()));
  await ds.initialize();
  await runMigrationsLocked(ds);
  if (!reused) await seedDirectory(ds);
  await ds.destroy();
  return {
    url: url.toString(),
    reused,
    drop: async () => {
      // A connection some closed context left idle is ended by the forced drop; its client then emits an
      // 'error' nobody listens to. That one error (admin shutdown) is expected here, nothing else is.
      const expected = (error: unknown) => {
        if ((error as { code?: string }).code !== '57P01') throw error;
      };
      process.on('uncaughtException', expected);
      try {
        await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        process.off('uncaughtException', expected);
      }
    },
  };
}
