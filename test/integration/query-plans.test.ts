import { Client } from 'pg';
import { createHash } from 'node:crypto';
import { keyedLegacyHash } from '../../libs/appeals/src/access-code';
import {
  ADD_FOLLOW_UPS_SQL,
  REGISTER_MANY_SQL,
  RegistrationRepository,
  UNKEYED_ACCESS_CODES_SQL,
} from '../../libs/appeals/src/repositories/registration.repository';
import { CLAIM_SQL, OUTBOX_HEALTH_SQL } from '../../libs/channels/src/appeal-events-outbox.repository';
import { CLAIMED_SQL } from '../../libs/classification/src/repositories/pipeline-appeals.repository';
import {
  ANY_LABELS_SQL,
  LABELLED_APPEALS_SQL,
} from '../../libs/classification/src/repositories/training-sources.repository';
import { HEALTH_COUNT_CAP } from '../../libs/common/src/health';
import { ACCOUNTS_HEALTH_SQL, BACKLOG_SQL } from '../../libs/intake/src/intake.repository';
import { EARLIER_ANSWERED_SQL } from '../../libs/legal-flags/src/legal-flags.repository';
import { restoreEnvironmentAfterBlock } from '../support/folded-files';
import { appealsWithOwnPeopleSql, createTestDatabase, type TestDatabase } from '../support/test-database';

/*
 * Eight files folded into one (appeal-indexes, registration-claim-plan, maintenance-search-path,
 * earlier-answered-plan, labelled-appeals-plan, outbox-claim-plan, outbox-trigger-plan and health-plan): jest
 * loads the database's modules once for them, not eight times. Each describe block keeps its own stack, context
 * or database, and gets the environment back as it was when it ends.
 */

/**
 * Issue 18: every write of an appeal's row (the registration's insert, the classification pass's update, a
 * follow-up's touch; none HOT) adds an entry to each index on `appeals`. Each index here has a statement that
 * reads it; one added without a reader, or one left after its reader went (migration UnreadAppealIndexes), costs
 * every appeal for nothing. Adding an index means naming its reader here.
 */
const READERS: Record<string, string> = {
  appeals_pkey: 'by id, everywhere',
  appeals_inbound_item_id_key: 'an item’s appeal (registration, follow-ups, feeds)',
  appeals_registration_number_key: 'by number (bot, lookups); unique',
  appeals_registered_idx: 'inbox newest first, search windows',
  appeals_due_idx: 'inbox by due date',
  appeals_applicant_idx: 'earlier appeals of an applicant (legal flags), retention',
  appeals_open_due_idx: 'clock sweep',
  appeals_escalation_due_idx: 'clock sweep (the escalation terms line 1 still holds)',
  appeals_fast_track_idx: 'fast-track filter by due date',
  appeals_open_fast_track_due_idx: 'dashboard fast-track list',
  appeals_open_id_idx: 'dashboard, count triggers',
  appeals_manual_queue_idx: 'manual classification queue',
  appeals_classification_pending_idx: 'classification pass, missed appeals',
  appeals_confirmed_idx: 'training set',
  appeals_retention_idx: 'personal data retention',
  appeals_assignee_idx: '«Мои»',
  appeals_overdue_due_idx: 'overdue queue by due date',
  appeals_overdue_registered_idx: 'overdue queue newest first',
  appeals_search_idx: 'search',
  appeals_search_terms_idx: 'search windows',
  appeals_scope_search_idx: 'search in an organisation scope',
  appeals_registration_number_trgm: 'search by number',
  appeals_unkeyed_access_code_idx: 'access codes to key at a worker’s start (empty once keyed)',
  // Partial: only joined appeals have an entry, so the other appeals' writes add none.
  appeals_joined_into_idx: 'appeals joined into one (a join refuses a chain)',
};

