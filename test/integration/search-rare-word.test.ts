import { searchWindowReads } from '../support/search-windows';
import { createTestDatabase, type TestDatabase, appealsWithOwnPeopleSql } from '../support/test-database';

/**
 * Issue 18: a rare word whose matches are all old. Its windows hold no page, so the search ends in its last,
 * unbounded query (everything older than the windows). Ordered by registration time with a limit, the planner
 * walked `appeals_registered_idx` backwards testing the text on every row (it takes a word its statistics do not
 * list for one appeal in 200): at 1 M appeals «грузовик» (46 matches) filtered 847 499 rows, 4.7 s. Here 200 000
 * appeals over 300 days, the 8 oldest with «грузовик», the 8 newest (the latest due) with «самосвал».
 */
describe('search of a rare word with old matches (integration)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(
      `${appealsWithOwnPeopleSql({ count: 200000, prefix: 'rare-' })}
       SELECT '2026-' || lpad(n::text, 6, '0'), d.at, d.at, 'appeal', 'operator', 'rare-' || n, item_id,
              applicant_id,
              CASE WHEN n <= 8 THEN 'Грузовик разбил дорогу у дома ' || n
                   WHEN n > 199992 THEN 'Самосвал разбил дорогу у дома ' || n ELSE 'Яма на дороге у дома ' || n END,
              'registered', (SELECT id FROM organisations WHERE code = 'cur'), 'Asia/Novosibirsk', d.at, d.at,
              (d.at + interval '30 days')::date, d.at + interval '30 days', 'test', 'x'
         FROM pairs CROSS JOIN LATERAL (
           SELECT now() - interval '1 hour' - interval '300 days' * (200000 - n) / 200000 AS at) d`,
    );
    await db.dataSource.query('ANALYZE appeals');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('newest first, region-wide, reads the word’s matches through the text’s index, not every older appeal', async () => {
    const { items, windows, read, filtered } = await searchWindowReads(db, { q: 'грузовик', limit: 50 });
    expect(items).toBe(8);
    expect(windows).toBeGreaterThan(0);
    expect(read).toBe(8);
    // Walking the registration index backwards from the last window, the rest filtered 165 312 rows.

    expect(filtered).toBeLessThan(500);
  });

  it('by due time reads them through the text’s index too', async () => {
    const { items, filtered } = await searchWindowReads(db, { q: 'самосвал', sort: 'due', limit: 50 });
    expect(items).toBe(8);

    expect(filtered).toBeLessThan(500);
  });
});

/**
 * Issue 18: a frequent word's page, region-wide. Its windows hold about a page of appeals each; read through the
 * GIN, the window's hour buckets were intersected with the word's postings, and where the window's appeals lie
 * apart in the table (as in the bench's fill, whose registration times are spread over its rows) that read a leaf
 * of the postings for nearly every appeal of the window: at 10 M bench appeals 1 012 buffers a window, growing
 * with the table. A small window is walked in the order's index instead. Here 40 000 appeals over 300 days, their
 * registration and due times spread over the table's rows, all but every tenth with «дорога».
 */
describe('search of a frequent word in appeals stored out of time order (integration)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(
      `${appealsWithOwnPeopleSql({ count: 40000, prefix: 'apart-' })}
       SELECT '2026-' || lpad(n::text, 6, '0'), d.at, d.at, 'appeal', 'operator', 'apart-' || n, item_id,
              applicant_id,
              CASE WHEN n % 10 = 0 THEN 'Сломан светофор у дома ' || n ELSE 'Яма на дороге у дома ' || n END,
              'registered', (SELECT id FROM organisations WHERE code = 'cur'), 'Asia/Novosibirsk', d.at, d.at,
              (d.at + interval '30 days')::date, d.at + interval '30 days', 'test', 'x'
         FROM pairs CROSS JOIN LATERAL (
           SELECT now() - interval '1 hour'
                  - interval '300 days' * ((n * 0.6180339887498949) - floor(n * 0.6180339887498949)) AS at) d`,
    );
    await db.dataSource.query('ANALYZE appeals');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each([
    ['newest first', undefined, 'appeals_registered_idx'],
    ['by due time', 'due' as const, 'appeals_due_idx'],
  ])('%s walks its small windows in the order’s index, not a GIN', async (_, sort, index) => {
    const { items, windows, read, filtered, indexes, statements } = await searchWindowReads(db, {
      q: 'дорога',
      sort,
      limit: 50,
    });
    expect(items).toBe(50);
    expect(windows).toBeGreaterThan(0);
    // No window offers the planner a GIN (at 10 M its estimates took one): the text is tested row by row.
    for (const sql of statements) expect(sql).not.toMatch(/@@/);
    expect(indexes).toContain(index);
    expect(indexes).not.toContain('appeals_search_terms_idx');
    expect(indexes).not.toContain('appeals_search_idx');
    expect(read + filtered).toBeLessThan(200);
  });
});
