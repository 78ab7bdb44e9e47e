import { AppealStatus } from '../../libs/appeals/src/appeal-status';
import { searchWindowReads } from '../support/search-windows';
import { createTestDatabase, type TestDatabase, appealsWithOwnPeopleSql } from '../support/test-database';

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
