import { randomBytes } from 'node:crypto';
import { type INestApplicationContext } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { Role, StaffUsers } from '@inbox/access';
import { type Actor, AppealWorkflow } from '@inbox/appeals';
import { Channel } from '@inbox/integrations/contract';
import { Reports, ReportsModule } from '@inbox/reports';
import { idOf } from '../factories/directory';
import { inboundItem } from '../factories/inbound-items';
import { AppealsTestModule } from '../support/appeals-test-module';
import { staffActor } from '../support/staff-actor';
import { createTestContext } from '../support/test-context';
import { registerItemsIn } from '../support/test-stack';
import { type TestDatabase } from '../support/test-database';

const DashboardCountsModule = AppealsTestModule.with([ReportsModule]);

const OPEN = `('registered','in_work','escalated','returned','extended','reopened')`;
const KEY = `day, organisation_id, channel, status, COALESCE(topic_id::text, '-') AS topic, fast_track`;

/**
 * Issue 18: the region-wide dashboard reads maintained daily counts (migration AppealDailyCounts), not the
 * appeals. After registrations, classification, escalations, answers and a direct update, its figures must
 * equal a count over the appeals themselves, before and after the deltas are folded into the counts.
 */
describe('dashboard from maintained daily counts (integration)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let ctx: INestApplicationContext;
  let reports: Reports;
  const region = {
    organisationId: '',
    scope: { userId: 'x', role: Role.Supervisor, organisationId: '', organisationIds: null },
  };

  /** Every (day, organisation, channel, status, topic, fast track) with its count, straight from the appeals. */
  const direct = () =>
    ds.query(
      `SELECT ${KEY}, count(*)::int AS n FROM (
         SELECT (registered_at AT TIME ZONE time_zone)::date AS day, * FROM appeals) a
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`,
    ) as Promise<unknown[]>;
  /** The same from the counts plus the deltas not yet folded. */
  const maintained = () =>
    ds.query(
      `SELECT ${KEY}, sum(n)::int AS n FROM (
         SELECT day, organisation_id, channel, status, topic_id, fast_track, count AS n FROM appeal_daily_counts
         UNION ALL
         SELECT day, organisation_id, channel, status, topic_id, fast_track, delta FROM appeal_count_deltas) c
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5, 6`,
    ) as Promise<unknown[]>;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(DashboardCountsModule, 'dashboard-counts'));
    ds = db.dataSource;
    reports = ctx.get(Reports);
    region.organisationId = region.scope.organisationId = await idOf(ds, 'organisations', 'region');

    const users = ctx.get(StaffUsers);
    const actor = async (role: Role, code: string): Promise<Actor> =>
      staffActor(users, role, await idOf(ds, 'organisations', code), `Сотрудник ${code}`);
    const operator = await actor(Role.Operator, 'cur');
    const clerk = await actor(Role.Clerk, 'minzhkh');
    const supervisor = await actor(Role.Supervisor, 'region');
    const housing = await idOf(ds, 'topics', 'housing');
    const minzhkh = await idOf(ds, 'organisations', 'minzhkh');

    const channels = [Channel.Pos, Channel.Website, Channel.Email];
    const workflow = ctx.get(AppealWorkflow);
    const ids = await registerItemsIn(
      ctx,
      Array.from({ length: 9 }, (_, i) =>
        inboundItem({
          channel: channels[i % 3],
          externalId: `counts-${i}-${randomBytes(3).toString('hex')}`,
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
    // 0–5 classified; 0–3 escalated to line 2; 0–1 answered there; 8 on the fast track; 7 left as registered.
    for (const id of ids.slice(0, 6)) await workflow.classify(id, operator, housing);
    for (const id of ids.slice(0, 4)) {
      await workflow.escalate(id, operator, {
        organisationIds: [minzhkh],
        subject: 'Открытый люк во дворе',
        applicant: { phone: '+79135550000' },
      });
    }
    for (const id of ids.slice(0, 2)) {
      const answerId = await workflow.draftAnswer(id, clerk, {
        text: 'Ваше обращение рассмотрено. Люк закрыт управляющей компанией, работы выполнены.',
      });
      await workflow.approveAnswer(id, answerId, supervisor);
      await workflow.sendAnswer(id, answerId, clerk);
    }
    await ds.query(`UPDATE appeals SET fast_track = true WHERE id = $1`, [ids[8]]);
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  it('keeps the counts equal to the appeals through every change, then folds the deltas', async () => {
    const statuses = (await ds.query(`SELECT DISTINCT status FROM appeals ORDER BY 1`)) as {
      status: string;
    }[];
    // The mix really moved appeals between statuses (else the test would prove nothing about updates).
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    expect(await maintained()).toEqual(await direct());
    const [{ pending }] = (await ds.query(`SELECT count(*)::int AS pending FROM appeal_count_deltas`)) as {
      pending: number;
    }[];
    expect(pending).toBeGreaterThan(0);

    const dashboard = await reports.dashboard(region);
    expect(await ds.query(`SELECT * FROM appeal_count_deltas`)).toEqual([]);
    expect(await maintained()).toEqual(await direct());

    const [counts] = (await ds.query(
      `SELECT count(*) FILTER (WHERE status IN ${OPEN})::int AS open,
              count(*) FILTER (WHERE status IN ${OPEN} AND fast_track)::int AS "fastTrackOpen",
              count(*) FILTER (WHERE status IN ${OPEN} AND answer_due_at < now())::int AS "overdueOpen",
              count(*) FILTER (WHERE status IN ${OPEN} AND topic_id IS NULL)::int AS unclassified,
              count(*) FILTER (WHERE registered_at >= now() - interval '24 hours')::int AS "received24h"
         FROM appeals`,
    )) as Record<string, number>[];
    expect(counts).toMatchObject({ open: 7, fastTrackOpen: 1, unclassified: 3 });
    expect(dashboard.totals).toMatchObject(counts);
    const volume = (await ds.query(
      `SELECT to_char((registered_at AT TIME ZONE time_zone)::date, 'YYYY-MM-DD') AS date, channel, count(*)::int AS count
         FROM appeals GROUP BY 1, 2 ORDER BY 1, 2`,
    )) as unknown[];
    expect(dashboard.volume.days).toEqual(volume);
  });

  it('counts a change made after the fold before the next one', async () => {
    await ds.query(`UPDATE appeals SET status = 'closed', closed_at = now() WHERE status = 'answered'`);
    expect(await maintained()).toEqual(await direct());
    const dashboard = await reports.dashboard(region);
    const [{ open }] = (await ds.query(
      `SELECT count(*)::int AS open FROM appeals WHERE status IN ${OPEN}`,
    )) as { open: number }[];
    expect(dashboard.totals.open).toBe(open);
    expect(await maintained()).toEqual(await direct());
  });
});
