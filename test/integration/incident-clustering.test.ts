import { Client } from 'pg';
import { AppealRegistrar } from '@inbox/appeals';
import { seedDirectory } from '@inbox/demo';
import { clusterBuckets, Incidents } from '@inbox/incidents';
import { InboundStore } from '@inbox/intake';
import { type InboundItem } from '@inbox/integrations/contract';
import { addressKey, minHashBands, wordShingles } from '@inbox/text-classifier';
import { inboundItem } from '../factories/inbound-items';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * Incident clustering without a global lock (issue 18): items about one problem grouped at the same time
 * still make one incident, and an item whose buckets another transaction holds does not hold up an
 * unrelated item.
 */
describe('incident clustering (integration)', () => {
  let stack: TestStack;
  let incidents: Incidents;
  const NOW = new Date('2026-02-10T05:00:00Z');

  beforeAll(async () => {
    stack = await startTestStack({ env: { CLASSIFIER_RETRAIN_CRON: 'off' } });
    await seedDirectory(stack.db.dataSource);
    incidents = stack.api.get(Incidents);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    stack.db.dataSource.query(query, params) as Promise<T[]>;

  async function register(items: InboundItem[]): Promise<{ id: string; item: InboundItem }[]> {
    const stored = await stack.api.get(InboundStore).store(items, { enqueue: false });
    const out: { id: string; item: InboundItem }[] = [];
    for (const [i, s] of stored.entries()) {
      const outcome = await stack.api.get(AppealRegistrar).registerInboundItem(s.inboundItemId, NOW);
      if (outcome.kind !== 'registered') throw new Error(`not registered: ${outcome.kind}`);
      out.push({ id: outcome.appealId, item: items[i] });
    }
    return out;
  }

  const input = (r: { id: string; item: InboundItem }) => ({
    id: r.id,
    registeredAt: NOW,
    topicId: null,
    subject: r.item.subject ?? null,
    text: r.item.text,
    address: r.item.address ?? null,
  });

  it('groups twenty near-identical items clustered all at once into one incident', async () => {
    const streets = ['Ленина', 'Кирова', 'Мира', 'Гоголя'];
    const rows = await register(
      Array.from({ length: 20 }, (_, i) =>
        inboundItem({
          text:
            `Третий день нет горячей воды во всём микрорайоне Северный, дома по улице ${streets[i % 4]} ` +
            `и соседние, управляющая компания на звонки не отвечает, когда дадут воду?${i % 3 === 0 ? ' Помогите!' : ''}`,
          address: undefined,
        }),
      ),
    );
    const results = await Promise.all(rows.map((r) => incidents.cluster(input(r))));
    const created = results.filter((r) => r?.created).length;
    const [{ n, linked }] = await sql<{ n: number; linked: number }>(
      `SELECT count(DISTINCT incident_id)::int AS n, count(incident_id)::int AS linked FROM appeals WHERE id = ANY($1)`,
      [rows.map((r) => r.id)],
    );
    expect({ incidents: n, linked, created }).toEqual({ incidents: 1, linked: 20, created: 1 });
    const [incident] = await sql<{ appeals_count: number }>(
      `SELECT appeals_count FROM incidents WHERE id = (SELECT incident_id FROM appeals WHERE id = $1)`,
      [rows[0].id],
    );
    expect(incident.appeals_count).toBe(20);
  });

  it('does not hold up an unrelated item while another item’s buckets are locked', async () => {
    const [held, other] = await register([
      inboundItem({
        text: 'На остановке общественного транспорта у школы номер пять разбито стекло павильона и нет скамейки.',
        address: 'г. Новосибирск, ул. Титова, 3',
      }),
      inboundItem({
        text: 'Просим проверить начисления за капитальный ремонт, в квитанции за январь сумма выросла вдвое.',
        address: 'г. Новосибирск, ул. Фрунзе, 40',
      }),
    ]);
    const heldText = held.item.text;
    const buckets = clusterBuckets(
      minHashBands(wordShingles(heldText)),
      addressKey(held.item.address) ?? null,
      null,
    );
    expect(buckets.length).toBeGreaterThan(0);
    const locker = new Client({ connectionString: stack.db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) k`, [
        buckets,
      ]);
      let heldDone = false;
      const heldRun = incidents.cluster(input(held)).then(() => {
        heldDone = true;
      });
      // The unrelated item is grouped while the first one still waits for its buckets.
      await expect(incidents.cluster(input(other))).resolves.toBeUndefined();
      expect(heldDone).toBe(false);
      await locker.query('COMMIT');
      await heldRun;
      expect(heldDone).toBe(true);
    } finally {
      await locker.end();
    }
    const keys = await sql(`SELECT appeal_id FROM appeal_cluster_keys WHERE appeal_id = ANY($1)`, [
      [held.id, other.id],
    ]);
    expect(keys).toHaveLength(2);
  });

  it('keeps the band index to the key’s bands when an item is grouped again with another text', async () => {
    // Issue 18: the band index has no index by appeal; an item's old band rows are found from the bands its
    // key row holds, so they must be replaced before the key takes the new ones (cluster), or by a re-grouping.
    const [row] = await register([
      inboundItem({
        text: 'У дома номер девять по улице Дуси Ковальчук вторую неделю не горит ни один фонарь во дворе.',
        address: undefined,
      }),
    ]);
    const bandsOf = async () => {
      const [r] = await sql<{ index: string[]; key: string[] }>(
        `SELECT ARRAY(SELECT DISTINCT band::text FROM appeal_cluster_bands WHERE appeal_id = $1 ORDER BY 1) AS index,
                ARRAY(SELECT DISTINCT b::text FROM appeal_cluster_keys, unnest(bands) b
                       WHERE appeal_id = $1 ORDER BY 1) AS key`,
        [row.id],
      );
      expect(r.index).toEqual(r.key);
      return r.key;
    };
    await incidents.cluster(input(row));
    const first = await bandsOf();
    expect(first.length).toBeGreaterThan(0);
    const other =
      'В подъезде дома на улице Фрунзе сломан лифт, пожилые жильцы девятого этажа не могут выйти.';
    await incidents.cluster({ ...input(row), text: other });
    const second = await bandsOf();
    expect(second).not.toEqual(first);
    // Grouped again by the pass, from the appeal's text as it is now.
    await sql(`UPDATE appeals SET text = $2 WHERE id = $1`, [row.id, row.item.text]);
    await sql(`INSERT INTO appeal_cluster_requests (appeal_id) VALUES ($1)`, [row.id]);
    await incidents.clusterPending(10, [row.id]);
    expect(await bandsOf()).toEqual(first);
  });
});
