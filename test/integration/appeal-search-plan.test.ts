import { appealScopeLexemes, appealScopeTsquerySql, Role } from '@inbox/access';
import {
  APPEAL_SCOPE_SEARCH_INDEX_SQL,
  APPEAL_SEARCH_INDEX_SQL,
  AppealsRepository,
  bucketQuery,
  searchArms,
  searchSql,
} from '../../libs/appeals/src/repositories/appeals.repository';
import { createTestDatabase, type TestDatabase, appealsWithOwnPeopleSql } from '../support/test-database';

/**
 * Issue 12 "find anything" at scale: every way the inbox's search box finds an appeal can be served by an index
 * (the text's GIN, the registration number's and the phone digits' trigram GIN, lower(surname), lower(email)).
 * With sequential scans priced out, the plan of each kind of query must name its index and scan no table
 * whole; a way that lost its index (or a query that stopped matching the index's expression) fails here.
 */
describe('inbox search uses its indexes', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    // A region's worth of rows in proportion (one appeal per applicant): reading a small table whole is cheaper
    // than any index, so an empty database would prove nothing.
    await db.dataSource.query(
      `${appealsWithOwnPeopleSql({ count: 20000, prefix: 'plan-', people: { columns: 'surname, email, phone', values: `'Фамилия' || i, 'person' || i || '@mail.example', '+7913' || lpad(i::text, 7, '0')` } })}
       SELECT '2026-' || lpad(n::text, 6, '0'), now(), now(), 'appeal', 'operator', 'plan-' || n, item_id,
              applicant_id, 'Во дворе дома ' || n || ' не убран снег', 'registered',
              (SELECT id FROM organisations WHERE code = 'cur'), 'Asia/Novosibirsk', now(), now(), current_date,
              now(), 'test', 'x'
         FROM pairs`,
    );
    await db.dataSource.query('ANALYZE applicants; ANALYZE appeals');
  });
  afterAll(async () => {
    await db?.drop();
  });

  const plan = (q: string) =>
    db.dataSource.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const params: unknown[] = [];
      const where = searchSql(q, params);
      const rows = (await tx.query(`EXPLAIN SELECT a.id FROM appeals a WHERE ${where}`, params)) as {
        'QUERY PLAN': string;
      }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });

  /** The plan of a windowed text search: `where(organisation, params)` over 400 hours up to now, by `order`. */
  const windowPlan = (order: string, where: (organisationId: string, params: unknown[]) => string) =>
    db.dataSource.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const [{ id }] = (await tx.query(`SELECT id FROM organisations WHERE code = 'cur'`)) as {
        id: string;
      }[];
      const params: unknown[] = [];
      const rows = (await tx.query(
        `EXPLAIN SELECT a.id FROM appeals a WHERE ${where(id, params)} ORDER BY ${order} LIMIT 51`,
        params,
      )) as { 'QUERY PLAN': string }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  const ORDERS = [
    ['newest first', 'h', 'a.registered_at DESC'],
    ['by due date', 'd', 'a.answer_due_at'],
  ] as const;
  const window = (kind: 'h' | 'd') => `(${bucketQuery(Date.now() - 400 * 3_600_000, Date.now(), kind)})`;

  it.each(ORDERS)(
    'a text search %s reads words, hours, statuses and the scope from one index',
    async (_, kind, order) => {
      const text = await windowPlan(order, (id, params) => {
        params.push(
          'зоопарк',
          `${window(kind)} & 's#registered' & (${appealScopeLexemes({ organisationIds: [id] })})`,
        );
        return `${APPEAL_SEARCH_INDEX_SQL} @@ (websearch_to_tsquery('russian', $1) && $2::tsquery)`;
      });
      expect(text).toContain('appeals_search_terms_idx');
      expect(text).not.toMatch(/Seq Scan/);
    },
  );

  it.each(ORDERS)(
    'a text search %s in an organisation scope reads the organisation’s own words and hours',
    async (_, kind, order) => {
      const text = await windowPlan(order, (id, params) => {
        params.push('зоопарк', `${window(kind)} & 's#registered'`);
        const scoped = appealScopeTsquerySql(
          { organisationIds: [id] },
          params,
          `(websearch_to_tsquery('russian', $1) && $2::tsquery)`,
        );
        return `${APPEAL_SCOPE_SEARCH_INDEX_SQL} @@ ${scoped}`;
      });
      // The scope is inside the index's lexemes ('<organisation>#…'), so no other condition reads it.
      expect(text).toMatch(/Bitmap Index Scan on appeals_scope_search_idx/);
      expect(text).not.toMatch(/Seq Scan|appeals_search_terms_idx|appeal_organisations/);
    },
  );

  it.each(ORDERS)(
    'a clerk’s search %s probes no parts for the matches of a window, only for the page’s rows',
    async (_, __, order) => {
      const [{ id }] = (await db.dataSource.query(`SELECT id FROM organisations WHERE code = 'cur'`)) as {
        id: string;
      }[];
      // What the repository sends (TypeORM's query, called through): each window, then the page.
      const sent: [string, unknown[]][] = [];
      const query = db.dataSource.query.bind(db.dataSource);
      const spy = jest.spyOn(db.dataSource, 'query').mockImplementation((sql: string, params?: unknown[]) => {
        sent.push([sql, params ?? []]);
        return query(sql, params);
      });
      try {
        await new AppealsRepository(db.dataSource).list(
          { q: 'снег', sort: order === 'a.answer_due_at' ? 'due' : undefined },
          { userId: 'plan', role: Role.Clerk, organisationId: id, organisationIds: [id] },
        );
      } finally {
        spy.mockRestore();
      }
      const windows = sent.filter(([sql]) => sql.includes('appeal_scope_search_terms('));
      expect(windows.length).toBeGreaterThan(0);
      for (const [sql, params] of windows) {
        const text = await db.dataSource.transaction(async (tx) => {
          await tx.query('SET LOCAL enable_seqscan = off');
          const rows = (await tx.query(`EXPLAIN ${sql}`, params)) as { 'QUERY PLAN': string }[];
          return rows.map((r) => r['QUERY PLAN']).join('\n');
        });
        // The index's lexemes and the row's parts array keep a window to the scope: a probe of the parts for
        // each match read a page per match, most of a cold window's time at 10 M appeals.
        expect(text).toMatch(/Bitmap Index Scan on appeals_scope_search_idx/);
        expect(text).not.toMatch(/appeal_organisations|Seq Scan/);
      }
      // The page's rows are checked against the parts themselves.
      const page = sent.filter(([sql]) => sql.includes('unnest('));
      expect(page).toHaveLength(1);
      expect(page[0][0]).toMatch(
        /FROM appeals a JOIN organisations[\s\S]*WHERE a\.id IN \([\s\S]*\) AND EXISTS \(SELECT 1 FROM appeal_organisations scope_ao WHERE scope_ao\.appeal_id = a\.id/,
      );
    },
  );

  it.each([
    ['a word', 'снег', 10],
    ['a surname of one applicant', 'Фамилия123', 10],
  ])('the applicant arm of %s is estimated at what matches, not one applicant in 200', async (_, q, most) => {
    // The arm's indexes are partial (… WHERE surname IS NOT NULL), and the planner takes no statistics from them:
    // without the expressions' own (migration SearchPersonStatistics) it assumed 0.5 % of the applicants for each,
    // which at 10 M appeals priced the search's page over jit_above_cost.
    const params: unknown[] = [];
    const rows = (await db.dataSource.query(
      `EXPLAIN SELECT a.id FROM appeals a WHERE ${searchArms(q, params)[2]}`,
      params.slice(0, 1), // the arm names the text alone ($2 is the number's fragment)
    )) as { 'QUERY PLAN': string }[];
    const scan = rows.map((r) => r['QUERY PLAN']).find((line) => line.includes('on applicants p'));
    expect(Number(/rows=(\d+)/.exec(scan ?? '')?.[1])).toBeLessThanOrEqual(most);
  });

  it.each([
    ['a number fragment', '000123', ['appeals_registration_number_trgm']],
    ['a whole number', '2026-000123', ['appeals_registration_number_trgm']],
    ['a surname', 'Кузнецова', ['applicants_surname_lower_idx', 'appeals_search_idx']],
    ['a phone, any formatting', '8 (913) 555-12-34', ['applicants_phone_digits_trgm']],
    ['an e-mail', 'kuznetsova@mail.example', ['applicants_email_idx']],
  ])('%s', async (_, q, indexes) => {
    const text = await plan(q);
    for (const index of indexes) expect(text).toContain(index);
    expect(text).not.toMatch(/Seq Scan/);
  });
});
