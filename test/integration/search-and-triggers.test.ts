import { type QueryRunner } from 'typeorm';
import { AppealStatus } from '../../libs/appeals/src/appeal-status';
import { APPEAL_SEARCH_INDEX_SQL } from '../../libs/appeals/src/repositories/appeals.repository';
import {
  FIRST_FORM,
  SearchTermsInlined1796204720000,
} from '../../migrations/1796204720000-SearchTermsInlined';
import { PartListedLooksFirst1796205000000 } from '../../migrations/1796205000000-PartListedLooksFirst';
import { restoreEnvironmentAfterBlock } from '../support/folded-files';
import { searchWindowReads } from '../support/search-windows';
import { appealsWithOwnPeopleSql, createTestDatabase, type TestDatabase } from '../support/test-database';

/*
 * Four files folded into one (search-terms-inlined, part-listed-looks-first, search-burst-windows and
 * search-window-spread): jest loads the database's modules once for them, not four times. Each describe block
 * keeps its own stack, context or database, and gets the environment back as it was when it ends.
 */

/**
 * Migration SearchTermsInlined: `appeal_search_terms` lost its sub-select so that Postgres inlines it (an executor
 * of its own for every call before, twice a row version of `appeals`). Its lexemes must stay those of the first
 * form (AppealSearchScopeIndex), which both search indexes hold for every appeal written before; and a session that
 * read the index's expression before the change must still plan its searches by the index after it.
 */
describe('appeal_search_terms, inlined', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(
      `${appealsWithOwnPeopleSql({ count: 200, prefix: 'inl-' })}
       SELECT '2026-' || lpad(n::text, 6, '0'), now() - n * interval '37 minutes', now(), 'appeal', 'operator',
              'inl-' || n, item_id, applicant_id, 'Во дворе дома ' || n || ' не убран снег', 'registered',
              (SELECT id FROM organisations WHERE code = 'cur'), 'Asia/Novosibirsk', now(), now(), current_date,
              now() + n * interval '5 hours', 'test', 'x'
         FROM pairs`,
    );
    await db.dataSource.query(`ANALYZE appeals`);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('gives the lexemes of its first form, whatever the times, statuses and organisations', async () => {
    const [row] = (await db.dataSource.query(
      `WITH v AS (
         SELECT r AS registered, d AS due, s AS status, o AS organisations
           FROM generate_series(timestamptz '1969-12-31 23:30+00', timestamptz '2031-06-01', interval '997 hours') r,
                LATERAL (VALUES (r + interval '17 days 3 hours'), (r - interval '1 second')) dd(d),
                unnest(ARRAY['registered', 'in_work', 'answered']) s,
                LATERAL (VALUES (NULL::uuid[]), ('{}'::uuid[]), (ARRAY[gen_random_uuid()]),
                                (ARRAY[gen_random_uuid(), gen_random_uuid(), gen_random_uuid()])) oo(o)
       )
       SELECT count(*)::int AS n,
              count(*) FILTER (WHERE appeal_search_terms(registered, due, status, organisations)::text <> (${FIRST_FORM})::text)::int AS differ,
              count(*) FILTER (WHERE cardinality(organisations) = 3 AND length(appeal_search_terms(registered, due, status, organisations)) = 12)::int
                AS three
         FROM v`,
    )) as { n: number; differ: number; three: number }[];
    expect(row.n).toBeGreaterThan(10_000);
    expect(row.three).toBe(row.n / 4);
    expect(row.differ).toBe(0);
  });

  it('is inlined: the plan evaluates its body, calls no function of that name', async () => {
    const plan = (await db.dataSource.query(
      `EXPLAIN VERBOSE SELECT appeal_search_terms(a.registered_at, a.answer_due_at, a.status, a.part_organisation_ids)
         FROM appeals a`,
    )) as { 'QUERY PLAN': string }[];
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('array_to_tsvector');
    expect(text).not.toContain('appeal_search_terms(');
  });

  it('a session that planned a search before the change (or its undoing) still finds by the index after it', async () => {
    const session = db.dataSource.createQueryRunner();
    const migrating = db.dataSource.createQueryRunner();
    const migration = new SearchTermsInlined1796204720000();
    const search = async (runner: QueryRunner) => {
      await runner.query('SET enable_seqscan = off');
      const plan = (await runner.query(
        `EXPLAIN SELECT a.id FROM appeals a WHERE ${APPEAL_SEARCH_INDEX_SQL} @@ 's#registered'::tsquery`,
      )) as { 'QUERY PLAN': string }[];
      const found = (await runner.query(
        `SELECT count(*)::int AS n FROM appeals a WHERE ${APPEAL_SEARCH_INDEX_SQL} @@ 's#registered'::tsquery`,
      )) as { n: number }[];
      return { plan: plan.map((r) => r['QUERY PLAN']).join('\n'), found: found[0].n };
    };
    try {
      await session.connect();
      await migrating.connect();
      expect(await search(session)).toEqual({
        plan: expect.stringContaining('appeals_search_terms_idx'),
        found: 200,
      });
      await migration.down(migrating);
      expect(await search(session)).toEqual({
        plan: expect.stringContaining('appeals_search_terms_idx'),
        found: 200,
      });
      await migration.up(migrating);
      expect(await search(session)).toEqual({
        plan: expect.stringContaining('appeals_search_terms_idx'),
        found: 200,
      });
    } finally {
      await session.release();
      await migrating.release();
    }
  });
});

