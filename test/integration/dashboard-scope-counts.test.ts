import { randomBytes } from 'node:crypto';
import { type INestApplicationContext } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { type AccessScope, Role, StaffUsers } from '@inbox/access';
import { type Actor, AppealWorkflow } from '@inbox/appeals';
import { ClocksModule, ClockWatcher } from '@inbox/clocks';
import { Channel } from '@inbox/integrations/contract';
import { Reports, ReportsModule } from '@inbox/reports';
import { idOf } from '../factories/directory';
import { inboundItem } from '../factories/inbound-items';
import { AppealsTestModule } from '../support/appeals-test-module';
import { staffActor } from '../support/staff-actor';
import { createTestContext } from '../support/test-context';
import { registerItemsIn } from '../support/test-stack';
import { type TestDatabase } from '../support/test-database';

const ScopeCountsModule = AppealsTestModule.with([ClocksModule, ReportsModule]);

const OPEN = `('registered','in_work','escalated','returned','extended','reopened')`;
const DAY = 86_400_000;

/** The appeals in a scope (null: all), as the dashboard's scope predicate reads them. */
const IN_SCOPE = `($1::uuid[] IS NULL OR EXISTS (SELECT 1 FROM appeal_organisations s
                    WHERE s.appeal_id = a.id AND s.organisation_id = ANY($1)))`;

/** Each appeal with each of its scope keys, recounted from the appeals, their parts and the hierarchy. */
const KEYED = `
  WITH RECURSIVE up (organisation_id, ancestor_id) AS (
    SELECT id, id FROM organisations
    UNION SELECT up.organisation_id, o.parent_id FROM up JOIN organisations o ON o.id = up.ancestor_id
     WHERE o.parent_id IS NOT NULL
  ), keys AS (
    SELECT id AS appeal_id, '-' AS key, false AS subtree FROM appeals
    UNION SELECT appeal_id, organisation_id::text, false FROM appeal_organisations
    UNION SELECT ao.appeal_id, up.ancestor_id::text, true
            FROM appeal_organisations ao JOIN up ON up.organisation_id = ao.organisation_id
  )
  SELECT k.key, k.subtree, a.* FROM keys k JOIN appeals a ON a.id = k.appeal_id`;

/**
 * Issue 18: the dashboard's totals and daily volume read counts maintained by triggers for every scope
 * (migration AppealScopeCounts). Through registrations, classification, escalation and re-routing to other
 * organisations, answers, closing, a reopening, overdue marks, due times and registrations moved to the edges of
 * the time-bound figures, and a re-parented organisation, the counts must equal a recount from the appeals, and
 * the dashboard the figures counted from the appeals themselves — region-wide, for one organisation, for an
 * organisation's subtree (an appeal with parts at two of its organisations once) and for any other list — before
 * and after the deltas are folded.
 */
