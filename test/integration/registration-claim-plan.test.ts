import {
  ADD_FOLLOW_UPS_SQL,
  REGISTER_MANY_SQL,
} from '../../libs/appeals/src/repositories/registration.repository';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Issue 18: registration claims a batch's items by key. Its statements checked `status = 'pending'`, which the
 * partial indexes of pending items match; with statistics taken before a burst (few pending items known), the
 * planner read every pending item through that index and hashed them against the batch, a cost per batch that
 * grew with the backlog. Here the statistics are taken on a quiet table and 5 000 items arrive after: the claim
 * must read the batch's items through the primary key and no index of pending items.
 */
describe('registration claims its items by key', () => {
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
