import { randomUUID } from 'node:crypto';
import { AppealRegistrar } from '@inbox/appeals';
import { ClassificationPipeline } from '@inbox/classification';
import { seedDirectory } from '@inbox/demo';
import { clusterBuckets, Incidents } from '@inbox/incidents';
import { InboundStore } from '@inbox/intake';
import { type InboundItem } from '@inbox/integrations/contract';
import { addressKey, minHashBands, wordShingles } from '@inbox/text-classifier';
import { Client } from 'pg';
import { inboundItem } from '../factories/inbound-items';
import { restoreEnvironmentAfterBlock } from '../support/folded-files';
import { registerItems, startTestStack, type TestStack } from '../support/test-stack';

/*
 * Two files folded into one (incident-clustering and incident-regroup-deadlock): jest loads the api's and the
 * worker's modules once for them, not twice. Each describe block keeps its own stack, context or database, and
 * gets the environment back as it was when it ends.
 */

/**
 * Incident clustering without a global lock (issue 18): items about one problem grouped at the same time
 * still make one incident, and an item whose buckets another transaction holds does not hold up an
 * unrelated item.
 */
describe('incident clustering (integration)', () => {
  restoreEnvironmentAfterBlock();
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
      `SELECT count(DISTINCT incident_id)::int AS n, count(incident_id)::int AS linked FROM appeal_incidents WHERE appeal_id = ANY($1)`,
      [rows.map((r) => r.id)],
    );
    expect({ incidents: n, linked, created }).toEqual({ incidents: 1, linked: 20, created: 1 });
    const [incident] = await sql<{ appeals_count: number }>(
      `SELECT appeals_count FROM incidents WHERE id = (SELECT incident_id FROM appeal_incidents WHERE appeal_id = $1)`,
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

/**
 * Grouping and routing again at once (issue 18). A grouping pass holds the keys it claimed and then locks
 * their appeals; a pass routing an appeal again (process: a redirect, a change of route) holds the appeal and
 * then saves its keys. Run on the same appeals, on two connections, many times, they must never deadlock
 * (SQLSTATE 40P01), and once everything is grouped each problem is one incident, its count right.
 */
describe('incident grouping beside routing again (integration)', () => {
  restoreEnvironmentAfterBlock();
  let stack: TestStack;
  const AT = new Date('2026-03-02T06:00:00Z');

  beforeAll(async () => {
    stack = await startTestStack({ env: { CLASSIFIER_RETRAIN_CRON: 'off' } });
    await seedDirectory(stack.db.dataSource);
  }, 300_000);
  afterAll(async () => {
    await stack?.close();
  });

  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    stack.db.dataSource.query(query, params) as Promise<T[]>;

  /** Postgres's code of the error, if any. */
  const codeOf = (error: unknown) =>
    (error as { code?: string; driverError?: { code?: string } }).driverError?.code ??
    (error as { code?: string }).code;

  it('groups an appeal routed again at once: its request is taken, its key grouped again', async () => {
    const [id] = await registerItems(
      stack,
      [inboundItem({ text: 'На улице Гоголя у дома 7 третий день не убирают упавшее дерево с тротуара.' })],
      AT,
    );
    const pipeline = stack.api.get(ClassificationPipeline);
    const incidents = stack.api.get(Incidents);
    await pipeline.processPending(10);
    await incidents.clusterPending(10);
    const state = () =>
      sql<{ requests: number; waiting: boolean }>(
        `SELECT (SELECT count(*) FROM appeal_cluster_requests WHERE appeal_id = $1)::int AS requests,
                (SELECT clustered_at IS NULL FROM appeal_cluster_keys WHERE appeal_id = $1) AS waiting`,
        [id],
      );
    expect(await state()).toEqual([{ requests: 0, waiting: false }]);
    // Routed again with nothing else waiting: no request is left behind, the key is grouped again.
    expect(await pipeline.process(id)).toMatchObject({ kind: 'done' });
    expect(await state()).toEqual([{ requests: 0, waiting: false }]);
    // A request of another appeal is left to the pass that takes it.
    await sql(`INSERT INTO appeal_cluster_requests (appeal_id) VALUES ($1)`, [id]);
    expect(await incidents.clusterPending(1, [randomUUID()])).toMatchObject({ claimed: 0 });
    expect(await state()).toEqual([{ requests: 1, waiting: false }]);
    await incidents.clusterPending(1, [id]);
    expect(await state()).toEqual([{ requests: 0, waiting: false }]);
  });

  it('never deadlocks and groups each problem into one incident', async () => {
    const problems = [
      (n: number) =>
        `Третий день во всём доме на улице Станиславского нет горячей воды, управляющая компания молчит (${n}).`,
      (n: number) =>
        `На перекрёстке улиц Титова и Плахотного не работает светофор с утра, машины едут как попало (${n}).`,
      (n: number) =>
        `Во дворе дома на улице Зорге прорвало трубу отопления, из-под асфальта идёт пар, дети рядом (${n}).`,
    ];
    const per = 8;
    const ids = await registerItems(
      stack,
      problems.flatMap((text) => Array.from({ length: per }, (_, n) => inboundItem({ text: text(n % 2) }))),
      AT,
    );
    const pipeline = stack.api.get(ClassificationPipeline);
    const incidents = stack.api.get(Incidents);
    while ((await pipeline.processPending(100)).size > 0);

    const deadlocks: unknown[] = [];
    const other: unknown[] = [];
    const guard = async (run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        (codeOf(error) === '40P01' ? deadlocks : other).push(error);
      }
    };
    for (let round = 0; round < 25; round++) {
      // Every key waits again, as after routing, so the grouping pass claims (and holds) all of them.
      await sql(`UPDATE appeal_cluster_keys SET clustered_at = NULL WHERE appeal_id = ANY($1)`, [ids]);
      const order = [...ids].sort(() => Math.random() - 0.5);
      await Promise.all([
        guard(async () => {
          while ((await incidents.clusterPending(6)).claimed > 0);
        }),
        guard(async () => {
          for (const id of order.slice(0, 8)) await pipeline.process(id);
        }),
      ]);
    }
    expect(other).toEqual([]);
    expect(deadlocks).toEqual([]);

    // Whatever is left waits for the next pass: drain it.
    for (let i = 0; i < 50; i++) {
      const { claimed } = await incidents.clusterPending(100);
      const [{ n }] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM appeal_cluster_requests WHERE appeal_id = ANY($1)`,
        [ids],
      );
      if (claimed === 0 && n === 0) break;
    }
    const waiting = await sql(
      `SELECT appeal_id FROM appeal_cluster_keys WHERE appeal_id = ANY($1) AND clustered_at IS NULL`,
      [ids],
    );
    expect(waiting).toEqual([]);
    const rows = await sql<{ id: string; incident_id: string | null }>(
      `SELECT appeal_id AS id, incident_id FROM appeal_incidents WHERE appeal_id = ANY($1)`,
      [ids],
    );
    const incidentOf = new Map(rows.map((r) => [r.id, r.incident_id]));
    const perProblem = problems.map((_, p) => [
      ...new Set(ids.slice(p * per, (p + 1) * per).map((id) => incidentOf.get(id))),
    ]);
    expect(perProblem.map((s) => s.length)).toEqual([1, 1, 1]);
    expect(perProblem.every(([incident]) => incident)).toBe(true);
    expect(new Set(perProblem.map(([incident]) => incident)).size).toBe(3);
    const counts = await sql<{ appeals_count: number; n: number }>(
      `SELECT i.appeals_count, (SELECT count(*)::int FROM appeal_incidents l WHERE l.incident_id = i.id) AS n
         FROM incidents i WHERE i.id = ANY($1)`,
      [perProblem.map(([incident]) => incident)],
    );
    expect(counts).toEqual([
      { appeals_count: per, n: per },
      { appeals_count: per, n: per },
      { appeals_count: per, n: per },
    ]);
    const [{ twice }] = await sql<{ twice: number }>(
      `SELECT count(*)::int AS twice FROM (SELECT appeal_id FROM appeal_events
         WHERE appeal_id = ANY($1) AND type = 'incident-linked' GROUP BY appeal_id HAVING count(*) > 1) t`,
      [ids],
    );
    expect(twice).toBe(0);
  }, 300_000);
});
