import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type DataSource } from 'typeorm';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { ReportsModule } from '@inbox/reports';
import { CountsFoldWorker } from '../../apps/worker/src/counts-fold.worker';
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
    await ds.query(
      `WITH person AS (INSERT INTO applicants (channel, surname) VALUES ('operator', 'Иванова') RETURNING id),
            item AS (INSERT INTO inbound_items (channel, external_id, received_at, payload)
                     VALUES ('operator', 'fold-1', now(), '{}') RETURNING id)
       INSERT INTO appeals (registration_number, registered_at, received_at, regime, channel, external_id,
              inbound_item_id, applicant_id, text, status, organisation_id, time_zone, registration_due_at,
              redirect_due_at, answer_due_date, answer_due_at, calendar_version, access_code_hash)
       SELECT '2026-900001', now(), now(), 'appeal', 'operator', 'fold-1', item.id, person.id, 'Обращение',
              'registered', (SELECT id FROM organisations WHERE code = 'cur'), 'Asia/Novosibirsk', now(), now(),
              current_date, now() + interval '30 days', 'test', 'x'
         FROM person, item`,
    );
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
