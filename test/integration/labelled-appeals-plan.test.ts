import {
  ANY_LABELS_SQL,
  LABELLED_APPEALS_SQL,
} from '../../libs/classification/src/repositories/training-sources.repository';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Issue 18: the training set and the bootstrap check scanned appeals and inbound items whole (13.4 s and 1.0 s
 * at 1 M appeals). They must read the labelled appeals through the partial indexes of migration
 * LabelledAppealIndexes, and give what the scanning statement gave.
 */
const SCANNING = `
  SELECT a.id, a.topic_id, a.subtopic_id, (a.topic_id IS NOT NULL AND (a.classification_state = 'confirmed' OR
         EXISTS (SELECT 1 FROM appeal_events e WHERE e.appeal_id = a.id AND e.type = 'classified'))) AS human
    FROM appeals a JOIN inbound_items i ON i.id = a.inbound_item_id
   WHERE (a.topic_id IS NOT NULL AND (a.classification_state = 'confirmed' OR EXISTS (
          SELECT 1 FROM appeal_events e WHERE e.appeal_id = a.id AND e.type = 'classified')))
      OR i.payload->'features' ? 'demoTopic'
   ORDER BY a.registered_at DESC, a.id DESC LIMIT $1`;

describe('the training set reads labelled appeals by index', () => {
  let db: TestDatabase;
  const sql = <T>(text: string, params: unknown[] = []) => db.dataSource.query(text, params) as Promise<T[]>;

  beforeAll(async () => {
    db = await createTestDatabase();
    // 6 000 appeals: one in 20 with the demo label in its item, one in 15 confirmed, one in 25 with a
    // `classified` event (one in 3 of those without a topic), the rest labelled by the model alone.
    await sql(
      `WITH person AS (
         INSERT INTO applicants (channel, surname) VALUES ('operator', 'Заявитель') RETURNING id),
       items AS (
         INSERT INTO inbound_items (channel, external_id, received_at, payload)
         SELECT 'operator', 'label-' || n, now(),
                CASE WHEN n % 20 = 0 THEN '{"features": {"demoTopic": "roads"}}'::jsonb ELSE '{}'::jsonb END
           FROM generate_series(1, 6000) n RETURNING id, external_id)
       INSERT INTO appeals (registration_number, registered_at, received_at, regime, channel, external_id,
              inbound_item_id, applicant_id, text, status, organisation_id, time_zone, registration_due_at,
              redirect_due_at, answer_due_date, answer_due_at, calendar_version, access_code_hash, topic_id,
              classification_state)
       SELECT i.external_id, now() - make_interval(mins => n), now(), 'appeal', 'operator', i.external_id, i.id,
              (SELECT id FROM person), 'Обращение ' || n, 'registered', (SELECT id FROM organisations WHERE code = 'cur'),
              'Asia/Novosibirsk', now(), now(), current_date, now(), 'test', 'x',
              CASE WHEN n % 75 = 0 THEN NULL ELSE (SELECT id FROM topics WHERE code = 'roads') END,
              CASE WHEN n % 15 = 0 THEN 'confirmed' ELSE 'auto' END
         FROM items i CROSS JOIN LATERAL (SELECT substr(i.external_id, 7)::int AS n) x`,
    );
    await sql(
      `INSERT INTO appeal_events (appeal_id, type)
       SELECT id, 'classified' FROM appeals WHERE substr(external_id, 7)::int % 25 = 0`,
    );
    await sql('ANALYZE appeals; ANALYZE inbound_items; ANALYZE appeal_events');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each([50, 100_000])('gives what the scan gave (up to %i)', async (limit) => {
    const scanned = await sql<{ id: string; human: boolean }>(SCANNING, [limit]);
    const read = await sql<{ id: string; human: boolean }>(LABELLED_APPEALS_SQL, [limit]);
    expect(read.map((r) => [r.id, r.human])).toEqual(scanned.map((r) => [r.id, r.human]));
    expect(read.length).toBe(Math.min(limit, scanned.length));
    if (limit > 50) expect(new Set(read.map((r) => r.human))).toEqual(new Set([true, false]));
  });

  it.each([
    [
      'the training set',
      LABELLED_APPEALS_SQL,
      ['appeals_confirmed_idx', 'appeal_events_classified_idx', 'inbound_items_demo_label_idx'],
    ],
    ['the bootstrap check', ANY_LABELS_SQL, ['inbound_items_demo_label_idx']],
  ])('%s reads the partial indexes, no table whole', async (_, text, indexes) => {
    // Sequential scans priced out: a table of a few thousand rows is read whole whatever its indexes.
    const plan = await db.dataSource.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const rows = (await tx.query(`EXPLAIN ${text}`, text.includes('$1') ? [100_000] : [])) as {
        'QUERY PLAN': string;
      }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    for (const index of indexes) expect(plan).toContain(index);
    expect(plan).not.toMatch(/Seq Scan on (appeals|inbound_items|appeal_events)/);
  });
});
