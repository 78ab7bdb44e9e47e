import { EARLIER_ANSWERED_SQL } from '../../libs/legal-flags/src/legal-flags.repository';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

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
