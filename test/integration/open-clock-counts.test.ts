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

const OpenClockCountsModule = AppealsTestModule.with([ClocksModule, ReportsModule]);

const OPEN = `('registered','in_work','escalated','returned','extended','reopened')`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Open appeals' marks, one row per appeal and organisation, recounted from the marks themselves. */
const PAIRS = `
  SELECT m.appeal_id, m.organisation_id, a.topic_id, bool_or(m.kind = 'overdue') AS overdue
    FROM clock_marks m JOIN appeals a ON a.id = m.appeal_id
   WHERE a.status IN ${OPEN} AND ($1::uuid[] IS NULL OR m.organisation_id = ANY($1))
   GROUP BY 1, 2, 3`;

interface Chart {
  id: string;
  atRisk: number;
  overdue: number;
}

/**
 * Issue 18: the dashboard's clock charts read counts maintained by triggers (migration OpenClockCounts), not the
 * marks joined to the open appeals. Through clock sweeps (marks at risk, then overdue), escalations to line 2
 * (marks at two organisations), reclassification, answers, closing and a reopening, the counts must equal a
 * recount from the marks, and the dashboard the charts it computed from the marks before — region-wide, for one
 * organisation and for a scope of several — before and after the deltas are folded.
 */
describe('dashboard clock charts from maintained counts (integration)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let ctx: INestApplicationContext;
  let reports: Reports;
  let watcher: ClockWatcher;
  let workflow: AppealWorkflow;
  let operator: Actor;
  let clerk: Actor;
  let supervisor: Actor;
  let ids: string[];
  const org: Record<string, string> = {};
  const topic: Record<string, string> = {};

  /** Every (organisation or '-' for the appeal, topic, overdue) with its count, recounted from the marks. */
  const recount = () =>
    ds.query(
      `WITH pairs AS (${PAIRS})
       SELECT organisation_id::text AS org, COALESCE(topic_id::text, '-') AS topic, overdue, count(*)::int AS n
         FROM pairs GROUP BY 1, 2, 3
       UNION ALL
       SELECT '-', COALESCE(topic_id::text, '-'), overdue, count(*)::int
         FROM (SELECT topic_id, bool_or(overdue) AS overdue FROM pairs GROUP BY appeal_id, topic_id) x
        GROUP BY 2, 3
       ORDER BY 1, 2, 3`,
      [null],
    ) as Promise<unknown[]>;
  /** The same from the maintained counts plus the deltas not yet folded. */
  const maintained = () =>
    ds.query(
      `SELECT COALESCE(organisation_id::text, '-') AS org, COALESCE(topic_id::text, '-') AS topic, overdue,
              sum(n)::int AS n
         FROM (SELECT organisation_id, topic_id, overdue, subtree, count AS n FROM open_clock_counts
               UNION ALL SELECT organisation_id, topic_id, overdue, subtree, delta FROM open_clock_count_deltas) c
        WHERE NOT subtree
        GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3`,
    ) as Promise<unknown[]>;

  /** The charts as the dashboard computed them from the marks before (one scope's organisations, or all). */
  const chartsFromMarks = async (organisationIds: string[] | null) => {
    const chart = (rows: { id: string; at_risk: number; overdue: number }[]): Chart[] =>
      rows.map((r) => ({ id: r.id, atRisk: r.at_risk, overdue: r.overdue }));
    const byOrganisation = (await ds.query(
      `WITH pairs AS (${PAIRS})
       SELECT organisation_id::text AS id, count(*) FILTER (WHERE NOT overdue)::int AS at_risk,
              count(*) FILTER (WHERE overdue)::int AS overdue
         FROM pairs GROUP BY 1 ORDER BY 1`,
      [organisationIds],
    )) as { id: string; at_risk: number; overdue: number }[];
    const byTopic = (await ds.query(
      `WITH pairs AS (${PAIRS}),
            per_appeal AS (SELECT topic_id, bool_or(overdue) AS overdue FROM pairs GROUP BY appeal_id, topic_id)
       SELECT COALESCE(topic_id::text, 'none') AS id, count(*) FILTER (WHERE NOT overdue)::int AS at_risk,
              count(*) FILTER (WHERE overdue)::int AS overdue
         FROM per_appeal GROUP BY 1 ORDER BY 1`,
      [organisationIds],
    )) as { id: string; at_risk: number; overdue: number }[];
    return { byOrganisation: chart(byOrganisation), byTopic: chart(byTopic) };
  };

  /** The dashboard's charts for a scope, in the recount's order. */
  const dashboardCharts = async (organisationIds: string[] | null) => {
    const scope: AccessScope = {
      userId: supervisor.userId,
      role: Role.Supervisor,
      organisationId: org.region,
      organisationIds,
    };
    const { clocks, totals } = await reports.dashboard({ organisationId: org.region, scope });
    const byId = (a: Chart, b: Chart) => (a.id < b.id ? -1 : 1);
    return {
      byOrganisation: clocks.byOrganisation
        .map((c) => ({ id: c.organisationId, atRisk: c.atRisk, overdue: c.overdue }))
        .sort(byId),
      byTopic: clocks.byTopic
        .map((c) => ({ id: c.topicId, atRisk: c.atRisk, overdue: c.overdue }))
        .sort(byId),
      totals: { atRisk: totals.atRisk, overdueMarked: totals.overdueMarked },
    };
  };

  /** The counts equal the recount; then each scope's dashboard equals the charts from the marks. */
  const expectCountsAndCharts = async () => {
    expect(await maintained()).toEqual(await recount());
    // The region's subtree as a scope reads the subtree rows (migration AppealScopeCounts), the other list of
    // several organisations the marks.
    const subtree = (
      (await ds.query(`SELECT organisation_id FROM organisation_ancestry() WHERE ancestor_id = $1`, [
        org.region,
      ])) as { organisation_id: string }[]
    ).map((r) => r.organisation_id);
    expect(subtree.length).toBeGreaterThan(3);
    for (const scope of [null, [org.minzhkh], [org.cur, org.minzhkh, org.mintrans], subtree, []]) {
      const expected = await chartsFromMarks(scope);
      const sum = (key: 'atRisk' | 'overdue') => expected.byTopic.reduce((n, c) => n + c[key], 0);
      expect(await dashboardCharts(scope)).toEqual({
        ...expected,
        totals: { atRisk: sum('atRisk'), overdueMarked: sum('overdue') },
      });
    }
    // The dashboard folded the deltas: the counts alone still equal the recount.
    expect(await ds.query(`SELECT * FROM open_clock_count_deltas`)).toEqual([]);
    expect(await maintained()).toEqual(await recount());
  };

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(OpenClockCountsModule, 'open-clock-counts'));
    ds = db.dataSource;
    reports = ctx.get(Reports);
    watcher = ctx.get(ClockWatcher);
    workflow = ctx.get(AppealWorkflow);
    for (const code of ['region', 'cur', 'minzhkh', 'mintrans'])
      org[code] = await idOf(ds, 'organisations', code);
    for (const code of ['housing', 'roads']) topic[code] = await idOf(ds, 'topics', code);

    const users = ctx.get(StaffUsers);
    const actor = async (role: Role, code: string): Promise<Actor> =>
      staffActor(users, role, org[code], `Сотрудник ${code}`);
    operator = await actor(Role.Operator, 'cur');
    clerk = await actor(Role.Clerk, 'minzhkh');
    supervisor = await actor(Role.Supervisor, 'region');

    ids = await registerItemsIn(
      ctx,
      Array.from({ length: 8 }, (_, i) =>
        inboundItem({
          channel: [Channel.Pos, Channel.Website][i % 2],
          externalId: `clock-counts-${i}-${randomBytes(3).toString('hex')}`,
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
    // 0–4 on housing, 5 on roads, 6–7 without a topic; 0–2 escalated to the ministry (a line-2 clock there
    // besides the answer clock at line 1), 3 to two organisations.
    for (const id of ids.slice(0, 5)) await workflow.classify(id, operator, topic.housing);
    await workflow.classify(ids[5], operator, topic.roads);
    const escalate = (id: string, organisationIds: string[]) =>
      workflow.escalate(id, operator, {
        organisationIds,
        subject: 'Открытый люк во дворе',
        applicant: { phone: '+79135550000' },
      });
    for (const id of ids.slice(0, 3)) await escalate(id, [org.minzhkh]);
    await escalate(ids[3], [org.minzhkh, org.mintrans]);
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  it('keeps the counts through sweeps and workflow changes, and the dashboard reads the same charts', async () => {
    // Due times from the calendar, whatever the date the test runs on.
    const [due] = (await ds.query(
      `SELECT (SELECT max(due_at) FROM appeal_organisations WHERE line = 2) AS line2,
              (SELECT min(answer_due_at) FROM appeals) AS answer`,
    )) as { line2: Date; answer: Date }[];
    // Past the line-2 clocks: overdue there (and the escalation clocks), the answers not yet marked.
    const first = await watcher.sweep(new Date(due.line2.getTime() + HOUR));
    expect(first.marks).toBeGreaterThan(0);
    await expectCountsAndCharts();

    // A day before the answers are due they are at risk; past it, overdue (pairs move from at risk to overdue).
    const atRisk = await watcher.sweep(new Date(due.answer.getTime() - DAY));
    expect(atRisk.byClock['answer/at-risk']).toBeGreaterThan(0);
    await expectCountsAndCharts();

    // Marked appeals reclassified, answered (out of the open statuses), closed, and one reopened directly.
    await workflow.classify(ids[6], operator, topic.roads);
    await workflow.classify(ids[4], operator, topic.roads);
    for (const id of ids.slice(0, 2)) {
      const answerId = await workflow.draftAnswer(id, clerk, {
        text: 'Ваше обращение рассмотрено. Люк закрыт управляющей компанией, работы выполнены.',
      });
      await workflow.approveAnswer(id, answerId, supervisor);
      await workflow.sendAnswer(id, answerId, clerk);
    }
    await workflow.close(ids[0], supervisor);
    const statuses = (await ds.query(`SELECT DISTINCT status FROM appeals ORDER BY 1`)) as {
      status: string;
    }[];
    expect(statuses.map((s) => s.status)).toEqual(
      expect.arrayContaining(['closed', 'answered', 'escalated']),
    );
    expect(await ds.query(`SELECT count(*)::int AS n FROM open_clock_count_deltas`)).not.toEqual([{ n: 0 }]);
    await expectCountsAndCharts();

    const overdue = await watcher.sweep(new Date(due.answer.getTime() + DAY));
    expect(overdue.byClock['answer/overdue']).toBeGreaterThan(0);
    await ds.query(`UPDATE appeals SET status = 'reopened' WHERE id = $1`, [ids[1]]);
    await expectCountsAndCharts();

    // The charts are not empty (else the comparisons would prove nothing).
    const region = await dashboardCharts(null);
    expect(region.totals.atRisk + region.totals.overdueMarked).toBeGreaterThanOrEqual(6);
    expect(region.byOrganisation.length).toBeGreaterThanOrEqual(3);
  });
});
