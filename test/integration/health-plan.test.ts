import { ACCOUNTS_HEALTH_SQL, BACKLOG_SQL } from '../../libs/intake/src/intake.repository';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Issue 18: /health costs the same whatever the size of the history. Its intake backlog and the channel
 * accounts' open feed actions are read through partial indexes that hold only the rows counted; with
 * sequential scans priced out, the plans must name those indexes and scan no table whole.
 */
describe('/health reads only what it counts', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(
      `INSERT INTO inbound_items (channel, external_id, received_at, payload, status)
       SELECT 'operator', 'health-' || i, now(), '{}',
              CASE WHEN i <= 5 THEN 'pending' WHEN i <= 8 THEN 'quarantined' ELSE 'processed' END
         FROM generate_series(1, 20000) i`,
    );
    await db.dataSource.query('ANALYZE inbound_items');
  });
  afterAll(async () => {
    await db?.drop();
  });

  const plan = (sql: string) =>
    db.dataSource.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const rows = (await tx.query(`EXPLAIN ${sql}`)) as { 'QUERY PLAN': string }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });

  it('counts the intake backlog through the partial index of unprocessed items', async () => {
    const p = await plan(BACKLOG_SQL);
    expect(p).toContain('inbound_items_unprocessed_idx');
    expect(p).not.toMatch(/Seq Scan on inbound_items/);
    const rows = (await db.dataSource.query(BACKLOG_SQL)) as { status: string; count: number }[];
    expect(Object.fromEntries(rows.map((r) => [r.status, r.count]))).toEqual({ pending: 5, quarantined: 3 });
  });

  it('counts the accounts’ open feed actions through their partial index', async () => {
    const p = await plan(ACCOUNTS_HEALTH_SQL);
    expect(p).toContain('feed_actions_account_open_idx');
    expect(p).not.toMatch(/Seq Scan on feed_actions/);
  });
});
