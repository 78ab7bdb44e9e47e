import { type INestApplicationContext, Module } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { type AccessScope, AccessModule, Role, SYSTEM_SCOPE } from '@inbox/access';
import {
  type AppealListFilter,
  AppealQueries,
  AppealsModule,
  AppealStatus,
  SEARCH_COUNT_CAP,
  searchSql,
} from '@inbox/appeals';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { QueueModule } from '@inbox/queue';
import { idOf } from '../factories/directory';
import { createTestContext } from '../support/test-context';
import { type TestDatabase, appealsWithOwnPeopleSql } from '../support/test-database';

@Module({
  imports: [ConfigModule, DatabaseModule.forRoot(), QueueModule.forRoot(), AccessModule, AppealsModule],
})
class BoundedSearchModule {}

/**
 * Issue 18: the inbox search is bounded (each way of matching takes its own page, newest first through windows of
 * registration time read from the text-and-time index). Paging through it must give exactly what matching
 * everything and sorting it gives: for a common word, a rare old one, a phrase, a surname, a number fragment and
 * a phone, in both orders; stop words only, a word left out; with statuses, a filter and within a clerk's scope.
 */
describe('bounded inbox search (integration)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let ctx: INestApplicationContext;
  let queries: AppealQueries;
  let clerk: AccessScope;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(BoundedSearchModule, 'bounded-search'));
    ds = db.dataSource;
    queries = ctx.get(AppealQueries);
    const minzhkh = await idOf(ds, 'organisations', 'minzhkh');
    const [user] = (await ds.query(
      `INSERT INTO users (login, password_hash, full_name, role, organisation_id)
       VALUES ('search-clerk', 'x', 'Исполнитель', 'clerk', $1) RETURNING id`,
      [minzhkh],
    )) as { id: string }[];
    clerk = { userId: user.id, role: Role.Clerk, organisationId: minzhkh, organisationIds: [minzhkh] };
    // 3 000 appeals over three years (registration times in whole seconds, as the cursor carries milliseconds):
    // every third about heating, every 500th about a zoo (so the rare word is found only beyond the first
    // windows), every seventh by a Кузнецова, every fifth held by minzhkh, every fourth closed.
    await ds.query(
      `${appealsWithOwnPeopleSql({ count: 3000, prefix: 'search-', people: { columns: 'surname, phone', values: `CASE WHEN i % 7 = 0 THEN 'Кузнецова' ELSE 'Фамилия' || i END, '+7913' || lpad(i::text, 7, '0')` } })}
       SELECT '2026-' || lpad(n::text, 6, '0'), r.at, r.at, 'appeal', 'operator', 'search-' || n, item_id,
              applicant_id,
              CASE WHEN n % 500 = 0 THEN 'Прошу открыть зоопарк в парке'
                   WHEN n % 3 = 0 THEN 'Нет отопления в детском саду № ' || n
                   ELSE 'Яма на дороге у дома ' || n END,
              CASE WHEN n % 4 = 1 THEN 'closed' ELSE 'in_work' END,
              CASE WHEN n % 5 = 0 THEN $1::uuid ELSE (SELECT id FROM organisations WHERE code = 'cur') END,
              'Asia/Novosibirsk', r.at, r.at, r.at::date, r.at + make_interval(days => (n * 37 % 90)::int), 'test', 'x'
         FROM pairs CROSS JOIN LATERAL (
           SELECT date_trunc('second', now()) - make_interval(hours => (n * 9)::int) AS at) r`,
      [minzhkh],
    );
    await ds.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state)
       SELECT id, organisation_id, 'responsible', registered_at, 1, 'active' FROM appeals`,
    );
    await ds.query('ANALYZE appeals; ANALYZE applicants; ANALYZE appeal_organisations');
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  const paged = async (
    q: string,
    scope: AccessScope,
    extra: Pick<AppealListFilter, 'sort' | 'status' | 'assigneeId'> = {},
  ): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await queries.list({ q, limit: 40, cursor, ...extra }, scope);
      ids.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return ids;
  };
  const everything = async (
    q: string,
    organisationIds: string[] | null,
    extra: Pick<AppealListFilter, 'sort' | 'status'> & { assignee?: string } = {},
  ): Promise<string[]> => {
    const params: unknown[] = [organisationIds, extra.status ?? null, extra.assignee ?? null];
    const order = extra.sort === 'due' ? 'a.answer_due_at, a.id' : 'a.registered_at DESC, a.id DESC';
    const rows = (await ds.query(
      `SELECT a.id FROM appeals a
        WHERE ($1::uuid[] IS NULL OR EXISTS (SELECT 1 FROM appeal_organisations ao
                                              WHERE ao.appeal_id = a.id AND ao.organisation_id = ANY($1)))
          AND ($2::text[] IS NULL OR a.status = ANY($2))
          AND ($3::uuid IS NULL OR a.assignee_id = $3 OR EXISTS (SELECT 1 FROM appeal_organisations pa
                                                                  WHERE pa.appeal_id = a.id AND pa.assignee_id = $3))
          AND ${searchSql(q, params)}
        ORDER BY ${order}`,
      params,
    )) as { id: string }[];
    return rows.map((r) => r.id);
  };

  it.each([
    ['a common word', 'отопление', 900],
    ['a rare word found only years back', 'зоопарк', 5],
    ['a phrase', 'детский сад', 900],
    ['a surname', 'Кузнецова', 400],
    ['a number fragment', '2026-0001', 90],
    ['a phone', '913 000-12-3', 9],
  ])('%s, newest first and by due date, pages equal matching everything', async (_, q, atLeast) => {
    const all = await everything(q, null);
    expect(all.length).toBeGreaterThanOrEqual(atLeast);
    expect(await paged(q, SYSTEM_SCOPE)).toEqual(all);
    expect(await paged(q, SYSTEM_SCOPE, { sort: 'due' })).toEqual(await everything(q, null, { sort: 'due' }));
  });

  it.each([
    ['only stop words', 'и в на', 0],
    ['a word left out', '-зоопарк', 2900],
    ['a word and another left out', 'дороге -зоопарк', 1900],
  ])('%s, newest first, pages equal matching everything', async (_, q, atLeast) => {
    const all = await everything(q, null);
    expect(all.length).toBeGreaterThanOrEqual(atLeast);
    expect(await paged(q, SYSTEM_SCOPE)).toEqual(all);
  });

  it('keeps several statuses inside the newest-first text search', async () => {
    const status = [AppealStatus.InWork, AppealStatus.Closed];
    const all = await everything('отопление', null, { status });
    expect(all.length).toBeGreaterThanOrEqual(900);
    expect(await paged('отопление', SYSTEM_SCOPE, { status })).toEqual(all);
    const closed = await everything('зоопарк', null, { status: [AppealStatus.Closed] });
    expect(await paged('зоопарк', SYSTEM_SCOPE, { status: [AppealStatus.Closed] })).toEqual(closed);
  });

  it('counts a search up to its cap, in scope and with the filter', async () => {
    expect(await queries.count({ q: 'отопление' }, SYSTEM_SCOPE)).toEqual({
      total: SEARCH_COUNT_CAP,
      capped: true,
    });
    for (const q of ['зоопарк', 'Кузнецова']) {
      const mine = await everything(q, clerk.organisationIds, { status: [AppealStatus.InWork] });
      expect(mine.length).toBeLessThan(SEARCH_COUNT_CAP);
      expect(await queries.count({ q, status: [AppealStatus.InWork] }, clerk)).toEqual({
        total: mine.length,
        capped: false,
      });
    }
    expect(await queries.count({ status: [AppealStatus.Closed] }, SYSTEM_SCOPE)).toEqual({
      total: 750,
      capped: false,
    });
  });

  it('keeps a filter and the clerk’s scope inside every way of matching', async () => {
    for (const q of ['отопление', 'Кузнецова', 'зоопарк']) {
      const mine = await everything(q, clerk.organisationIds, { status: [AppealStatus.InWork] });
      expect(mine.length).toBeGreaterThan(0);
      expect(await paged(q, clerk, { status: [AppealStatus.InWork] })).toEqual(mine);
    }
  });

  it('keeps to the clerk’s scope inside the index, in both orders, without and with statuses', async () => {
    for (const q of ['отопление', 'зоопарк', 'дороге -зоопарк']) {
      expect(await paged(q, clerk)).toEqual(await everything(q, clerk.organisationIds));
      expect(await paged(q, clerk, { sort: 'due' })).toEqual(
        await everything(q, clerk.organisationIds, { sort: 'due' }),
      );
      const status = [AppealStatus.Closed];
      expect(await paged(q, clerk, { sort: 'due', status })).toEqual(
        await everything(q, clerk.organisationIds, { sort: 'due', status }),
      );
    }
    expect((await everything('зоопарк', clerk.organisationIds)).length).toBeGreaterThan(0);
  });

  it('keeps to a scope of two organisations inside the per-organisation index: a phrase, a word left out', async () => {
    // Line-2 parts at mintrans on every seventh appeal (every 35th is then minzhkh's too).
    const mintrans = await idOf(ds, 'organisations', 'mintrans');
    await ds.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state)
       SELECT id, $1, 'co-executor', registered_at, 2, 'active' FROM appeals
        WHERE substring(registration_number from 6)::int % 7 = 0`,
      [mintrans],
    );
    try {
      const both: AccessScope = { ...clerk, organisationIds: [clerk.organisationId, mintrans] };
      for (const q of ['отопление', 'детский сад', 'дороге -зоопарк', 'зоопарк']) {
        const all = await everything(q, both.organisationIds);
        expect(all.length).toBeGreaterThan(0);
        expect(await paged(q, both)).toEqual(all);
        expect(await paged(q, both, { sort: 'due' })).toEqual(
          await everything(q, both.organisationIds, { sort: 'due' }),
        );
      }
      // Each organisation's own appeals are among them, and so is one held by both.
      const heating = await paged('отопление', both);
      expect(heating.length).toBeGreaterThan((await everything('отопление', [mintrans])).length);
      expect(heating.length).toBeGreaterThan((await everything('отопление', clerk.organisationIds)).length);
    } finally {
      await ds.query(`DELETE FROM appeal_organisations WHERE organisation_id = $1`, [mintrans]);
    }
  });

  it('by due date with statuses, pages equal matching everything', async () => {
    for (const q of ['отопление', 'зоопарк']) {
      const status = [AppealStatus.InWork];
      expect(await paged(q, SYSTEM_SCOPE, { sort: 'due', status })).toEqual(
        await everything(q, null, { sort: 'due', status }),
      );
    }
  });

  it('never shows an appeal outside the scope, and shows one once a part of it is the clerk’s', async () => {
    const [outside] = (await ds.query(
      `SELECT a.id FROM appeals a WHERE a.organisation_id <> $1 AND a.text LIKE '%отоплени%'
        ORDER BY a.registered_at DESC LIMIT 1`,
      [clerk.organisationId],
    )) as { id: string }[];
    const clerkFinds = async () => [
      ...(await paged('отопление', clerk)),
      ...(await paged('отопление', clerk, { sort: 'due' })),
      ...(await paged('отопление', clerk, { status: [AppealStatus.InWork, AppealStatus.Closed] })),
    ];
    expect(await paged('отопление', SYSTEM_SCOPE)).toContain(outside.id);
    const clerkFound = await clerkFinds();
    // Not nothing: an empty result would pass every check below (the clerk's organisation has such appeals).
    expect(clerkFound.length).toBeGreaterThan(0);
    expect(clerkFound).not.toContain(outside.id);
    for (const found of clerkFound) {
      expect(
        await ds.query(`SELECT 1 FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2`, [
          found,
          clerk.organisationId,
        ]),
      ).toHaveLength(1);
    }
    // A line-2 part at the clerk's organisation (the trigger lists it on the appeal, inside the index).
    await ds.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state)
       VALUES ($1, $2, 'co-executor', now(), 2, 'active')`,
      [outside.id, clerk.organisationId],
    );
    try {
      expect(await paged('отопление', clerk)).toEqual(await everything('отопление', clerk.organisationIds));
      expect(await paged('отопление', clerk)).toContain(outside.id);
    } finally {
      await ds.query(`DELETE FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2`, [
        outside.id,
        clerk.organisationId,
      ]);
    }
    // Removed again (the trigger recomputes the list): out of sight again.
    expect(await clerkFinds()).not.toContain(outside.id);
  });

  it('«Мои»: the appeals the clerk holds, or holds a part of, in both orders', async () => {
    // Every 11th of the clerk's organisation's appeals is its own; every 13th has its part held by the clerk.
    await ds.query(
      `UPDATE appeals a SET assignee_id = $1 WHERE a.organisation_id = $2
          AND (substring(a.registration_number from 6)::int % 11) = 0`,
      [clerk.userId, clerk.organisationId],
    );
    await ds.query(
      `UPDATE appeal_organisations p SET assignee_id = $1 FROM appeals a
        WHERE a.id = p.appeal_id AND p.organisation_id = $2 AND (substring(a.registration_number from 6)::int % 13) = 0`,
      [clerk.userId, clerk.organisationId],
    );
    for (const q of ['отопление', 'дороге', 'зоопарк']) {
      const mine = await everything(q, clerk.organisationIds, { assignee: clerk.userId });
      expect(await paged(q, clerk, { assigneeId: 'me' })).toEqual(mine);
      expect(await paged(q, clerk, { assigneeId: 'me', sort: 'due' })).toEqual(
        await everything(q, clerk.organisationIds, { assignee: clerk.userId, sort: 'due' }),
      );
      if (q !== 'зоопарк') expect(mine.length).toBeGreaterThan(5);
    }
  });
});
