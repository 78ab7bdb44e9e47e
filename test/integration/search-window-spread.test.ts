import { SYSTEM_SCOPE } from '@inbox/access';
import { AppealsRepository } from '../../libs/appeals/src/repositories/appeals.repository';
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
    // What the repository sends (TypeORM's query, called through): each window's statement is counted again
    // without its limit, which is every match the window reads from the table to order.
    const sent: [string, unknown[]][] = [];
    const query = db.dataSource.query.bind(db.dataSource);
    const spy = jest.spyOn(db.dataSource, 'query').mockImplementation((sql: string, params?: unknown[]) => {
      sent.push([sql, params ?? []]);
      return query(sql, params);
    });
    let page;
    try {
      page = await new AppealsRepository(db.dataSource).list(
        { q: 'грузовик', sort: 'due', limit: 50 },
        SYSTEM_SCOPE,
      );
    } finally {
      spy.mockRestore();
    }
    expect(page.items).toHaveLength(50);
    const windows = sent.filter(([sql]) =>
      /ORDER BY a\.answer_due_at ASC, a\.id ASC\s+LIMIT \$\d+\s*$/.test(sql),
    );
    expect(windows.length).toBeGreaterThan(0);
    let read = 0;
    for (const [sql, params] of windows) {
      const all = sql.replace(/LIMIT (\$\d+)\s*$/, 'LIMIT NULLIF($1::bigint, $1::bigint)');
      const [{ n }] = (await db.dataSource.query(`SELECT count(*)::int AS n FROM (${all}) w`, params)) as {
        n: number;
      }[];
      read += n;
    }
    // 780 match; windows sized in time read all of them (the third reached the last due time).
    expect(read).toBeLessThanOrEqual(4 * 51);
  });
});
