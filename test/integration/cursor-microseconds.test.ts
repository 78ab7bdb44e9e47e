import { type INestApplicationContext } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { SYSTEM_SCOPE } from '@inbox/access';
import { type AppealListFilter, AppealQueries } from '@inbox/appeals';
import { Incidents, IncidentsModule } from '@inbox/incidents';
import { AppealsTestModule } from '../support/appeals-test-module';
import { createTestContext } from '../support/test-context';
import { type TestDatabase, appealsWithOwnPeopleSql } from '../support/test-database';

const CursorModule = AppealsTestModule.with([IncidentsModule]);

const N = 120;

/**
 * Keyset cursors carry the database's instant to the microsecond. Rows stamped by SQL's now() (triggers, imports,
 * fixtures) differ below the millisecond; a cursor holding a JavaScript Date (milliseconds) repeated or skipped
 * them at page boundaries. 120 appeals (and incidents) within one millisecond, each with its own microsecond,
 * paged 50 at a time in both orders, come back each exactly once and in order.
 */
describe('keyset cursors to the microsecond (integration)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let ctx: INestApplicationContext;
  let queries: AppealQueries;
  let incidents: Incidents;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(CursorModule, 'cursor-us'));
    ds = db.dataSource;
    queries = ctx.get(AppealQueries);
    incidents = ctx.get(Incidents);
    // Registration and due instants all inside one millisecond, each its own microsecond, in orders unlike the ids'.
    await ds.query(
      `${appealsWithOwnPeopleSql({
        count: '$1',
        prefix: 'cursor-',
        before: `base AS (SELECT date_trunc('milliseconds', now()) AS at)`,
      })}
       SELECT '2026-c' || lpad(n::text, 5, '0'), r.reg, r.reg, 'appeal', 'operator', 'cursor-' || n, item_id,
              applicant_id, 'Текст обращения ' || n, 'in_work', (SELECT id FROM organisations WHERE code = 'cur'),
              'Asia/Novosibirsk', r.reg, r.reg, r.due::date, r.due, 'test', 'x'
         FROM pairs CROSS JOIN base CROSS JOIN LATERAL (
           SELECT base.at + make_interval(secs => (n * 7 % $1 + 1) / 1e6) AS reg,
                  base.at + interval '10 days' + make_interval(secs => (n * 11 % $1 + 1) / 1e6) AS due) r`,
      [N],
    );
    await ds.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state)
       SELECT id, organisation_id, 'responsible', registered_at, 1, 'active' FROM appeals`,
    );
    await ds.query(
      `INSERT INTO incidents (title, first_at, last_at)
       SELECT 'Инцидент ' || i, t.at, t.at
         FROM generate_series(1, $1) i
         CROSS JOIN LATERAL (SELECT date_trunc('milliseconds', now()) + make_interval(secs => (i * 7 % $1 + 1) / 1e6) AS at) t`,
      [N],
    );
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  const pagedAppeals = async (sort: AppealListFilter['sort']): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await queries.list({ limit: 50, cursor, sort }, SYSTEM_SCOPE);
      ids.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && ids.length <= 2 * N);
    return ids;
  };
  const expected = async (order: string): Promise<string[]> =>
    ((await ds.query(`SELECT id FROM appeals a ORDER BY ${order}`)) as { id: string }[]).map((r) => r.id);

  it('the timestamps differ only below the millisecond', async () => {
    const [row] = (await ds.query(
      `SELECT count(DISTINCT registered_at)::int AS reg, count(DISTINCT date_trunc('milliseconds', registered_at))::int AS ms,
              count(DISTINCT answer_due_at)::int AS due FROM appeals`,
    )) as { reg: number; ms: number; due: number }[];
    expect(row).toEqual({ reg: N, ms: 1, due: N });
  });

  it('newest first: every appeal exactly once, in order', async () => {
    const ids = await pagedAppeals(undefined);
    expect(new Set(ids).size).toBe(N);
    expect(ids).toEqual(await expected('a.registered_at DESC, a.id DESC'));
  });

  it('by due date: every appeal exactly once, in order', async () => {
    const ids = await pagedAppeals('due');
    expect(new Set(ids).size).toBe(N);
    expect(ids).toEqual(await expected('a.answer_due_at, a.id'));
  });

  it('incidents, newest activity first: every one exactly once, in order', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await incidents.list({ limit: 50, cursor }, SYSTEM_SCOPE);
      ids.push(...page.items.map((i) => i.id));
      expect(page.items.every((i) => !('cursorAt' in i))).toBe(true);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && ids.length <= 2 * N);
    const all = (await ds.query(`SELECT id FROM incidents ORDER BY last_at DESC, id DESC`)) as {
      id: string;
    }[];
    expect(ids).toEqual(all.map((r) => r.id));
  });
});