describe('indexes on appeals', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('are exactly those with a reader', async () => {
    const rows = (await db.dataSource.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'appeals'`,
    )) as { indexname: string }[];
    expect(rows.map((r) => r.indexname).sort()).toEqual(Object.keys(READERS).sort());
  });
});

/**
 * Issue 18: registration claims a batch's items by key. Its statements checked `status = 'pending'`, which the
 * partial indexes of pending items match; with statistics taken before a burst (few pending items known), the
 * planner read every pending item through that index and hashed them against the batch, a cost per batch that
 * grew with the backlog. Here the statistics are taken on a quiet table and 5 000 items arrive after: the claim
 * must read the batch's items through the primary key and no index of pending items.
 */
describe('registration claims its items by key', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(
      `INSERT INTO inbound_items (channel, external_id, received_at, payload, status)
       SELECT 'operator', 'quiet-' || i, now(), '{}', 'processed' FROM generate_series(1, 500) i`,
    );
    await db.dataSource.query('ANALYZE inbound_items');
    await db.dataSource.query(
      `INSERT INTO inbound_items (channel, external_id, received_at, payload)
       SELECT 'operator', 'burst-' || i, now(), '{}' FROM generate_series(1, 5000) i`,
    );
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each([
    ['new appeals', REGISTER_MANY_SQL],
    ['follow-ups', ADD_FOLLOW_UPS_SQL],
  ])('%s: the batch read by primary key', async (_, sql) => {
    const ids = (
      (await db.dataSource.query(
        `SELECT id FROM inbound_items WHERE external_id LIKE 'burst-%' ORDER BY external_id LIMIT 25`,
      )) as { id: string }[]
    ).map((r) => r.id);
    const input = JSON.stringify(ids.map((id, ord) => ({ ord, inbound_item_id: id })));
    const rows = (await db.dataSource.query(`EXPLAIN ${sql}`, [input, ids])) as { 'QUERY PLAN': string }[];
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    const claim = plan.slice(plan.indexOf('Update on inbound_items'));
    expect(claim).toMatch(/Index Scan on inbound_items_pkey/);
    expect(plan).not.toMatch(/inbound_items_(pending|unprocessed)_idx|Seq Scan on inbound_items/);
  });
});

/**
 * Postgres 17 (the embedded server `npm start` runs) gives maintenance a search path of `pg_catalog, pg_temp`:
 * ANALYZE (autovacuum's too), VACUUM, CREATE INDEX, REINDEX, and a restored dump's index builds. An index
 * expression must therefore not depend on the caller's search path; `appeals_scope_search_idx`'s function called
 * `appeal_search_terms` unqualified, so on Postgres 17 the appeals table was never analysed («function
 * appeal_search_terms(…) does not exist») and its index could not be rebuilt. Postgres 15 here runs maintenance
 * with the session's path, so the test sets 17's.
 */
describe('index expressions under maintenance’s search path', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;
  let schema = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(
      `${appealsWithOwnPeopleSql({ count: 20, prefix: 'maint-' })}
       SELECT '2026-' || lpad(n::text, 6, '0'), now(), now(), 'appeal', 'operator', 'maint-' || n, item_id,
              applicant_id, 'Во дворе дома ' || n || ' не убран снег', 'registered',
              (SELECT id FROM organisations WHERE code = 'cur'), 'Asia/Novosibirsk', now(), now(), current_date,
              now(), 'test', 'x'
         FROM pairs`,
    );
    [{ schema }] = (await db.dataSource.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
  });
  afterAll(async () => {
    await db?.drop();
  });

  const asMaintenance = (statement: string) =>
    db.dataSource.transaction(async (tx) => {
      await tx.query(`SET LOCAL search_path = pg_catalog, pg_temp`);
      await tx.query(statement);
    });

  it('ANALYZE reads the search indexes’ expressions', async () => {
    await expect(asMaintenance(`ANALYZE "${schema}".appeals`)).resolves.toBeUndefined();
  });

  it('REINDEX rebuilds the per-organisation search index', async () => {
    await expect(
      asMaintenance(`REINDEX INDEX "${schema}".appeals_scope_search_idx`),
    ).resolves.toBeUndefined();
    await expect(
      asMaintenance(`REINDEX INDEX "${schema}".appeals_search_terms_idx`),
    ).resolves.toBeUndefined();
  });
});

/**
 * Issue 18: the repeated-appeal check (legal flags, `earlierAnswered`) asked for an applicant's newest answered
 * appeals with `applicant_id IN (…)` and `ORDER BY registered_at DESC LIMIT 20`; at 10 M appeals the planner
 * walked the whole registration order (appeals_registered_idx) filtered by applicant, minutes per batch. Each
 * applicant's appeals must come from appeals_applicant_idx, whatever the table's size and statistics.
 */
const BEFORE_C9F1C42 = `
  SELECT me.id AS for_id, e.id, e.registration_number, e.subject, e.text
    FROM (SELECT a.id, a.applicant_id, a.registered_at, lower(p.email) AS email
            FROM appeals a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = ANY($1::uuid[])) me
   CROSS JOIN LATERAL (
     SELECT a2.id, a2.registration_number, a2.subject, a2.text, a2.registered_at
       FROM appeals a2
      WHERE a2.applicant_id IN (SELECT me.applicant_id
                                UNION SELECT p.id FROM applicants p
                                       WHERE me.email IS NOT NULL AND lower(p.email) = me.email)
        AND a2.id <> me.id AND a2.registered_at <= me.registered_at AND a2.status IN ('answered', 'closed')
      ORDER BY a2.registered_at DESC LIMIT $2) e
   ORDER BY me.id, e.registered_at DESC`;

describe('the repeated-appeal lookup reads per applicant', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;
  let ids: string[];

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(
      `WITH people AS (
         INSERT INTO applicants (channel, surname, email)
         SELECT 'operator', 'Фамилия' || i, 'person' || (i % 500) || '@mail.example'
           FROM generate_series(1, 1000) i RETURNING id),
       items AS (
         INSERT INTO inbound_items (channel, external_id, received_at, payload)
         SELECT 'operator', 'plan-' || i, now(), '{}' FROM generate_series(1, 10000) i RETURNING id),
       pairs AS (
         SELECT p.id AS applicant_id, i.id AS item_id, i.k AS n
           FROM (SELECT id, row_number() OVER () AS k FROM people) p
           JOIN (SELECT id, row_number() OVER () AS k FROM items) i ON i.k % 1000 = p.k % 1000)
       INSERT INTO appeals (registration_number, registered_at, received_at, regime, channel, external_id,
              inbound_item_id, applicant_id, text, status, organisation_id, time_zone, registration_due_at,
              redirect_due_at, answer_due_date, answer_due_at, calendar_version, access_code_hash)
       SELECT '2026-' || lpad(n::text, 6, '0'), now() - make_interval(mins => n::int), now(), 'appeal', 'operator',
              'plan-' || n, item_id, applicant_id, 'Обращение ' || n,
              CASE WHEN n % 5 = 0 THEN 'registered' ELSE 'answered' END,
              (SELECT id FROM organisations WHERE code = 'cur'), 'Asia/Novosibirsk', now(), now(), current_date,
              now(), 'test', 'x'
         FROM pairs`,
    );
    await db.dataSource.query('ANALYZE applicants; ANALYZE appeals');
    ids = (
      (await db.dataSource.query(
        `SELECT id FROM appeals WHERE status = 'registered' ORDER BY registered_at DESC LIMIT 50`,
      )) as { id: string }[]
    ).map((r) => r.id);
  });
  afterAll(async () => {
    await db?.drop();
  });

  /**
   * The plan with sorts priced out: at 10 M the statistics made the walk of the registration order (sorted
   * already, stopped at 20 rows) look cheaper than sorting an applicant's appeals; here it is the planner's other
   * choice at any size, so a statement that lets it walk shows it.
   */
  const plan = (sql: string) =>
    db.dataSource.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_sort = off');
      const rows = (await tx.query(`EXPLAIN ${sql}`, [ids, 20])) as { 'QUERY PLAN': string }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });

  it('takes each applicant’s newest appeals from appeals_applicant_idx, not the registration order', async () => {
    const now = await plan(EARLIER_ANSWERED_SQL);
    expect(now).toMatch(/(Index Scan (Backward )?using|Bitmap Index Scan on) appeals_applicant_idx/);
    expect(now).not.toMatch(/appeals_registered_idx|Seq Scan on appeals/);
  });

  it('is a table where the statement this replaced walked the registration order', async () => {
    // Without this the first case would prove nothing: a table the planner reads by applicant anyway.
    expect(await plan(BEFORE_C9F1C42)).toMatch(/appeals_registered_idx|Seq Scan on appeals/);
  });
});

/**
 * Issue 18: the training set and the bootstrap check scanned appeals and inbound items whole (13.4 s and 1.0 s
 * at 1 M appeals). They must read the labelled appeals through the partial indexes of migration
 * LabelledAppealIndexes, and give what the scanning statement gave.
 */
const SCANNING = `
  SELECT a.id, a.topic_id, a.subtopic_id, (a.topic_id IS NOT NULL AND (a.classification_state = 'confirmed' OR
         EXISTS (SELECT 1 FROM appeal_events e WHERE e.appeal_id = a.id AND e.type = 'classified'))) AS human
    FROM appeals a JOIN inbound_items i ON i.id = a.inbound_item_id
   WHERE (a.topic_id IS NOT NULL AND (a.classification_state = 'confirmed' OR EXISTS (
          SELECT 1 FROM appeal_events e WHERE e.appeal_id = a.id AND e.type = 'classified')))
      OR i.payload->'features' ? 'demoTopic'
   ORDER BY a.registered_at DESC, a.id DESC LIMIT $1`;

describe('the training set reads labelled appeals by index', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;
  const sql = <T>(text: string, params: unknown[] = []) => db.dataSource.query(text, params) as Promise<T[]>;

  beforeAll(async () => {
    db = await createTestDatabase();
    // 6 000 appeals: one in 20 with the demo label in its item, one in 15 confirmed, one in 25 with a
    // `classified` event (one in 3 of those without a topic), the rest labelled by the model alone.
    await sql(
      `WITH person AS (
         INSERT INTO applicants (channel, surname) VALUES ('operator', 'Заявитель') RETURNING id),
       items AS (
         INSERT INTO inbound_items (channel, external_id, received_at, payload)
         SELECT 'operator', 'label-' || n, now(),
                CASE WHEN n % 20 = 0 THEN '{"features": {"demoTopic": "roads"}}'::jsonb ELSE '{}'::jsonb END
           FROM generate_series(1, 6000) n RETURNING id, external_id)
       INSERT INTO appeals (registration_number, registered_at, received_at, regime, channel, external_id,
              inbound_item_id, applicant_id, text, status, organisation_id, time_zone, registration_due_at,
              redirect_due_at, answer_due_date, answer_due_at, calendar_version, access_code_hash, topic_id,
              classification_state)
       SELECT i.external_id, now() - make_interval(mins => n), now(), 'appeal', 'operator', i.external_id, i.id,
              (SELECT id FROM person), 'Обращение ' || n, 'registered', (SELECT id FROM organisations WHERE code = 'cur'),
              'Asia/Novosibirsk', now(), now(), current_date, now(), 'test', 'x',
              CASE WHEN n % 75 = 0 THEN NULL ELSE (SELECT id FROM topics WHERE code = 'roads') END,
              CASE WHEN n % 15 = 0 THEN 'confirmed' ELSE 'auto' END
         FROM items i CROSS JOIN LATERAL (SELECT substr(i.external_id, 7)::int AS n) x`,
    );
    await sql(
      `INSERT INTO appeal_events (appeal_id, type)
       SELECT id, 'classified' FROM appeals WHERE substr(external_id, 7)::int % 25 = 0`,
    );
    await sql('ANALYZE appeals; ANALYZE inbound_items; ANALYZE appeal_events');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each([50, 100_000])('gives what the scan gave (up to %i)', async (limit) => {
    const scanned = await sql<{ id: string; human: boolean }>(SCANNING, [limit]);
    const read = await sql<{ id: string; human: boolean }>(LABELLED_APPEALS_SQL, [limit]);
    expect(read.map((r) => [r.id, r.human])).toEqual(scanned.map((r) => [r.id, r.human]));
    expect(read.length).toBe(Math.min(limit, scanned.length));
    if (limit > 50) expect(new Set(read.map((r) => r.human))).toEqual(new Set([true, false]));
  });

  it.each([
    [
      'the training set',
      LABELLED_APPEALS_SQL,
      ['appeals_confirmed_idx', 'appeal_events_classified_idx', 'inbound_items_demo_label_idx'],
    ],
    ['the bootstrap check', ANY_LABELS_SQL, ['inbound_items_demo_label_idx']],
  ])('%s reads the partial indexes, no table whole', async (_, text, indexes) => {
    // Sequential scans priced out: a table of a few thousand rows is read whole whatever its indexes.
    const plan = await db.dataSource.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const rows = (await tx.query(`EXPLAIN ${text}`, text.includes('$1') ? [100_000] : [])) as {
        'QUERY PLAN': string;
      }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    for (const index of indexes) expect(plan).toContain(index);
    expect(plan).not.toMatch(/Seq Scan on (appeals|inbound_items|appeal_events)/);
  });
});

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
  restoreEnvironmentAfterBlock();
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

/**
 * The outbox trigger (migration OutboxTriggerPlan) reads the appeals of the events a statement appended by key
 * whatever the table's size, and plans for the table as it is now (issue 18). Planned once per session (a
 * PL/pgSQL statement's cached plan), its join hashed the whole appeals table when the session's first event
 * came while the table was small, and went on scanning it on every event after the table had grown, until
 * something invalidated the plan (an ANALYZE; autovacuum's, where it runs).
 */
describe('the outbox trigger’s plan (integration)', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;
  let session: Client;
  const plans: string[] = [];
  let logged: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    session = new Client({ connectionString: db.url });
    await session.connect();
    session.on('notice', (n) => {
      if (n.message?.includes('INSERT INTO event_outbox')) plans.push(n.message);
      if (n.message) logged.push(n.message);
    });
    await db.dataSource.query(
      `INSERT INTO event_consumers (name, channels, types) VALUES ('plan-test', '{*}', '{registered}')`,
    );
    await session.query(`LOAD 'auto_explain'`);
    await session.query(`SET auto_explain.log_min_duration = 0`);
    await session.query(`SET auto_explain.log_nested_statements = on`);
    await session.query(`SET auto_explain.log_level = notice`);
  }, 120_000);
  afterAll(async () => {
    await session?.end();
    await db?.drop();
  });

  const appeal = (count: number, prefix: string) =>
    db.dataSource.query(
      `${appealsWithOwnPeopleSql({ count, prefix })}
       SELECT '2026-' || '${prefix}' || n, now(), now(), 'appeal', 'operator', '${prefix}' || n, item_id,
              applicant_id, 'Текст обращения ' || n, 'registered', (SELECT id FROM organisations ORDER BY code LIMIT 1),
              'Asia/Novosibirsk', now(), now(), current_date + 30, now() + interval '30 days', 'test', 'x'
         FROM pairs RETURNING id`,
    ) as Promise<{ id: string }[]>;

  const event = async (appealId: string, type = 'registered') => {
    const before = plans.length;
    logged = [];
    await session.query(`INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, $2, '{}')`, [
      appealId,
      type,
    ]);
    return plans.length > before ? plans[plans.length - 1] : undefined;
  };

  /** Every plan a statement's trigger made, a one-event statement's appeal lookup (appeal_channel_by_key) too. */
  const triggerPlans = () => logged.join('\n');

  const outboxTypes = async (appealId: string) =>
    (
      (await db.dataSource.query(
        `SELECT e.type FROM event_outbox o JOIN appeal_events e ON e.id = o.event_id WHERE o.appeal_id = $1
          ORDER BY o.event_id`,
        [appealId],
      )) as { type: string }[]
    ).map((r) => r.type);

  it('reads the appeals by key once the table has grown, in a session that appended events while it was small', async () => {
    const [first] = await appeal(1, 'small-');
    expect(await event(first.id)).toContain('INSERT INTO event_outbox');
    await appeal(20_000, 'grown-');
    const [later] = await appeal(1, 'later-');
    // One event: its appeal's channel looked up by a plan the session made while the table was small.
    await event(later.id);
    expect(triggerPlans()).toContain('appeals_pkey');
    expect(triggerPlans()).not.toMatch(/Seq Scan on appeals/);
    // Three events in one statement: the insert planned for the table as it is now.
    logged = [];
    await session.query(
      `INSERT INTO appeal_events (appeal_id, type, data) SELECT $1, 'registered', '{}' FROM generate_series(1, 3)`,
      [later.id],
    );
    expect(triggerPlans()).toContain('JOIN appeals a ON a.id = e.appeal_id');
    expect(triggerPlans()).toContain('appeals_pkey');
    expect(triggerPlans()).not.toMatch(/Seq Scan on appeals/);
    expect(await outboxTypes(later.id)).toEqual(['registered', 'registered', 'registered', 'registered']);
  });

  // Migration OutboxTriggerCosts: a one-event statement (a delivery receipt) plans no statement that
  // names the appeals, and its rows are those of the planned insert: each consumer's types and channels.
  it('queues a one-event statement’s rows without planning the insert against the appeals', async () => {
    await db.dataSource.query(
      `INSERT INTO event_consumers (name, channels, types)
       VALUES ('plan-test-telegram', '{telegram}', '{delivered}'), ('plan-test-vk', '{vk}', '{delivered}'),
              ('plan-test-all', '{*}', '{delivered}')`,
    );
    const [telegram] = await appeal(1, 'telegram-');
    await db.dataSource.query(`UPDATE appeals SET channel = 'telegram' WHERE id = $1`, [telegram.id]);
    await event(telegram.id, 'delivered');
    expect(triggerPlans()).toContain('appeal_channel_by_key');
    expect(triggerPlans()).not.toContain('JOIN appeals a ON a.id = e.appeal_id');
    const rows = (await db.dataSource.query(
      `SELECT o.consumer FROM event_outbox o JOIN appeal_events e ON e.id = o.event_id
        WHERE o.appeal_id = $1 AND e.type = 'delivered' ORDER BY o.consumer`,
      [telegram.id],
    )) as { consumer: string }[];
    expect(rows.map((r) => r.consumer)).toEqual(['plan-test-all', 'plan-test-telegram']);
  });

  // Migration OutboxTriggerCosts: a statement whose events no consumer takes plans nothing against
  // the appeals (about one statement in five in `bench ingest`: a pass's classification entries, incident links…).
  it('plans no outbox insert for events of a type no consumer takes, and still queues the wanted ones', async () => {
    const [appealRow] = await appeal(1, 'unwanted-');
    expect(await event(appealRow.id, 'incident-linked')).toBeUndefined();
    expect(await event(appealRow.id)).toContain('INSERT INTO event_outbox');
    expect(await outboxTypes(appealRow.id)).toEqual(['registered']);
  });
});

/**
 * Issue 18: /health costs the same whatever the size of the history. Its intake backlog and the channel
 * accounts' open feed actions and the history outbox's figures are read through partial indexes that hold only
 * the rows counted, and every count stops at HEALTH_COUNT_CAP; with sequential scans priced out, the plans must
 * name those indexes and scan no table whole, and the figures must still say what waits (a backlog over the cap
 * reads as the cap).
 */
describe('/health reads only what it counts', () => {
  restoreEnvironmentAfterBlock();
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

/**
 * Issue 18: each worker's first retention sweep keys the access code hashes stored unkeyed before ACCESS_CODE_KEY.
 * Its statement matched a pattern no index served, so every start read the whole of `appeals` (10 M rows) to find
 * none. It must read the partial index of unkeyed rows (migration UnkeyedAccessCodeIndex): with nothing to key, a
 * page or two whatever the table's size; and it still keys what is there.
 */
describe('the access codes’ legacy rewrite reads only unkeyed rows', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;
  const KEY = 'query-plans-access-code-key';

  beforeAll(async () => {
    db = await createTestDatabase();
    // 3 000 appeals keyed as registration keys them now (k1: and 64 hex digits).
    await db.dataSource.query(
      `${appealsWithOwnPeopleSql({ count: 3000, prefix: 'codes-' })}
       SELECT '2026-' || lpad(n::text, 6, '0'), now(), now(), 'appeal', 'operator', 'codes-' || n, item_id,
              applicant_id, 'Обращение ' || n, 'registered', (SELECT id FROM organisations WHERE code = 'cur'),
              'Asia/Novosibirsk', now(), now(), current_date, now(), 'test',
              'k1:' || encode(sha256(convert_to('codes-' || n, 'UTF8')), 'hex')
         FROM pairs`,
    );
    await db.dataSource.query('ANALYZE appeals');
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** The statement's plan, run: its text and the shared buffers it touched in all. */
  const run = async () => {
    const [row] = (await db.dataSource.query(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${UNKEYED_ACCESS_CODES_SQL.replace('$1', '1000')}`,
    )) as { 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }[];
    const plan = row['QUERY PLAN'][0].Plan;
    return {
      text: JSON.stringify(plan),
      buffers: Number(plan['Shared Hit Blocks']) + Number(plan['Shared Read Blocks']),
    };
  };
  const table = async () =>
    (
      (await db.dataSource.query(`SELECT relpages FROM pg_class WHERE oid = 'appeals'::regclass`)) as {
        relpages: number;
      }[]
    )[0].relpages;

  it('reads the empty partial index, not the table, when nothing is left to key', async () => {
    const { text, buffers } = await run();
    expect(text).toContain('appeals_unkeyed_access_code_idx');
    expect(text).not.toContain('Seq Scan');
    // A scan reads every page of the table (hundreds here); the empty index, one or two.
    expect(await table()).toBeGreaterThan(100);
    expect(buffers).toBeLessThanOrEqual(3);
  });

  it('still keys the hashes stored unkeyed, then finds none', async () => {
    const legacy = (n: number) =>
      createHash('sha256')
        .update(`2026-${String(n).padStart(6, '0')}:CODE`)
        .digest('hex');
    for (const n of [7, 1500, 2999])
      await db.dataSource.query(`UPDATE appeals SET access_code_hash = $2 WHERE external_id = $1`, [
        `codes-${n}`,
        legacy(n),
      ]);
    const repository = new RegistrationRepository(db.dataSource);
    expect(await repository.keyUnkeyedAccessCodeHashes(2, (h) => keyedLegacyHash(KEY, h))).toBe(2);
    expect(await repository.keyUnkeyedAccessCodeHashes(2, (h) => keyedLegacyHash(KEY, h))).toBe(1);
    const rows = (await db.dataSource.query(
      `SELECT external_id, access_code_hash AS hash FROM appeals WHERE external_id = ANY($1) ORDER BY external_id`,
      [['codes-7', 'codes-1500', 'codes-2999']],
    )) as { external_id: string; hash: string }[];
    expect(rows.map((r) => r.hash)).toEqual([1500, 2999, 7].map((n) => keyedLegacyHash(KEY, legacy(n))));
    expect(await repository.keyUnkeyedAccessCodeHashes(2, (h) => keyedLegacyHash(KEY, h))).toBe(0);
    expect((await run()).buffers).toBeLessThanOrEqual(3);
  });
});

