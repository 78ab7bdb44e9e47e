import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrationsLocked } from '@inbox/database';
import { Client } from 'pg';
import {
  ADMIN_DATABASE_URL,
  adminQuery,
  databaseUrl,
  TEMPLATE_DATABASE_ENV,
  TEST_DATABASE_SETTINGS,
} from './services';
import { claimSpare, DROPPED_DATABASE_PREFIX_ENV, letGo } from './database-dropper';
import { seedTestDirectory } from '../factories/directory';

export interface TestDatabase {
  url: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

/**
 * A throwaway database per test file: created, migrated (never synchronised), seeded, dropped. Under jest's
 * integration project it is a copy of the run's template, migrated and seeded the same way once (mostly one that
 * jest's main process made ready), or of a template given in `from`, and `drop` only lets it go: that process drops it while the worker goes on
 * (database-dropper.ts). Without them (another
 * jest config) it is migrated and seeded itself, and dropped at once. Its sessions commit without waiting for
 * the WAL's flush (TEST_DATABASE_SETTINGS) unless `synchronousCommit`, as in production.
 */
export async function createTestDatabase(
  options: { from?: string; synchronousCommit?: boolean } = {},
): Promise<TestDatabase> {
  const inBackground = process.env[DROPPED_DATABASE_PREFIX_ENV];
  const name = `${inBackground ?? 'inbox_test_'}${randomBytes(6).toString('hex')}`;
  const template = process.env[TEMPLATE_DATABASE_ENV];
  const spare = !options.from && !!inBackground && (await claimSpare(inBackground, name));
  if (options.from) {
    // A copy of another made database (demo-database.ts), complete as it is.
    await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${options.from}`);
  } else if (!spare) {
    if (template) await ensureTemplate(template);
    await adminQuery(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  }
  // A spare comes with the settings already (database-dropper.ts).
  if (options.synchronousCommit) await adminQuery(`ALTER DATABASE ${name} RESET synchronous_commit`);
  else if (!spare) await adminQuery(`ALTER DATABASE ${name} ${TEST_DATABASE_SETTINGS}`);
  const url = databaseUrl(name);
  const dataSource = new DataSource(dataSourceOptions(url, { extra: { max: 5 } }));
  await dataSource.initialize();
  if (!template && !options.from) await migrateAndSeed(dataSource);
  return {
    url,
    dataSource,
    async drop() {
      await dataSource.destroy();
      if (inBackground) await letGo(name);
      else await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** What every test database holds before its test: the schema by the migrations, the test directory. */
async function migrateAndSeed(dataSource: DataSource): Promise<void> {
  await runMigrationsLocked(dataSource);
  await seedTestDirectory(dataSource);
}

let templateReady: string | undefined;

/**
 * Makes the template once per run, whichever jest worker comes first; the others wait on the lock. It is made
 * under another name and renamed when complete, so a copy never starts from a half-migrated template, and it
 * keeps no connection open (Postgres copies only a database nobody is connected to).
 */
export async function ensureTemplate(template: string): Promise<void> {
  if (templateReady === template) return;
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount === 0) {
      const building = `${template}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${building}`);
      const dataSource = new DataSource(dataSourceOptions(databaseUrl(building), { extra: { max: 5 } }));
      await dataSource.initialize();
      try {
        await migrateAndSeed(dataSource);
      } finally {
        await dataSource.destroy();
      }
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
    }
    templateReady = template;
  } finally {
    await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [template]).catch(() => undefined);
    await admin.end();
  }
}

/**
 * The head of one statement that writes `count` appeals, each with an applicant and an inbound item of its own
 * (external ids `<prefix><n>`): the CTEs `people`, `items` and `pairs (applicant_id, item_id, n)`, then the
 * appeals INSERT's column list. The caller ends it with a SELECT over `pairs` giving those columns in order.
 * `count` may be a parameter (`'$1'`); `people` the applicants' columns after `channel` and their values over `i`;
 * `before` CTEs of the caller's own, ahead of these.
 */
export function appealsWithOwnPeopleSql({
  count,
  prefix,
  people = { columns: 'surname', values: `'Фамилия' || i` },
  before,
}: {
  count: number | string;
  prefix: string;
  people?: { columns: string; values: string };
  before?: string;
}): string {
  return `WITH ${
    before
      ? `${before},
       `
      : ''
  }people AS (
         INSERT INTO applicants (channel, ${people.columns})
         SELECT 'operator', ${people.values} FROM generate_series(1, ${count}) i RETURNING id),
       items AS (
         INSERT INTO inbound_items (channel, external_id, received_at, payload)
         SELECT 'operator', '${prefix}' || i, now(), '{}' FROM generate_series(1, ${count}) i RETURNING id),
       pairs AS (
         SELECT p.id AS applicant_id, i.id AS item_id, p.k AS n
           FROM (SELECT id, row_number() OVER () AS k FROM people) p
           JOIN (SELECT id, row_number() OVER () AS k FROM items) i USING (k))
       INSERT INTO appeals (registration_number, registered_at, received_at, regime, channel, external_id,
              inbound_item_id, applicant_id, text, status, organisation_id, time_zone, registration_due_at,
              redirect_due_at, answer_due_date, answer_due_at, calendar_version, access_code_hash)`;
}
