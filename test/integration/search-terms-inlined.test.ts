import { type QueryRunner } from 'typeorm';
import {
  FIRST_FORM,
  SearchTermsInlined1796204720000,
} from '../../migrations/1796204720000-SearchTermsInlined';
import { APPEAL_SEARCH_INDEX_SQL } from '../../libs/appeals/src/repositories/appeals.repository';
import { appealsWithOwnPeopleSql, createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Migration SearchTermsInlined: `appeal_search_terms` lost its sub-select so that Postgres inlines it (an executor
 * of its own for every call before, twice a row version of `appeals`). Its lexemes must stay those of the first
 * form (AppealSearchScopeIndex), which both search indexes hold for every appeal written before; and a session that
 * read the index's expression before the change must still plan its searches by the index after it.
 */
describe('appeal_search_terms, inlined', () => {
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