/** The claimed batch's load as it was until 7 December 2026: the pending state asked for in its WHERE. */
const CLAIMED_BEFORE = CLAIMED_SQL.replace(
  'WHERE a.id = ANY($1::uuid[])',
  `WHERE a.id = ANY($1::uuid[]) AND a.classification_state = 'pending' AND a.classified_at IS NULL`,
);

/**
 * Issue 18: a classification pass loads the 50 appeals it claimed by key, not by walking the backlog. Asked for
 * their pending state in the WHERE, the planner took the partial index of pending appeals (in the claim's order,
 * so no sort) and tested each entry's id: every pass read every pending appeal's row. The table here is as a
 * region's after a burst: analysed while nothing was pending, then 2 000 appeals waiting.
 */
describe('a classification pass loads its claimed batch by key, not the backlog', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;
  let claimed: string[];

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(
      `${appealsWithOwnPeopleSql({ count: 3000, prefix: 'pending-' })}
       SELECT '2026-' || lpad(n::text, 6, '0'), now(), now(), 'appeal', 'operator', 'pending-' || n, item_id,
              applicant_id, 'Обращение ' || n, 'registered', (SELECT id FROM organisations WHERE code = 'cur'),
              'Asia/Novosibirsk', now(), now(), current_date, now(), 'test', 'x'
         FROM pairs`,
    );
    await db.dataSource.query(
      `UPDATE appeals SET classification_state = 'auto', classified_at = now(),
              created_at = now() - make_interval(secs => substr(external_id, 9)::int)`,
    );
    await db.dataSource.query('ANALYZE appeals');
    await db.dataSource.query(
      `UPDATE appeals SET classification_state = 'pending', classified_at = NULL
        WHERE substr(external_id, 9)::int <= 2000`,
    );
    // A batch from the middle of the backlog (passes before it hold the oldest), one of them done meanwhile.
    claimed = (
      (await db.dataSource.query(
        `SELECT id FROM appeals WHERE classification_state = 'pending' ORDER BY created_at OFFSET 300 LIMIT 50`,
      )) as { id: string }[]
    ).map((r) => r.id);
    await db.dataSource.query(`UPDATE appeals SET classified_at = now() WHERE id = $1`, [claimed[10]]);
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** The rows the plan's scans of `appeals` produced or filtered out. */
  const appealRowsRead = async (sql: string) => {
    const [row] = (await db.dataSource.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, [claimed])) as {
      'QUERY PLAN': [{ Plan: PlanNode }];
    }[];
    const walk = (node: PlanNode & { 'Relation Name'?: string }): number =>
      (node['Relation Name'] === 'appeals'
        ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops']
        : 0) + (node.Plans ?? []).reduce((sum, child) => sum + walk(child), 0);
    return walk(row['QUERY PLAN'][0].Plan);
  };

  it('reads the 50 rows it claimed, with which are still pending, in the claim’s order', async () => {
    expect(await appealRowsRead(CLAIMED_SQL)).toBeLessThanOrEqual(50);
    const rows = (await db.dataSource.query(CLAIMED_SQL, [claimed])) as { id: string; pending: boolean }[];
    expect(rows.map((r) => r.id)).toEqual(claimed);
    expect(rows.filter((r) => !r.pending).map((r) => r.id)).toEqual([claimed[10]]);
  });

  it('is a table where the statement this replaced walked the backlog', async () => {
    // Without this the first case would prove nothing: a table the planner reads by key anyway.
    expect(await appealRowsRead(CLAIMED_BEFORE)).toBeGreaterThan(300);
  });
});
