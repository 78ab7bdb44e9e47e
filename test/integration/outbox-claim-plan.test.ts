import { CLAIM_SQL } from '../../libs/channels/src/appeal-events-outbox.repository';
import { appealsWithOwnPeopleSql, createTestDatabase, type TestDatabase } from '../support/test-database';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** Every row a plan's nodes produced or filtered out, over all their loops. */
function rowsTouched(node: PlanNode): number {
  const own = (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops'];
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsTouched(child), 0);
}

function nodeTypesOf(node: PlanNode): string[] {
  return [node['Node Type'], ...(node.Plans ?? []).flatMap(nodeTypesOf)];
}

function indexesOf(node: PlanNode): string[] {
  return [...(node['Index Name'] ? [node['Index Name']] : []), ...(node.Plans ?? []).flatMap(indexesOf)];
}

/**
 * Issue 18: a consumer's claim reads its batch, not the backlog. With 3 000 rows waiting for the consumer and
 * 6 000 for another, the claim of 200 read every row due now of every consumer and every row of its own (a
 * BitmapAnd), then sorted them, once per batch: in `bench ingest` a tenth of Postgres's CPU. With the consumer's
 * pending rows indexed in order it must read about its batch, whether or not the table has been analysed (the
 * bench's fresh database never is), and still hold back an appeal's events behind one that backs off. Since the
 * claim leases its rows (an UPDATE), that update too must find them by key.
 */
describe('a consumer’s outbox claim (integration)', () => {
  let db: TestDatabase;
  let heldAppeal: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(
      `INSERT INTO event_consumers (name, channels, types)
       VALUES ('claim-test', '{*}', '{claim-test}'), ('claim-other', '{*}', '{claim-other}')`,
    );
    await db.dataSource.query(
      `${appealsWithOwnPeopleSql({ count: 300, prefix: 'claim-' })}
       SELECT '2026-c' || n, now(), now(), 'appeal', 'operator', 'claim-' || n, item_id, applicant_id,
              'Текст обращения ' || n, 'registered', (SELECT id FROM organisations ORDER BY code LIMIT 1),
              'Asia/Novosibirsk', now(), now(), current_date + 30, now() + interval '30 days', 'test', 'x'
         FROM pairs`,
    );
    // Ten events an appeal for the consumer, twenty for the other one: the trigger queues their rows.
    await db.dataSource.query(
      `INSERT INTO appeal_events (appeal_id, type, data)
       SELECT a.id, t.type, '{}' FROM appeals a,
              LATERAL (SELECT 'claim-test' AS type FROM generate_series(1, 10)
                       UNION ALL SELECT 'claim-other' FROM generate_series(1, 20)) t`,
    );
    // The consumer's oldest event backs off after a failure: its appeal's later events must wait for it.
    const [held] = (await db.dataSource.query(
      `UPDATE event_outbox SET attempts = 1, next_attempt_at = now() + interval '1 hour'
        WHERE consumer = 'claim-test'
          AND event_id = (SELECT min(event_id) FROM event_outbox WHERE consumer = 'claim-test')
        RETURNING appeal_id`,
    )) as { appeal_id: string }[];
    heldAppeal = held.appeal_id;
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
  });

  /** The claim's plan (its leases rolled back), then a claim of 200 for a minute's lease. */
  const claim = async () => {
    const params = (lease: string) => ['claim-test', 200, lease, 60_000];
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    let plan: PlanNode;
    try {
      await runner.startTransaction();
      const [row] = (await runner.query(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${CLAIM_SQL}`,
        params('00000000-0000-4000-8000-000000000001'),
      )) as { 'QUERY PLAN': [{ Plan: PlanNode }] }[];
      plan = row['QUERY PLAN'][0].Plan;
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    const claimed = (await db.dataSource.query(
      CLAIM_SQL,
      params('00000000-0000-4000-8000-000000000002'),
    )) as { appealId: string }[];
    return { plan, claimed };
  };

  it.each([
    ['on a table never analysed', false],
    ['after ANALYZE', true],
  ])('reads about its batch of 200 of 3 000 waiting rows (9 000 in all), %s', async (_, analyse) => {
    if (analyse) await db.dataSource.query('ANALYZE event_outbox; ANALYZE appeal_events; ANALYZE appeals');
    const { plan, claimed } = await claim();
    expect(indexesOf(plan)).toContain('event_outbox_claim_idx');
    // The lease finds its rows again by key, not by a scan of the table (a join to them was planned as one).
    expect(indexesOf(plan)).toContain('event_outbox_pkey');
    expect(nodeTypesOf(plan)).not.toContain('Seq Scan');
    // Each of the 200 rows: itself, its event, its appeal and the look at its appeal's earlier rows.
    expect(rowsTouched(plan)).toBeLessThan(5_000);
    expect(claimed).toHaveLength(200);
    expect(claimed.map((c) => c.appealId)).not.toContain(heldAppeal);
  });

  // The lease's columns are in no index and the pages keep room (migration OutboxLeaseInPlace): leasing a row
  // writes no index entry. Leasing by `next_attempt_at` (in two indexes) made every claimed row a new version
  // in all five of its indexes.
  it('leases its rows with heap-only updates', async () => {
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    try {
      // The backend's counts not yet reported include its earlier transactions': the claim's own are the difference.
      const counts = async () =>
        (
          (await runner.query(
            `SELECT pg_stat_get_xact_tuples_updated('event_outbox'::regclass)::int AS updated,
                    pg_stat_get_xact_tuples_hot_updated('event_outbox'::regclass)::int AS hot`,
          )) as { updated: number; hot: number }[]
        )[0];
      await runner.startTransaction();
      const before = await counts();
      const claimed = (await runner.query(CLAIM_SQL, [
        'claim-test',
        200,
        '00000000-0000-4000-8000-000000000003',
        60_000,
      ])) as unknown[];
      const after = await counts();
      expect(claimed).toHaveLength(200);
      expect({ updated: after.updated - before.updated, hot: after.hot - before.hot }).toEqual({
        updated: 200,
        hot: 200,
      });
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
