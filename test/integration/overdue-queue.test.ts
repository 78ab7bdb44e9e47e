import { type INestApplicationContext } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { type AccessScope, Role, SYSTEM_SCOPE } from '@inbox/access';
import { AppealQueries } from '@inbox/appeals';
import { ClocksModule, ClockWatcher } from '@inbox/clocks';
import { idOf } from '../factories/directory';
import { AppealsTestModule } from '../support/appeals-test-module';
import { createTestContext } from '../support/test-context';
import { type TestDatabase, appealsWithOwnPeopleSql } from '../support/test-database';

const OverdueQueueModule = AppealsTestModule.with([ClocksModule]);

/**
 * Issue 18: the overdue queue reads the appeals an overdue mark flagged (migration OverdueMarkedAppeals) from
 * their own index in due order. Whatever records the mark (the clock sweep, or an insert of a late answer's
 * mark on a closed appeal), the queue must list exactly the appeals with an overdue mark, in due order, page
 * by page; at one organisation, exactly those marked there; and a page must be read from the index.
 */
describe('overdue queue (integration)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let ctx: INestApplicationContext;
  let queries: AppealQueries;
  let minzhkh: string;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(OverdueQueueModule, 'overdue-queue'));
    ds = db.dataSource;
    queries = ctx.get(AppealQueries);
    minzhkh = await idOf(ds, 'organisations', 'minzhkh');
    // 2 000 appeals, one an hour due from 1 000 hours ago on: the open half past due, every tenth closed. Due
    // times in whole seconds, as the deadlines compute them (the list's cursor carries milliseconds).
    await ds.query(
      `${appealsWithOwnPeopleSql({ count: 2000, prefix: 'overdue-' })}
       SELECT '2026-' || lpad(n::text, 6, '0'), now() - interval '60 days', now() - interval '60 days', 'appeal',
              'operator', 'overdue-' || n, item_id, applicant_id, 'Обращение ' || n,
              CASE WHEN n % 10 = 0 THEN 'closed' ELSE 'in_work' END,
              CASE WHEN n % 3 = 0 THEN $1::uuid ELSE (SELECT id FROM organisations WHERE code = 'cur') END,
              'Asia/Novosibirsk', now(), now(), current_date,
              date_trunc('second', now()) - interval '1000 hours' + make_interval(hours => ((n * 7) % 2000)::int), 'test', 'x'
         FROM pairs`,
      [minzhkh],
    );
    await ds.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state)
       SELECT id, organisation_id, 'responsible', registered_at, 1,
              CASE WHEN status = 'closed' THEN 'answered' ELSE 'active' END FROM appeals`,
    );
    await ctx.get(ClockWatcher).sweep(new Date());
    // A late answer's mark on a closed appeal (the sweep marks open ones only): it stays in the queue.
    await ds.query(
      `INSERT INTO clock_marks (appeal_id, organisation_id, clock, kind, due_at)
       SELECT id, organisation_id, 'answer', 'overdue', answer_due_at FROM appeals
        WHERE status = 'closed' AND answer_due_at < now() ORDER BY registration_number LIMIT 5`,
    );
    await ds.query('ANALYZE appeals; ANALYZE clock_marks');
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  /** Every page of the queue, by cursor. */
  const wholeQueue = async (
    organisationId?: string,
    scope: AccessScope = SYSTEM_SCOPE,
    sort: 'due' | 'registered' = 'due',
  ): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await queries.list({ clock: 'overdue', sort, limit: 200, cursor, organisationId }, scope);
      ids.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return ids;
  };
  const marked = async (organisationId: string | null): Promise<string[]> =>
    (
      (await ds.query(
        `SELECT a.id FROM appeals a
          WHERE EXISTS (SELECT 1 FROM clock_marks m WHERE m.appeal_id = a.id AND m.kind = 'overdue'
                          AND ($1::uuid IS NULL OR m.organisation_id = $1))
          ORDER BY a.answer_due_at, a.id`,
        [organisationId],
      )) as { id: string }[]
    ).map((r) => r.id);

  it('lists exactly the appeals with an overdue mark, in due order, closed ones included', async () => {
    const expected = await marked(null);
    expect(expected.length).toBeGreaterThan(800);
    expect(await wholeQueue()).toEqual(expected);
    const [{ closed }] = (await ds.query(
      `SELECT count(*)::int AS closed FROM appeals WHERE overdue_marked AND status = 'closed'`,
    )) as { closed: number }[];
    expect(closed).toBe(5);
  });

  it('lists at one organisation exactly the appeals marked overdue there', async () => {
    const expected = await marked(minzhkh);
    expect(expected.length).toBeGreaterThan(200);
    expect(await wholeQueue(minzhkh)).toEqual(expected);
  });

  it('lists in a clerk’s scope exactly the flagged appeals its organisation holds a part of, in both orders', async () => {
    const clerk: AccessScope = {
      userId: 'clerk',
      role: Role.Clerk,
      organisationId: minzhkh,
      organisationIds: [minzhkh],
    };
    // A part at minzhkh of some appeals another organisation holds: they are in the clerk's queue too.
    await ds.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state)
       SELECT id, $1, 'co-executor', now(), 2, 'active' FROM appeals
        WHERE overdue_marked AND organisation_id <> $1 ORDER BY registration_number LIMIT 7`,
      [minzhkh],
    );
    const inScope = async (order: string): Promise<string[]> =>
      (
        (await ds.query(
          `SELECT a.id FROM appeals a
            WHERE a.overdue_marked AND EXISTS (SELECT 1 FROM appeal_organisations p
                                                WHERE p.appeal_id = a.id AND p.organisation_id = $1)
            ORDER BY ${order}`,
          [minzhkh],
        )) as { id: string }[]
      ).map((r) => r.id);
    const byDue = await inScope('a.answer_due_at, a.id');
    expect(byDue.length).toBeGreaterThan(250);
    expect(await wholeQueue(undefined, clerk)).toEqual(byDue);
    expect(await wholeQueue(undefined, clerk, 'registered')).toEqual(
      await inScope('a.registered_at DESC, a.id DESC'),
    );
    expect(await wholeQueue(minzhkh, clerk)).toEqual(await marked(minzhkh));
  });

  it('finds a clerk’s page in the flagged appeals’ index alone, the scope tested inside it', async () => {
    const plan = await ds.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const rows = (await tx.query(
        `EXPLAIN SELECT a.id FROM appeals a WHERE a.overdue_marked AND a.part_organisation_ids && $1::uuid[]
          ORDER BY a.answer_due_at, a.id LIMIT 51`,
        [[minzhkh]],
      )) as { 'QUERY PLAN': string }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('Index Only Scan using appeals_overdue_due_idx');
  });

  it('reads a page from the flagged appeals’ index in due order, not every mark', async () => {
    const plan = await ds.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const rows = (await tx.query(
        `EXPLAIN SELECT a.id FROM appeals a WHERE a.overdue_marked ORDER BY a.answer_due_at, a.id LIMIT 51`,
      )) as { 'QUERY PLAN': string }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('appeals_overdue_due_idx');
    expect(plan).not.toMatch(/Sort/);
  });
});
