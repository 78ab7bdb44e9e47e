import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrationsLocked } from '@inbox/database';
import { adminQuery, databaseUrl } from './services';
import { seedTestDirectory } from '../factories/directory';

export interface TestDatabase {
  url: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

/** A throwaway database per test file: created, migrated (never synchronised), seeded, dropped. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `inbox_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = databaseUrl(name);
  const dataSource = new DataSource(dataSourceOptions(url, { extra: { max: 5 } }));
  await dataSource.initialize();
  await runMigrationsLocked(dataSource);
  await seedTestDirectory(dataSource);
  return {
    url,
    dataSource,
    async drop() {
      await dataSource.destroy();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
