import { addToRoutingHistorySql } from '../../migrations/1796202900000-RoutingHistoryCounts';
import {
  HISTORY_WINDOW,
  ROUTING_HISTORY_SQL,
  RoutingHistoryRepository,
} from '../../libs/classification/src/repositories/routing-history.repository';
import { type OrganisationHistory } from '../../libs/classification/src/routing/learned-routing';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Issue 18: the learned routing's history read the topic's latest 20 000 appeals and joined their answers and
 * corrections — 45 s and more per classification batch at 10 M appeals. It now reads counts kept by triggers
 * (migration RoutingHistoryCounts). Here every way the counts change (answers inserted sent or sent later, sent
 * no more, deleted; routing corrections; appeals moved to another topic, subtopic or territory after their
 * answers) and then the history of every question is what the old statement read from the appeals.
 */

/** The statement the counts replace, as it read the history from the appeals (main at ee7a547). */
const FROM_APPEALS_SQL = `
  SELECT q.n, h.* FROM jsonb_to_recordset($1::jsonb) AS q(n integer, "topicId" uuid, "subtopicId" uuid, "territoryPrefix" text)
  CROSS JOIN LATERAL (
    WITH topical AS (
      SELECT a.id, a.subtopic_id FROM appeals a
       WHERE a.topic_id = q."topicId" AND (q."territoryPrefix" IS NULL OR a.territory_code LIKE q."territoryPrefix" || '%')
       ORDER BY a.registered_at DESC LIMIT 20000
    ), answered AS (
      SELECT ans.organisation_id AS id, count(*)::int AS answered,
             count(*) FILTER (WHERE q."subtopicId" IS NOT NULL AND t.subtopic_id = q."subtopicId")::int
               AS answered_subtopic
        FROM answers ans JOIN topical t ON t.id = ans.appeal_id
       WHERE ans.status = 'sent' GROUP BY ans.organisation_id
    ), returned AS (
      SELECT (c.before->>'organisationId')::uuid AS id, count(*)::int AS returned
        FROM classification_corrections c JOIN topical t ON t.id = c.appeal_id
       WHERE c.kind = 'routing' AND c.before ? 'organisationId' GROUP BY 1
    )
    SELECT coalesce(an.id, r.id) AS "organisationId", coalesce(an.answered, 0) AS answered,
           coalesce(an.answered_subtopic, 0) AS "answeredSubtopic", coalesce(r.returned, 0) AS returned
      FROM answered an FULL JOIN returned r ON r.id = an.id
  ) h`;

type Query = { topicId: string | null; subtopicId: string | null; territoryPrefix: string | null };

