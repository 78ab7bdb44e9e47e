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
