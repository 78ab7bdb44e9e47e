import { OUTBOX_HEALTH_SQL } from '../../libs/channels/src/appeal-events-outbox.repository';
import { HEALTH_COUNT_CAP } from '../../libs/common/src/health';
import { ACCOUNTS_HEALTH_SQL, BACKLOG_SQL } from '../../libs/intake/src/intake.repository';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Issue 18: /health costs the same whatever the size of the history. Its intake backlog and the channel
 * accounts' open feed actions and the history outbox's figures are read through partial indexes that hold only
 * the rows counted, and every count stops at HEALTH_COUNT_CAP; with sequential scans priced out, the plans must
 * name those indexes and scan no table whole, and the figures must still say what waits (a backlog over the cap
 * reads as the cap).
 */
describe('/health reads only what it counts', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(
      `INSERT INTO inbound_items (channel, external_id, received_at, payload, status)
       SELECT 'operator', 'health-' || i, now(), '{}',
              CASE WHEN i <= 5 THEN 'pending' WHEN i <= 8 THEN 'quarantined' WHEN i <= 1508 THEN 'failed'
                   ELSE 'processed' END
         FROM generate_series(1, 20000) i`,
    );
    // One appeal whose 1 500 history events each queue a row for a consumer (the outbox's trigger); of those,
    // three are dead letters and two back off after a failure.
    await db.dataSource.query(
      `WITH p AS (INSERT INTO applicants (channel, surname) VALUES ('operator', 'Фамилия') RETURNING id)
       INSERT INTO appeals (registration_number, registered_at, received_at, regime, channel, external_id,
              inbound_item_id, applicant_id, text, status, organisation_id, time_zone, registration_due_at,
              redirect_due_at, answer_due_date, answer_due_at, calendar_version, access_code_hash)
       SELECT '2026-h00001', now(), now(), 'appeal', 'operator', 'health-1',
              (SELECT id FROM inbound_items WHERE external_id = 'health-20000'), p.id, 'Текст', 'in_work',
              (SELECT id FROM organisations WHERE code = 'cur'), 'Asia/Novosibirsk', now(), now(),
              current_date, now() + interval '30 days', 'test', 'x'
         FROM p`,
    );
    await db.dataSource.query(
      `INSERT INTO event_consumers (name, channels, types) VALUES ('health-test', '{*}', '{health-test}')`,
    );
    await db.dataSource.query(
      `INSERT INTO appeal_events (appeal_id, type, occurred_at)
       SELECT id, 'health-test', now() FROM appeals, generate_series(1, 1500)`,
    );
    await db.dataSource.query(
      `UPDATE event_outbox SET state = 'dead', failed_at = now(), attempts = 5
        WHERE event_id IN (SELECT event_id FROM event_outbox ORDER BY event_id LIMIT 3);
       UPDATE event_outbox SET attempts = 1, created_at = now() - interval '1 hour'
        WHERE event_id IN (SELECT event_id FROM event_outbox WHERE state = 'pending' ORDER BY event_id DESC LIMIT 2)`,
    );
    await db.dataSource.query('ANALYZE inbound_items; ANALYZE event_outbox');
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
    // 1 500 failed items read as the cap: at least that many.
    expect(HEALTH_COUNT_CAP).toBe(1000);
    expect(Object.fromEntries(rows.map((r) => [r.status, r.count]))).toEqual({
      pending: 5,
      quarantined: 3,
      failed: HEALTH_COUNT_CAP,
    });
  });

  it('reads the outbox’s figures through its partial indexes, capped', async () => {
    const p = await plan(OUTBOX_HEALTH_SQL);
    expect(p).toContain('event_outbox_retrying_idx');
    expect(p).toContain('event_outbox_dead_idx');
    expect(p).toContain('event_outbox_pending_created_idx');
    expect(p).not.toMatch(/Seq Scan on event_outbox/);
    const [row] = (await db.dataSource.query(OUTBOX_HEALTH_SQL)) as {
      pending: number;
      retrying: number;
      dead: number;
      oldestPendingAt: Date;
    }[];
    expect(row).toMatchObject({ pending: HEALTH_COUNT_CAP, retrying: 2, dead: 3 });
    expect(Date.now() - row.oldestPendingAt.getTime()).toBeGreaterThan(59 * 60_000);
  });

  it('counts the accounts’ open feed actions through their partial index', async () => {
    const p = await plan(ACCOUNTS_HEALTH_SQL);
    expect(p).toContain('feed_actions_account_open_idx');
    expect(p).not.toMatch(/Seq Scan on feed_actions/);
  });
});
