import { Client } from 'pg';
import { MIGRATION_LOCK_KEY, runMigrationsLocked } from '@inbox/database';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { eventually } from '../support/test-stack';

/**
 * Another starter holds the migration lock and does not let go (frozen, hung mid-migration): the api or the worker
 * starting beside it waited in a silent `pg_advisory_lock`, with nothing in its log to say what it waited for. It
 * says so now, at once and every `waitLogMs`, naming the session that holds the lock, and migrates once it is free.
 */
describe('a starter waiting for another’s migration lock (integration)', () => {
  let db: TestDatabase;
  let holder: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    holder = new Client({ connectionString: db.url, application_name: 'other-starter' });
    await holder.connect();
  });
  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    await db?.drop();
  });

  it('says whom it waits for, and migrates once the lock is free', async () => {
    await holder.query(`SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK_KEY]);
    const lines: { line: string; level?: string }[] = [];
    const run = runMigrationsLocked(db.dataSource, (line, level) => lines.push({ line, level }), {
      waitLogMs: 500,
    });
    const waits = await eventually(async () => {
      const found = lines.filter((l) => l.level === 'warn');
      return found.length >= 2 ? found : undefined;
    }, 10_000);
    expect(waits[0].line).toMatch(/^waiting for the migration lock, held by session \d+ \(other-starter, /);
    await holder.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK_KEY]);
    // Migrated already (the test database is): nothing to apply, and it is done.
    await expect(run).resolves.toEqual([]);
    expect(lines.at(-1)).toEqual({ line: 'migration lock taken' });
  });
});
