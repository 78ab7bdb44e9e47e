import { DataSource, type DataSourceOptions } from 'typeorm';
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
const MIGRATION_LOCK_KEY = 727_073_690;

/**
 * Runs pending migrations under a Postgres advisory lock, so that several api and worker processes
 * starting at once migrate exactly once and the rest wait.
 */
export async function runMigrationsLocked(dataSource: DataSource, log: (line: string) => void = () => {}) {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const m of applied) log(`migration applied: ${m.name}`);
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}

export async function openDataSource(databaseUrl: string): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(databaseUrl));
  await ds.initialize();
  return ds;
}
