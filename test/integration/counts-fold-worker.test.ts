import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type DataSource } from 'typeorm';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { ReportsModule } from '@inbox/reports';
import { CountsFoldWorker } from '../../apps/worker/src/counts-fold.worker';
import { insertBareAppeal } from '../factories/appeals';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { eventually } from '../support/test-stack';

@Module({ imports: [ConfigModule, DatabaseModule.forRoot(), ReportsModule], providers: [CountsFoldWorker] })
class CountsFoldModule {}

/**
 * Issue 18: the worker folds the appeal count deltas into the daily counts on its timer (COUNTS_FOLD_MS), without
 * anyone opening the dashboard; the counts then equal the appeals.
 */
describe('count fold worker (integration)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let ctx: INestApplicationContext;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = db.dataSource;
    Object.assign(process.env, { DATABASE_URL: db.url, COUNTS_FOLD_MS: '200', LOG_LEVEL: 'warn' });
    ctx = await NestFactory.createApplicationContext(CountsFoldModule, { logger: ['error'] });
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
    delete process.env.COUNTS_FOLD_MS;
  });

  it('folds the deltas of new and changed appeals on its own', async () => {
    await insertBareAppeal(ds, 'fold-1', '2026-900001');
    await ds.query(`UPDATE appeals SET status = 'in_work' WHERE external_id = 'fold-1'`);
    const counts = () =>
      ds.query(`SELECT status, count FROM appeal_daily_counts WHERE count <> 0 ORDER BY status`) as Promise<
        { status: string; count: number }[]
      >;
    await eventually(async () => {
      const [{ pending }] = (await ds.query(`SELECT count(*)::int AS pending FROM appeal_count_deltas`)) as {
        pending: number;
      }[];
      return pending === 0 ? true : undefined;
    }, 10_000);
    expect(await counts()).toEqual([{ status: 'in_work', count: 1 }]);
  });
});
