import { Client } from 'pg';
import { appealsWithOwnPeopleSql, createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The outbox trigger (migration OutboxTriggerPlan) reads the appeals of the events a statement appended by key
 * whatever the table's size, and plans for the table as it is now (issue 18). Planned once per session (a
 * PL/pgSQL statement's cached plan), its join hashed the whole appeals table when the session's first event
 * came while the table was small, and went on scanning it on every event after the table had grown, until
 * something invalidated the plan (an ANALYZE; autovacuum's, where it runs).
 */
describe('the outbox trigger’s plan (integration)', () => {
  let db: TestDatabase;
  let session: Client;
  const plans: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    session = new Client({ connectionString: db.url });
    await session.connect();
    session.on('notice', (n) => {
      if (n.message?.includes('INSERT INTO event_outbox')) plans.push(n.message);
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

  const event = async (appealId: string) => {
    await session.query(`INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'registered', '{}')`, [
      appealId,
    ]);
    return plans[plans.length - 1];
  };

  it('reads the appeals by key once the table has grown, in a session that appended events while it was small', async () => {
    const [first] = await appeal(1, 'small-');
    expect(await event(first.id)).toContain('INSERT INTO event_outbox');
    await appeal(20_000, 'grown-');
    const [later] = await appeal(1, 'later-');
    const plan = await event(later.id);
    expect(plan).toContain('appeals_pkey');
    expect(plan).not.toMatch(/Seq Scan on appeals/);
    const [outbox] = await db.dataSource.query(
      `SELECT count(*)::int AS n FROM event_outbox WHERE appeal_id = $1`,
      [later.id],
    );
    expect(outbox.n).toBe(1);
  });
});
