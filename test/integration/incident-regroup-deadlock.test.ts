import { randomUUID } from 'node:crypto';
import { ClassificationPipeline } from '@inbox/classification';
import { seedDirectory } from '@inbox/demo';
import { Incidents } from '@inbox/incidents';
import { inboundItem } from '../factories/inbound-items';
import { registerItems, startTestStack, type TestStack } from '../support/test-stack';

/**
 * Grouping and routing again at once (issue 18). A grouping pass holds the keys it claimed and then locks
 * their appeals; a pass routing an appeal again (process: a redirect, a change of route) holds the appeal and
 * then saves its keys. Run on the same appeals, on two connections, many times, they must never deadlock
 * (SQLSTATE 40P01), and once everything is grouped each problem is one incident, its count right.
 */
describe('incident grouping beside routing again (integration)', () => {
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
      `SELECT id, incident_id FROM appeals WHERE id = ANY($1)`,
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
      `SELECT i.appeals_count, (SELECT count(*)::int FROM appeals a WHERE a.incident_id = i.id) AS n
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
