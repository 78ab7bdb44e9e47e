import { searchWindowReads } from '../support/search-windows';
import { createTestDatabase, type TestDatabase, appealsWithOwnPeopleSql } from '../support/test-database';

/**
 * Issue 18: the windowed search sizes its windows by the appeals they span, not by time. Here the first 300 days of
 * due times hold 1 000 appeals (none with the word) and the next 30 days 39 000 (one in 50 with it), as the first
 * days of due times hold only fast-track appeals at 10 M: windows sized in time found nothing in the sparse days,
 * grew sixteen times and read every match of the word to return a page; sized in appeals they read a few pages'
 * worth.
 */
describe('search windows sized by the appeals they span (integration)', () => {
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