describe('the learned routing reads its history from counts kept with the answers', () => {
  let db: TestDatabase;
  let repository: RoutingHistoryRepository;
  const sql = <T>(text: string, params: unknown[] = []) => db.dataSource.query(text, params) as Promise<T[]>;
  let topics: { id: string; parent_id: string | null }[];

  /** Appeals of `topic` (subtopic, territory code) registered `monthsAgo` months back, one per entry. */
  const appeals = async (rows: [string | null, string | null, string | null, number][], tag: string) =>
    (
      await sql<{ id: string }>(
        `WITH r AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(topic uuid, subtopic uuid, territory text, months int, n int)
         ), items AS (
           INSERT INTO inbound_items (channel, external_id, received_at, payload)
           SELECT 'operator', $2 || '-' || n, now(), '{}' FROM r RETURNING id, external_id
         ), person AS (
           INSERT INTO applicants (channel, surname) VALUES ('operator', 'Заявитель') RETURNING id)
         INSERT INTO appeals (registration_number, registered_at, received_at, regime, channel, external_id,
                inbound_item_id, applicant_id, text, status, organisation_id, time_zone, registration_due_at, redirect_due_at,
                answer_due_date, answer_due_at, calendar_version, access_code_hash, topic_id, subtopic_id,
                territory_code)
         SELECT $2 || '-' || n, now() - make_interval(months => r.months, hours => n), now(), 'appeal', 'operator',
                $2 || '-' || n, i.id, (SELECT id FROM person), 'Обращение ' || n, 'registered', (SELECT id FROM organisations WHERE code = 'cur'),
                'Asia/Novosibirsk', now(), now(), current_date, now(), 'test', 'x', r.topic, r.subtopic, r.territory
           FROM r JOIN items i ON i.external_id = $2 || '-' || r.n
          ORDER BY n RETURNING id`,
        [
          JSON.stringify(
            rows.map(([topic, subtopic, territory, months], n) => ({
              topic,
              subtopic,
              territory,
              months,
              n,
            })),
          ),
          tag,
        ],
      )
    ).map((r) => r.id);

  const sorted = (h: OrganisationHistory[]) =>
    [...h].sort((a, b) => a.organisationId.localeCompare(b.organisationId));

  beforeAll(async () => {
    db = await createTestDatabase();
    repository = new RoutingHistoryRepository(db.dataSource);
    topics = await sql(`SELECT id, parent_id FROM topics ORDER BY code`);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('answers every question as the appeals did, whatever changed since', async () => {
    const orgs = (await sql<{ id: string }>(`SELECT id FROM organisations ORDER BY code`)).map((r) => r.id);
    await sql(
      `INSERT INTO users (login, password_hash, full_name, role, organisation_id)
       VALUES ('history', 'x', 'Сотрудник', 'clerk', $1)`,
      [orgs[0]],
    );
    const parents = topics.filter((t) => t.parent_id === null);
    const territories = ['50701000001', '50701000002', '50703000001', '5070', null, '52401000001'];
    const rows: [string | null, string | null, string | null, number][] = [];
    for (let i = 0; i < 300; i++) {
      const topic = parents[i % parents.length];
      const sub = topics.find((t) => t.parent_id === topic.id);
      rows.push([topic.id, i % 3 === 0 ? null : sub!.id, territories[i % territories.length], i % 17]);
    }
    const ids = await appeals(rows, 'mix');
    const answer = (status: string) => `
      INSERT INTO answers (appeal_id, organisation_id, author_id, text, status)
      SELECT id, ($2::uuid[])[1 + (k + ord) % 4], (SELECT id FROM users WHERE login = 'history'), 'Ответ', '${status}'
        FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, ord), generate_series(0, 1) k
       WHERE (ord + k) % 3 <> 0`;
    // Sent at once, and drafts of which some are sent later, some not.
    await sql(answer('sent'), [ids.filter((_, i) => i % 2 === 0), orgs]);
    await sql(answer('draft'), [ids.filter((_, i) => i % 2 === 1), orgs]);
    await sql(
      `UPDATE answers SET status = 'sent', sent_at = now() WHERE status = 'draft' AND appeal_id = ANY($1::uuid[])`,
      [ids.filter((_, i) => i % 4 === 1)],
    );
    // A sent answer touched again (counted once), one sent no more, one deleted.
    await sql(`UPDATE answers SET sent_at = now() WHERE status = 'sent'`);
    await sql(
      `UPDATE answers SET status = 'discarded' WHERE id IN (SELECT id FROM answers WHERE status = 'sent' ORDER BY id LIMIT 7)`,
    );
    await sql(
      `DELETE FROM answers WHERE id IN (SELECT id FROM answers WHERE status = 'sent' ORDER BY id DESC LIMIT 5)`,
    );
    // Routing corrections (one per event), some naming the organisation corrected away from, and topic ones.
    await sql(
      `WITH e AS (
         INSERT INTO appeal_events (appeal_id, type) SELECT id, 'routing-corrected' FROM unnest($1::uuid[]) id
         RETURNING id, appeal_id)
       INSERT INTO classification_corrections (appeal_id, kind, source_event_id, actor, before, after)
       SELECT e.appeal_id, CASE WHEN e.id % 5 = 0 THEN 'topic' ELSE 'routing' END, e.id, 'clerk',
              CASE WHEN e.id % 7 = 0 THEN '{}'::jsonb
                   ELSE jsonb_build_object('organisationId', ($2::uuid[])[1 + e.id % 4]) END, '{}'
         FROM e`,
      [ids.filter((_, i) => i % 3 !== 2), orgs],
    );
    await sql(
      `WITH e AS (
         INSERT INTO appeal_events (appeal_id, type) SELECT id, 'routing-corrected' FROM unnest($1::uuid[]) id
         RETURNING id, appeal_id)
       INSERT INTO classification_corrections (appeal_id, kind, source_event_id, actor, before, after)
       SELECT e.appeal_id, 'routing', e.id, 'clerk', jsonb_build_object('organisationId', $2::uuid), '{}' FROM e`,
      [ids.filter((_, i) => i % 5 === 0), orgs[1]],
    );
    // Appeals moved after their answers: to the other topic, another subtopic, territory, none, another month.
    const moved = (k: number) => ids.filter((_, i) => i % 11 === k);
    await sql(
      `UPDATE appeals SET topic_id = CASE WHEN topic_id = $2 THEN $3::uuid ELSE $2::uuid END, subtopic_id = NULL
        WHERE id = ANY($1::uuid[])`,
      [moved(0), parents[0].id, parents[1].id],
    );
    await sql(`UPDATE appeals SET territory_code = '50709000001' WHERE id = ANY($1::uuid[])`, [moved(1)]);
    await sql(`UPDATE appeals SET territory_code = NULL WHERE id = ANY($1::uuid[])`, [moved(2)]);
    await sql(`UPDATE appeals SET topic_id = NULL WHERE id = ANY($1::uuid[])`, [moved(3)]);
    await sql(
      `UPDATE appeals SET subtopic_id = (SELECT id FROM topics WHERE parent_id = appeals.topic_id)
        WHERE id = ANY($1::uuid[]) AND subtopic_id IS NULL`,
      [moved(4)],
    );
    await sql(
      `UPDATE appeals SET registered_at = registered_at - interval '3 months' WHERE id = ANY($1::uuid[])`,
      [moved(5)],
    );

    const queries: Query[] = [];
    for (const topic of [...parents.map((t) => t.id), topics.find((t) => t.parent_id)!.id]) {
      for (const subtopicId of [null, ...topics.filter((t) => t.parent_id).map((t) => t.id)]) {
        for (const territoryPrefix of [null, '50701', '50703', '50709', '52401', '50702']) {
          queries.push({ topicId: topic, subtopicId, territoryPrefix });
        }
      }
    }
    const fromAppeals = (
      await sql<OrganisationHistory & { n: number }>(FROM_APPEALS_SQL, [
        JSON.stringify(queries.map((q, n) => ({ n, ...q }))),
      ])
    ).reduce(
      (out, { n, ...h }) => {
        out[n].push(h);
        return out;
      },
      queries.map((): OrganisationHistory[] => []),
    );
    const counted = await repository.counts(queries);
    expect(counted.map(sorted)).toEqual(fromAppeals.map(sorted));
    expect(counted.some((h) => h.some((o) => o.answeredSubtopic > 0))).toBe(true);
    expect(counted.some((h) => h.some((o) => o.returned > 0))).toBe(true);

    // And the counts are what counting from scratch (the migration's backfill) gives.
    const kept = await sql(
      `SELECT * FROM routing_history_counts WHERE answered <> 0 OR returned <> 0 ORDER BY 1, 2, 3, 4, 5`,
    );
    const tx = db.dataSource.createQueryRunner();
    await tx.startTransaction();
    let recounted: unknown[];
    try {
      await tx.query('DELETE FROM routing_history_counts');
      await tx.query(
        addToRoutingHistorySql(`
          SELECT a.topic_id, a.subtopic_id, a.territory_code, a.registered_at, n.organisation_id, 1 AS answered,
                 0 AS returned
            FROM answers n JOIN appeals a ON a.id = n.appeal_id WHERE n.status = 'sent'
          UNION ALL
          SELECT a.topic_id, a.subtopic_id, a.territory_code, a.registered_at,
                 (c.before->>'organisationId')::uuid, 0, 1
            FROM classification_corrections c JOIN appeals a ON a.id = c.appeal_id
           WHERE c.kind = 'routing' AND c.before ? 'organisationId'`),
      );
      recounted = (await tx.query(
        `SELECT * FROM routing_history_counts ORDER BY 1, 2, 3, 4, 5`,
      )) as unknown[];
    } finally {
      await tx.rollbackTransaction();
      await tx.release();
    }
    expect(recounted).toEqual(kept);
  });

  it('reads the newest months whose answers and returns reach the window', async () => {
    const [topic] = await sql<{ id: string }>(`SELECT id FROM topics WHERE code = 'roads-potholes'`);
    const [a, b] = (
      await sql<{ id: string }>(
        `SELECT id FROM organisations WHERE code IN ('minzhkh', 'mintrans') ORDER BY code`,
      )
    ).map((r) => r.id);
    // Three answers by A two months ago, none a month ago, two by B this month.
    const ids = await appeals(
      [
        [topic.id, null, '55501000001', 2],
        [topic.id, null, '55501000001', 2],
        [topic.id, null, '55501000001', 2],
        [topic.id, null, '55501000001', 0],
        [topic.id, null, '55501000001', 0],
      ],
      'window',
    );
    await sql(
      `INSERT INTO answers (appeal_id, organisation_id, author_id, text, status)
       SELECT id, CASE WHEN ord <= 3 THEN $2::uuid ELSE $3::uuid END, (SELECT id FROM users WHERE login = 'history'), 'Ответ', 'sent'
         FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, ord)`,
      [ids, a, b],
    );
    const read = async (window: number) =>
      (
        await sql<OrganisationHistory>(ROUTING_HISTORY_SQL, [
          JSON.stringify([{ n: 0, topicId: topic.id, subtopicId: null, territoryPrefix: '55501' }]),
          window,
        ])
      ).map((h) => [h.organisationId, h.answered]);
    expect(await read(2)).toEqual([[b, 2]]);
    expect((await read(3)).sort()).toEqual(
      [
        [a, 3],
        [b, 2],
      ].sort(),
    );
    expect(HISTORY_WINDOW).toBe(20_000);
  });

  it('reads the counts by key and no appeal', async () => {
    // A region's worth of counts: a small table is read whole whatever its indexes.
    await sql(
      `INSERT INTO routing_history_counts (topic_id, territory, subtopic_id, month, organisation_id, answered)
       SELECT gen_random_uuid(), lpad(t::text, 5, '0'), '00000000-0000-0000-0000-000000000000', m, o, 1
         FROM generate_series(1, 200) t, generate_series(date '2020-01-01', date '2026-12-01', interval '1 month') m,
              (VALUES ('00000000-0000-0000-0000-000000000000'::uuid), (gen_random_uuid())) v(o)`,
    );
    await sql('ANALYZE routing_history_counts; ANALYZE appeals');
    const params = [
      JSON.stringify(
        topics.map((t, n) => ({ n, topicId: t.id, subtopicId: null, territoryPrefix: '50701' })),
      ),
      HISTORY_WINDOW,
    ];
    const plan = (await sql<{ 'QUERY PLAN': string }>(`EXPLAIN ${ROUTING_HISTORY_SQL}`, params))
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(plan).toMatch(/Index (Only )?Scan using routing_history_counts_months_idx/);
    expect(plan).toMatch(/Index (Only )?Scan using routing_history_counts_pkey/);
    expect(plan).not.toMatch(/appeals|answers|classification_corrections|Seq Scan/);
  });
});
