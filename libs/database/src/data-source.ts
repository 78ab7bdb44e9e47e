import { DataSource, type DataSourceOptions, type QueryRunner } from 'typeorm';
import { APPEAL_ENTITIES } from '@inbox/appeals/entities';
import { INTAKE_ENTITIES } from '@inbox/intake/entities';
import { OrganisationEntity, TopicEntity } from '@inbox/organisations/entities';
import { MIGRATIONS } from '../../../migrations';
import { GuardedClient } from './guarded-client';

export const ENTITIES = [...APPEAL_ENTITIES, ...INTAKE_ENTITIES, OrganisationEntity, TopicEntity];

/** One definition of the connection, shared by the apps, the migration CLI and the tests. */
export function dataSourceOptions(
  databaseUrl: string,
  overrides: Partial<DataSourceOptions> = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
    ...overrides,
    // Connections that a cut from the server never turns into an uncaught exception (GuardedClient).
    // TCP keepalive on our side too: an idle pooled connection to a server that vanished is found dead, not reused.
    extra: {
      max: 20,
      application_name: 'appeals-inbox',
      Client: GuardedClient,
      keepAlive: true,
      keepAliveInitialDelayMillis: 30_000,
      ...overrides.extra,
    },
  } as DataSourceOptions;
}

/** An arbitrary number that names "the migration lock" among Postgres advisory locks. */
export const MIGRATION_LOCK_KEY = 727_073_690;

/** How often a starter waiting for another's migration lock says so, and names the holder. */
const MIGRATION_LOCK_WAIT_LOG_MS = 10_000;

/**
 * Runs pending migrations under a Postgres advisory lock, so that several api and worker processes
 * starting at once migrate exactly once and the rest wait. A starter that finds the lock taken says so at once and
 * every `waitLogMs` while it waits (`log` with 'warn'), naming the session that holds it (its process id, program,
 * address, state and for how long): a holder frozen or hung mid-migration would otherwise keep every other
 * process silently at its start.
 */
export async function runMigrationsLocked(
  dataSource: DataSource,
  log: (line: string, level?: 'info' | 'warn') => void = () => {},
  { waitLogMs = MIGRATION_LOCK_WAIT_LOG_MS }: { waitLogMs?: number } = {},
) {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    let loggedAt: number | undefined;
    for (;;) {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        MIGRATION_LOCK_KEY,
      ])) as { locked: boolean }[];
      if (locked) break;
      if (loggedAt === undefined || Date.now() - loggedAt >= waitLogMs) {
        loggedAt = Date.now();
        log(`waiting for the migration lock, held by ${await migrationLockHolder(runner)}`, 'warn');
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    if (loggedAt !== undefined) log('migration lock taken');
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const m of applied) log(`migration applied: ${m.name}`);
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}

/** Who holds the migration lock, as an operator would look for them; no personal data (sessions of our programs). */
async function migrationLockHolder(runner: QueryRunner): Promise<string> {
  const [holder] = (await runner.query(
    `SELECT a.pid, a.application_name, a.client_addr::text AS address, a.state,
            extract(epoch FROM now() - COALESCE(a.state_change, a.backend_start))::int AS seconds
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1
      LIMIT 1`,
    [MIGRATION_LOCK_KEY],
  )) as { pid: number; application_name: string; address: string | null; state: string; seconds: number }[];
  if (!holder) return 'a session that has just let it go';
  return (
    `session ${holder.pid} (${holder.application_name || 'no program name'}, ` +
    `${holder.address ?? 'local socket'}, ${holder.state} for ${holder.seconds} s)`
  );
}

export async function openDataSource(databaseUrl: string): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(databaseUrl));
  await ds.initialize();
  return ds;
}
