import { randomUUID } from 'node:crypto';
import { type INestApplicationContext } from '@nestjs/common';
import { type AccessScope, Role } from '@inbox/access';
import { AppealRegistrar } from '@inbox/appeals';
import { InboundStore } from '@inbox/intake';
import { Reports, ReportsModule } from '@inbox/reports';
import { ratingsByKindSql } from '../../libs/reports/src/reports.repository';
import { idOf } from '../factories/directory';
import { inboundItem } from '../factories/inbound-items';
import { AppealsTestModule } from '../support/appeals-test-module';
import { createTestContext } from '../support/test-context';
import { type TestDatabase } from '../support/test-database';

const ReportsTestModule = AppealsTestModule.with([ReportsModule]);

/**
 * The dashboard and the timeliness report compose the one scope: a clerk of one organisation counts only the
 * appeals, clock marks, ratings and poor-rating records of theirs; a region-wide viewer counts them all.
 */
describe('reports (integration)', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  let reports: Reports;
  const org: Record<string, string> = {};
  const appeal: Record<'housing' | 'roads', string> = { housing: '', roads: '' };

  const scopeOf = (organisationIds: string[] | null): AccessScope => ({
    userId: randomUUID(),
    role: organisationIds ? Role.Clerk : Role.Supervisor,
    organisationId: organisationIds?.[0] ?? org.region,
    organisationIds,
  });
  const viewer = (organisationIds: string[] | null) => {
    const scope = scopeOf(organisationIds);
    return { organisationId: scope.organisationId, scope };
  };

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(ReportsTestModule, 'reports'));
    reports = ctx.get(Reports);
    const ds = db.dataSource;
    for (const code of ['region', 'minzhkh', 'mintrans']) org[code] = await idOf(ds, 'organisations', code);
    for (const [key, addressee] of [
      ['housing', 'minzhkh'],
      ['roads', 'mintrans'],
    ] as const) {
      const [stored] = await ctx
        .get(InboundStore)
        .store([inboundItem({ addressee: { code: addressee } })], { enqueue: false });
      const outcome = await ctx.get(AppealRegistrar).registerInboundItem(stored.inboundItemId);
      if (outcome.kind !== 'registered') throw new Error(`expected a registration, got ${outcome.kind}`);
      appeal[key] = outcome.appealId;
    }
    await ds.query(`UPDATE appeals SET fast_track = true WHERE id = $1`, [appeal.housing]);
    await ds.query(
      `INSERT INTO clock_marks (appeal_id, organisation_id, clock, kind, due_at) VALUES
         ($1, $2, 'answer', 'overdue', now() - interval '1 hour'),
         ($3, $4, 'answer', 'at-risk', now() + interval '1 hour')`,
      [appeal.housing, org.minzhkh, appeal.roads, org.mintrans],
    );
    const [{ id: poor }] = await ds.query(
      `INSERT INTO ratings (appeal_id, channel, external_id, answered, satisfaction, poor)
       VALUES ($1, 'website', 'r-1', true, 'not-satisfied', true) RETURNING id`,
      [appeal.housing],
    );
    await ds.query(
      `INSERT INTO ratings (appeal_id, channel, external_id, answered, satisfaction, poor)
       VALUES ($1, 'website', 'r-2', true, 'satisfied', false)`,
      [appeal.roads],
    );
    await ds.query(
      `INSERT INTO poor_rating_records (appeal_id, rating_id, organisation_id, superior_organisation_id)
       VALUES ($1, $2, $3, $4)`,
      [appeal.housing, poor, org.minzhkh, org.region],
    );
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  it('counts only what a clerk’s organisation holds on the dashboard', async () => {
    const housing = await reports.dashboard(viewer([org.minzhkh]));
    expect(housing.totals).toMatchObject({ open: 1, fastTrackOpen: 1, atRisk: 0, overdueMarked: 1 });
    expect(housing.fastTrack.map((a) => a.id)).toEqual([appeal.housing]);
    expect(housing.clocks.byOrganisation).toEqual([
      { organisationId: org.minzhkh, organisationName: expect.any(String), atRisk: 0, overdue: 1 },
    ]);
    expect(housing.ratings.byKind).toEqual([{ kind: 'not-satisfied', count: 1, poor: 1 }]);
    expect(housing.ratings.poorByOrganisationTopic).toEqual([
      expect.objectContaining({ organisationId: org.minzhkh, count: 1, appealIds: [appeal.housing] }),
    ]);
    expect(housing.volume.days.reduce((n, d) => n + d.count, 0)).toBe(1);

    const roads = await reports.dashboard(viewer([org.mintrans]));
    expect(roads.totals).toMatchObject({ open: 1, fastTrackOpen: 0, atRisk: 1, overdueMarked: 0 });
    expect(roads.fastTrack).toEqual([]);
    expect(roads.clocks.byOrganisation.map((c) => [c.organisationId, c.atRisk])).toEqual([[org.mintrans, 1]]);
    expect(roads.ratings.byKind).toEqual([{ kind: 'satisfied', count: 1, poor: 0 }]);
    expect(roads.ratings.poorByOrganisationTopic).toEqual([]);
  });

  it('counts everything for a region-wide viewer', async () => {
    const all = await reports.dashboard(viewer(null));
    expect(all.totals).toMatchObject({ open: 2, fastTrackOpen: 1, atRisk: 1, overdueMarked: 1 });
    expect(all.clocks.byOrganisation).toHaveLength(2);
    expect(all.ratings.byKind.map((r) => r.kind).sort()).toEqual(['not-satisfied', 'satisfied']);
    expect(all.volume.to).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("counts the ratings by kind from the ratings, never reading every appeal for a scope's test", async () => {
    // Joined to `appeals` for the scope, the planner read that whole table for a few hundred ratings: 30 ms a view
    // on 2 500 demo appeals, the dashboard's slowest statement, growing with every appeal ever registered.
    for (const organisationIds of [null, [org.minzhkh]]) {
      const params: unknown[] = [];
      const sql = ratingsByKindSql(scopeOf(organisationIds), params);
      const plan = ((await db.dataSource.query(`EXPLAIN ${sql}`, params)) as { 'QUERY PLAN': string }[])
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(plan).not.toMatch(/ on appeals\b|appeals_pkey/);
    }
  });

  it('reports timeliness by group within the scope', async () => {
    const housing = await reports.handled({ groupBy: 'organisation' }, viewer([org.minzhkh]));
    expect(housing.rows).toEqual([
      expect.objectContaining({ key: org.minzhkh, received: 1, inProgress: 1, onTimeShare: null }),
    ]);
    expect(housing.totals).toMatchObject({ received: 1, answered: 0, onTimeShare: null });
    const byChannel = await reports.handled({ groupBy: 'channel' }, viewer(null));
    expect(byChannel.rows).toEqual([
      expect.objectContaining({ key: 'pos', label: 'Платформа обратной связи', received: 2 }),
    ]);
    const outside = await reports.handled(
      { groupBy: 'topic', from: '2000-01-01', to: '2000-01-31' },
      viewer(null),
    );
    expect(outside).toMatchObject({
      from: '2000-01-01',
      to: '2000-01-31',
      rows: [],
      totals: { received: 0 },
    });
  });
});