/**
 * Migration PartListedLooksFirst: a part whose organisation the appeal already lists (registration writes the list
 * with the appeal) runs no UPDATE of `appeals` — an UPDATE opens every index of the table and fires its statement
 * triggers even when it finds nothing; a part it does not list still adds the organisation, and a part removed
 * still recomputes the list.
 */
describe('appeal_organisations: the part trigger looks before it updates', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;
  let appeals: string[];
  let cur: string;
  let other: string;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    db.dataSource.query(query, params) as Promise<T[]>;

  beforeAll(async () => {
    db = await createTestDatabase();
    await sql(
      `${appealsWithOwnPeopleSql({ count: 3, prefix: 'plf-' })}
       SELECT '2026-' || lpad(n::text, 6, '0'), now(), now(), 'appeal', 'operator', 'plf-' || n, item_id,
              applicant_id, 'Не убран снег во дворе', 'registered', (SELECT id FROM organisations WHERE code = 'cur'),
              'Asia/Novosibirsk', now(), now(), current_date, now() + interval '30 days', 'test', 'x'
         FROM pairs`,
    );
    appeals = (
      await sql<{ id: string }>(`SELECT id FROM appeals WHERE external_id LIKE 'plf-%' ORDER BY external_id`)
    ).map((r) => r.id);
    [{ id: cur }] = await sql<{ id: string }>(`SELECT id FROM organisations WHERE code = 'cur'`);
    [{ id: other }] = await sql<{ id: string }>(
      `SELECT id FROM organisations WHERE id <> $1 ORDER BY code LIMIT 1`,
      [cur],
    );
    // As registration leaves it: the responsible organisation listed with the appeal (the first two appeals).
    await sql(`UPDATE appeals SET part_organisation_ids = ARRAY[$1::uuid] WHERE id = ANY ($2)`, [
      cur,
      appeals.slice(0, 2),
    ]);
    // Every UPDATE statement on appeals, counted (a statement trigger fires even when no row changes).
    await sql(`
      CREATE TABLE test_appeal_updates (n integer NOT NULL DEFAULT 1);
      CREATE FUNCTION test_appeal_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO test_appeal_updates DEFAULT VALUES; RETURN NULL; END $$;
      CREATE TRIGGER test_appeal_updates AFTER UPDATE ON appeals FOR EACH STATEMENT EXECUTE FUNCTION test_appeal_update();
    `);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const updates = async () => {
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM test_appeal_updates`);
    await sql(`DELETE FROM test_appeal_updates`);
    return n;
  };
  const listed = async (id: string) =>
    (await sql<{ ids: string[] }>(`SELECT part_organisation_ids AS ids FROM appeals WHERE id = $1`, [id]))[0]
      .ids;
  const addPart = (appealId: string, organisationId: string) =>
    sql(`INSERT INTO appeal_organisations (appeal_id, organisation_id) VALUES ($1, $2)`, [
      appealId,
      organisationId,
    ]);

  it('runs no UPDATE of appeals for a part the appeal already lists', async () => {
    await updates();
    await sql(`INSERT INTO appeal_organisations (appeal_id, organisation_id) SELECT unnest($1::uuid[]), $2`, [
      appeals.slice(0, 2),
      cur,
    ]);
    expect(await updates()).toBe(0);
    expect(await listed(appeals[0])).toEqual([cur]);
  });

  it('adds an organisation the appeal does not list, and a removed part leaves the list', async () => {
    await addPart(appeals[0], other);
    expect(await updates()).toBe(1);
    expect([...(await listed(appeals[0]))].sort()).toEqual([cur, other].sort());
    await addPart(appeals[2], other);
    expect(await listed(appeals[2])).toEqual([other]);
    await sql(`DELETE FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2`, [
      appeals[0],
      other,
    ]);
    expect(await listed(appeals[0])).toEqual([cur]);
  });

  it('is undone and redone by the migration', async () => {
    const runner = db.dataSource.createQueryRunner();
    try {
      await new PartListedLooksFirst1796205000000().down(runner);
      await updates();
      await addPart(appeals[1], other);
      await sql(`DELETE FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2`, [
        appeals[1],
        other,
      ]);
      await updates();
      // The first form: an UPDATE statement that finds nothing, for a part already listed.
      await sql(`DELETE FROM appeal_organisations WHERE appeal_id = $1`, [appeals[1]]);
      await sql(`UPDATE appeals SET part_organisation_ids = ARRAY[$1::uuid] WHERE id = $2`, [
        cur,
        appeals[1],
      ]);
      await updates();
      await addPart(appeals[1], cur);
      expect(await updates()).toBe(1);
      await new PartListedLooksFirst1796205000000().up(runner);
      await sql(`DELETE FROM appeal_organisations WHERE appeal_id = $1`, [appeals[1]]);
      await sql(`UPDATE appeals SET part_organisation_ids = ARRAY[$1::uuid] WHERE id = $2`, [
        cur,
        appeals[1],
      ]);
      await updates();
      await addPart(appeals[1], cur);
      expect(await updates()).toBe(0);
      expect(await listed(appeals[1])).toEqual([cur]);
    } finally {
      await runner.release();
    }
  });
});

/**
 * Issue 18: a registration pass stamps its whole batch with one time, so after an ingest ANALYZE keeps the burst's
 * times as the most common values of `registered_at`, which pg_stats leaves out of the histogram. Sized from the
 * histogram alone, the newest window «of 2 040 appeals» spanned 2 040 older ones and the whole burst. Sized for the
 * whole table, a window for a status the burst does not hold (in work) spanned the burst and then grew sixteen
 * times. Here 30 000 appeals over 300 days (of the last 200 one in three in work) and a burst of 10 000
 * registered ten minutes ago in batches of 40 (one time a batch); one appeal in 40 has the word «прошу», every
 * one «дорога».
 */
describe('search windows over a burst registered in batches (integration)', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(
      `${appealsWithOwnPeopleSql({ count: 40000, prefix: 'burst-' })}
       SELECT '2026-' || lpad(n::text, 6, '0'), d.at, d.at, 'appeal', 'operator', 'burst-' || n, item_id,
              applicant_id,
              CASE WHEN n % 40 = 0 THEN 'Прошу починить дорогу у дома ' || n ELSE 'Яма на дороге у дома ' || n END,
              CASE WHEN n > 30000 THEN 'registered' WHEN n <= 10000 THEN 'closed'
                   WHEN n % 3 = 0 THEN 'in_work' ELSE 'answered' END,
              (SELECT id FROM organisations WHERE code = 'cur'), 'Asia/Novosibirsk', d.at, d.at,
              (d.at + interval '30 days')::date, d.at + interval '30 days', 'test', 'x'
         FROM pairs CROSS JOIN LATERAL (
           SELECT CASE WHEN n <= 30000 THEN now() - interval '1 hour' - interval '300 days' * (30000 - n) / 30000
                       ELSE date_trunc('second', now()) - interval '10 minutes' + interval '1 second' * ((n - 30001) / 40)
                  END AS at) d`,
    );
    await db.dataSource.query('ANALYZE appeals');
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** Every match the windows of a page of `q` read, newest first. */
  async function matchesRead(status?: AppealStatus[], q = 'прошу') {
    const { items, windows, read } = await searchWindowReads(db, { q, status, limit: 50 });
    expect(windows).toBeGreaterThan(0);
    return { items, read };
  }

  it('newest first, reads about a page of the burst, not every burst after the histogram', async () => {
    const { items, read } = await matchesRead();
    expect(items).toBe(50);
    // The histogram alone: the window spans the whole burst (250 matches) and 2 040 appeals before it (289 read).
    expect(read).toBeLessThanOrEqual(2 * 51);
  });

  it('in work, reads about a page of the appeals in work, not windows sized for the burst', async () => {
    const { items, read } = await matchesRead([AppealStatus.InWork]);
    expect(items).toBe(50);
    // Sized for the whole table with the burst counted, the first window is the burst (none in work), the next
    // sixteen times larger holds every appeal in work (167 read). Sized from the histogram alone: 64.
    expect(read).toBeLessThanOrEqual(2 * 51);
  });

  it('sizes the first window for a word in every appeal from the text’s statistics, newest first and in work', async () => {
    // «дорога» is in every text: a first window for a word in one appeal of 40 read 40 times the page (2 040).
    for (const status of [undefined, [AppealStatus.InWork]]) {
      const { items, read } = await matchesRead(status, 'дорога');
      expect(items).toBe(50);
      expect(read).toBeLessThanOrEqual(2 * 51);
    }
  });
});

/**
 * Issue 18: the windowed search sizes its windows by the appeals they span, not by time. Here the first 300 days of
 * due times hold 1 000 appeals (none with the word) and the next 30 days 39 000 (one in 50 with it), as the first
 * days of due times hold only fast-track appeals at 10 M: windows sized in time found nothing in the sparse days,
 * grew sixteen times and read every match of the word to return a page; sized in appeals they read a few pages'
 * worth.
 */
describe('search windows sized by the appeals they span (integration)', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(
      `${appealsWithOwnPeopleSql({ count: 40000, prefix: 'spread-' })}
       SELECT '2026-' || lpad(n::text, 6, '0'), d.at - interval '30 days', d.at - interval '30 days', 'appeal',
              'operator', 'spread-' || n, item_id, applicant_id,
              CASE WHEN n > 1000 AND n % 50 = 0 THEN 'Грузовик разбил дорогу у дома ' || n
                   ELSE 'Яма на дороге у дома ' || n END,
              'in_work', (SELECT id FROM organisations WHERE code = 'cur'), 'Asia/Novosibirsk', d.at, d.at,
              d.at::date, d.at, 'test', 'x'
         FROM pairs CROSS JOIN LATERAL (
           SELECT CASE WHEN n <= 1000 THEN now() - interval '330 days' + interval '300 days' * n / 1000
                       ELSE now() - interval '30 days' + interval '30 days' * (n - 1000) / 39000 END AS at) d`,
    );
    await db.dataSource.query('ANALYZE appeals');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('finds a word absent from the sparse first days of due times reading a few pages of its matches', async () => {
    const { items, windows, read } = await searchWindowReads(db, { q: 'грузовик', sort: 'due', limit: 50 });
    expect(items).toBe(50);
    expect(windows).toBeGreaterThan(0);
    // 780 match; windows sized in time read all of them (the third reached the last due time).
    expect(read).toBeLessThanOrEqual(4 * 51);
  });
});