describe('dashboard totals and volume from maintained scope counts (integration)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let ctx: INestApplicationContext;
  let reports: Reports;
  let workflow: AppealWorkflow;
  let users: StaffUsers;
  let operator: Actor;
  let clerk: Actor;
  let supervisor: Actor;
  let ids: string[];
  const org: Record<string, string> = {};
  const topic: Record<string, string> = {};

  /** Every counted row (key, subtree, bucket columns) with its count, recounted from the base tables. */
  const recount = async () => ({
    open: (await ds.query(
      `SELECT key, subtree, date_trunc('hour', answer_due_at, 'UTC') AS due, fast_track, topic_id IS NULL AS uncl,
              count(*)::int AS n
         FROM (${KEYED}) x WHERE status IN ${OPEN} GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    )) as unknown[],
    registered: (await ds.query(
      `SELECT key, subtree, to_char((registered_at AT TIME ZONE time_zone)::date, 'YYYY-MM-DD') AS day, channel,
              count(*)::int AS n
         FROM (${KEYED}) x GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    )) as unknown[],
    recent: (await ds.query(
      `SELECT key, subtree, date_trunc('hour', registered_at, 'UTC') AS hour, count(*)::int AS n
         FROM (${KEYED}) x WHERE registered_at >= now() - interval '2 days' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    )) as unknown[],
    // The clock counts' subtree rows: open appeals with marks in the subtree, overdue when any of them is.
    clocks: (await ds.query(
      `WITH RECURSIVE up (organisation_id, ancestor_id) AS (
         SELECT id, id FROM organisations
         UNION SELECT up.organisation_id, o.parent_id FROM up JOIN organisations o ON o.id = up.ancestor_id
          WHERE o.parent_id IS NOT NULL)
       SELECT key, COALESCE(topic_id::text, '-') AS topic, overdue, count(*)::int AS n FROM (
         SELECT m.appeal_id, up.ancestor_id::text AS key, a.topic_id, bool_or(m.kind = 'overdue') AS overdue
           FROM clock_marks m JOIN appeals a ON a.id = m.appeal_id JOIN up ON up.organisation_id = m.organisation_id
          WHERE a.status IN ${OPEN} GROUP BY 1, 2, 3) p
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    )) as unknown[],
  });
  /** The same from the maintained counts plus the deltas not yet folded. */
  const maintained = async () => ({
    open: (await ds.query(
      `SELECT COALESCE(organisation_id::text, '-') AS key, subtree, due_hour AS due, fast_track,
              unclassified AS uncl, sum(n)::int AS n
         FROM (SELECT organisation_id, subtree, due_hour, fast_track, unclassified, count AS n FROM open_appeal_counts
               UNION ALL SELECT organisation_id, subtree, due_hour, fast_track, unclassified, delta
                           FROM open_appeal_count_deltas) c
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5`,
    )) as unknown[],
    registered: (await ds.query(
      `SELECT COALESCE(organisation_id::text, '-') AS key, subtree, to_char(day, 'YYYY-MM-DD') AS day, channel,
              sum(n)::int AS n
         FROM (SELECT organisation_id, subtree, day, channel, count AS n FROM appeal_registration_counts
               UNION ALL SELECT organisation_id, subtree, day, channel, delta
                           FROM appeal_registration_count_deltas) c
        GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4`,
    )) as unknown[],
    recent: (await ds.query(
      `SELECT COALESCE(organisation_id::text, '-') AS key, subtree, hour, sum(n)::int AS n
         FROM (SELECT organisation_id, subtree, hour, count AS n FROM appeal_recent_registration_counts
               UNION ALL SELECT organisation_id, subtree, hour, delta FROM appeal_registration_count_deltas) c
        WHERE hour >= now() - interval '2 days'
        GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3`,
    )) as unknown[],
    clocks: (await ds.query(
      `SELECT organisation_id::text AS key, COALESCE(topic_id::text, '-') AS topic, overdue, sum(n)::int AS n
         FROM (SELECT organisation_id, topic_id, overdue, subtree, count AS n FROM open_clock_counts
               UNION ALL SELECT organisation_id, topic_id, overdue, subtree, delta FROM open_clock_count_deltas) c
        WHERE subtree GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3`,
    )) as unknown[],
  });

  /** The figures as the dashboard counted them from the appeals before (for its 30 days of volume). */
  const figuresFromAppeals = async (organisationIds: string[] | null, from: string, to: string) => {
    const [totals] = (await ds.query(
      `SELECT count(*) FILTER (WHERE status IN ${OPEN})::int AS open,
              count(*) FILTER (WHERE status IN ${OPEN} AND fast_track)::int AS "fastTrackOpen",
              count(*) FILTER (WHERE status IN ${OPEN} AND answer_due_at < now())::int AS "overdueOpen",
              count(*) FILTER (WHERE status IN ${OPEN} AND topic_id IS NULL)::int AS unclassified,
              count(*) FILTER (WHERE registered_at >= now() - interval '24 hours')::int AS "received24h"
         FROM appeals a WHERE ${IN_SCOPE}`,
      [organisationIds],
    )) as Record<string, number>[];
    const topics = (
      (await ds.query(
        `SELECT COALESCE(topic_id::text, 'none') AS id, count(*) FILTER (WHERE NOT overdue)::int AS at_risk,
                count(*) FILTER (WHERE overdue)::int AS overdue
           FROM (SELECT m.appeal_id, a.topic_id, bool_or(m.kind = 'overdue') AS overdue
                   FROM clock_marks m JOIN appeals a ON a.id = m.appeal_id
                  WHERE a.status IN ${OPEN} AND ($1::uuid[] IS NULL OR m.organisation_id = ANY($1))
                  GROUP BY 1, 2) p
          GROUP BY 1`,
        [organisationIds],
      )) as { id: string; at_risk: number; overdue: number }[]
    )
      .map((t) => [t.id, t.at_risk, t.overdue])
      .sort();
    const days = (await ds.query(
      `SELECT to_char((registered_at AT TIME ZONE time_zone)::date, 'YYYY-MM-DD') AS date, channel,
              count(*)::int AS count
         FROM appeals a
        WHERE ${IN_SCOPE} AND (registered_at AT TIME ZONE time_zone)::date BETWEEN $2::date AND $3::date
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [organisationIds, from, to],
    )) as unknown[];
    return { topics, totals, days };
  };

  const dashboardOf = async (scope: AccessScope) => {
    const d = await reports.dashboard({ organisationId: scope.organisationId, scope });
    const { open, fastTrackOpen, overdueOpen, unclassified, received24h } = d.totals;
    return {
      topics: d.clocks.byTopic.map((t) => [t.topicId, t.atRisk, t.overdue]).sort(),
      totals: { open, fastTrackOpen, overdueOpen, unclassified, received24h },
      days: d.volume.days,
      from: d.volume.from,
      to: d.volume.to,
    };
  };

  /** Every organisation under `code` with itself. */
  const subtreeOf = async (code: string) =>
    (
      (await ds.query(
        `WITH RECURSIVE t AS (SELECT id FROM organisations WHERE id = $1
                              UNION ALL SELECT o.id FROM organisations o JOIN t ON o.parent_id = t.id)
         SELECT id FROM t`,
        [org[code]],
      )) as { id: string }[]
    ).map((r) => r.id);

  /** The counts equal the recount; each scope's dashboard equals the figures from the appeals; then folded. */
  const expectFigures = async (scopes: AccessScope[]) => {
    expect(await maintained()).toEqual(await recount());
    for (const scope of scopes) {
      const got = await dashboardOf(scope);
      const expected = await figuresFromAppeals(scope.organisationIds, got.from, got.to);
      expect({
        scope: scope.organisationIds,
        topics: got.topics,
        totals: got.totals,
        days: got.days,
      }).toEqual({
        scope: scope.organisationIds,
        ...expected,
      });
    }
    expect(await ds.query(`SELECT * FROM open_appeal_count_deltas`)).toEqual([]);
    expect(await ds.query(`SELECT * FROM appeal_registration_count_deltas`)).toEqual([]);
    expect(await maintained()).toEqual(await recount());
  };

  const scopeOf = (organisationId: string, organisationIds: string[] | null): AccessScope => ({
    userId: supervisor.userId,
    role: Role.Supervisor,
    organisationId,
    organisationIds,
  });

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(ScopeCountsModule, 'dashboard-scope-counts'));
    ds = db.dataSource;
    reports = ctx.get(Reports);
    workflow = ctx.get(AppealWorkflow);
    users = ctx.get(StaffUsers);
    for (const code of ['region', 'cur', 'minzhkh', 'mintrans'])
      org[code] = await idOf(ds, 'organisations', code);
    for (const code of ['housing', 'roads']) topic[code] = await idOf(ds, 'topics', code);

    const actor = async (role: Role, code: string): Promise<Actor> =>
      staffActor(users, role, org[code], `Сотрудник ${code}`);
    operator = await actor(Role.Operator, 'cur');
    clerk = await actor(Role.Clerk, 'minzhkh');
    supervisor = await actor(Role.Supervisor, 'region');

    const channels = [Channel.Pos, Channel.Website, Channel.Email];
    ids = await registerItemsIn(
      ctx,
      Array.from({ length: 10 }, (_, i) =>
        inboundItem({
          channel: channels[i % 3],
          externalId: `scope-counts-${i}-${randomBytes(3).toString('hex')}`,
          subject: `Обращение ${i}`,
          author: {
            externalId: `author-${i}`,
            surname: 'Смирнов',
            firstName: 'Алексей',
            patronymic: 'Игоревич',
          },
        }),
      ),
    );
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  it('keeps the counts through registration, workflow, re-routing, the time bounds and a new hierarchy', async () => {
    const scopes = async () => [
      scopeOf(org.region, null),
      scopeOf(org.minzhkh, [org.minzhkh]),
      scopeOf(org.mintrans, [org.mintrans]),
      scopeOf(org.cur, [org.cur]),
      scopeOf(org.region, await subtreeOf('region')),
      // Not one organisation's subtree: counted from the appeals, the same figures.
      scopeOf(org.cur, [org.cur, org.minzhkh]),
      scopeOf(org.cur, []),
    ];
    // Registered only.
    await expectFigures(await scopes());

    // Classified (0–5), escalated to the ministry (0–3) and re-routed to transport too (3), answered (0–1),
    // closed (0), fast-tracked (8) and reopened directly (1).
    for (const id of ids.slice(0, 5)) await workflow.classify(id, operator, topic.housing);
    await workflow.classify(ids[5], operator, topic.roads);
    const escalate = (id: string, organisationIds: string[]) =>
      workflow.escalate(id, operator, {
        organisationIds,
        subject: 'Открытый люк во дворе',
        applicant: { phone: '+79135550000' },
      });
    for (const id of ids.slice(0, 4)) await escalate(id, [org.minzhkh]);
    await escalate(ids[3], [org.mintrans]);
    for (const id of ids.slice(0, 2)) {
      const answerId = await workflow.draftAnswer(id, clerk, {
        text: 'Ваше обращение рассмотрено. Люк закрыт управляющей компанией, работы выполнены.',
      });
      await workflow.approveAnswer(id, answerId, supervisor);
      await workflow.sendAnswer(id, answerId, clerk);
    }
    await workflow.close(ids[0], supervisor);
    await ds.query(`UPDATE appeals SET fast_track = true WHERE id = $1`, [ids[8]]);
    await ds.query(`UPDATE appeals SET status = 'reopened' WHERE id = $1`, [ids[1]]);
    const parts = (await ds.query(
      `SELECT count(DISTINCT organisation_id)::int AS n FROM appeal_organisations WHERE appeal_id = $1`,
      [ids[3]],
    )) as { n: number }[];
    expect(parts[0].n).toBe(3);
    await expectFigures(await scopes());

    // Overdue: two appeals due days ago (marked by a sweep), one due earlier in this hour (counted by index);
    // registrations moved to just inside the last 24 hours (its first hour, by index), just outside, and days back.
    await ds.query(`UPDATE appeals SET answer_due_at = now() - interval '3 days' WHERE id = ANY($1)`, [
      [ids[2], ids[4]],
    ]);
    const sweep = await ctx.get(ClockWatcher).sweep(new Date());
    expect(sweep.byClock['answer/overdue']).toBeGreaterThan(0);
    await ds.query(`UPDATE appeals SET answer_due_at = date_trunc('hour', now(), 'UTC') WHERE id = $1`, [
      ids[6],
    ]);
    await ds.query(
      `UPDATE appeals SET registered_at = now() - interval '23 hours 59 minutes 30 seconds' WHERE id = $1`,
      [ids[7]],
    );
    await ds.query(`UPDATE appeals SET registered_at = now() - interval '25 hours' WHERE id = $1`, [ids[9]]);
    await ds.query(`UPDATE appeals SET registered_at = $2 WHERE id = $1`, [
      ids[5],
      new Date(Date.now() - 3 * DAY),
    ]);
    await expectFigures(await scopes());

    // Transport moves under housing: a supervisor there sees both, an appeal at the two counted once.
    await ds.query(`UPDATE organisations SET parent_id = $1 WHERE id = $2`, [org.minzhkh, org.mintrans]);
    const head = await users.create({
      login: `supervisor-minzhkh-${randomBytes(3).toString('hex')}`,
      password: `pw-${randomBytes(6).toString('hex')}`,
      fullName: 'Руководитель',
      role: Role.Supervisor,
      organisationId: org.minzhkh,
    });
    const subtreeScope = await users.scopeOf((await users.byId(head.id))!);
    expect([...subtreeScope.organisationIds!].sort()).toEqual([org.minzhkh, org.mintrans].sort());
    await escalate(ids[2], [org.mintrans]);
    await workflow.classify(ids[7], operator, topic.roads);
    await expectFigures([...(await scopes()), subtreeScope]);

    // The figures are not empty (else the comparisons would prove nothing).
    const figures = await dashboardOf(subtreeScope);
    expect(figures.totals.open).toBeGreaterThanOrEqual(3);
    expect(figures.totals.overdueOpen).toBeGreaterThanOrEqual(1);
    const region = await dashboardOf(scopeOf(org.region, null));
    expect(region.totals.overdueOpen).toBeGreaterThanOrEqual(3);
    expect(region.totals.received24h).toBeGreaterThanOrEqual(5);
    expect(region.days.length).toBeGreaterThanOrEqual(3);
  });
});
