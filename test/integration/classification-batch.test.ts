import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Role, StaffUsers } from '@inbox/access';
import { type Actor, AppealWorkflow } from '@inbox/appeals';
import {
  ClassificationPipeline,
  PipelineAppealsRepository,
  type PipelineOutcome,
  Retrainer,
  RoutingSuggestions,
} from '@inbox/classification';
import { demoInboundItems, seedDirectory } from '@inbox/demo';
import { clusterBuckets, Incidents } from '@inbox/incidents';
import { type InboundItem } from '@inbox/integrations/contract';
import { RoutingEngine } from '@inbox/routing';
import { minHashBands, wordShingles } from '@inbox/text-classifier';
import { idOf } from '../factories/directory';
import { inboundItem } from '../factories/inbound-items';
import { eventually, registerItems, startTestStack, type TestStack } from '../support/test-stack';
import { staffActor } from '../support/staff-actor';

/**
 * Classification in batches (issue 18): one pass over many appeals gives what a pass over each one alone gives
 * (the model's topic or the manual queue, fast-track, flags, incidents, the same history), leaves a clerk's
 * topic alone, and two passes at once never take one appeal. Incidents are the grouping pass's, after routing:
 * routing never waits on a grouping's buckets, and grouping passes at once make one incident of one problem.
 */
/** The history the pipeline writes. */
const PIPELINE_EVENTS = [
  'auto-classified',
  'classification-queued',
  'fast-tracked',
  'legal-flag-raised',
  'incident-linked',
];

describe('classification in batches (integration)', () => {
  let stack: TestStack;
  let pipeline: ClassificationPipeline;
  let operator: Actor;
  let housing: string;
  let autoText: string;
  const TRAINED_AT = new Date('2026-02-10T05:00:00Z');
  const day = (n: number) => new Date(TRAINED_AT.getTime() + n * 86_400_000);

  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    stack.db.dataSource.query(query, params) as Promise<T[]>;

  const register = (items: InboundItem[], at: Date) => registerItems(stack, items, at);

  /** Every pending appeal through the classification passes (routed, not yet grouped), in passes of `size`. */
  async function route(size: number): Promise<Map<string, PipelineOutcome>[]> {
    const passes: Map<string, PipelineOutcome>[] = [];
    for (;;) {
      const outcomes = await pipeline.processPending(size);
      if (outcomes.size === 0) return passes;
      passes.push(outcomes);
    }
  }

  /** Every appeal waiting to be grouped through grouping passes of `size`; per pass, what it grouped. */
  async function group(size: number): Promise<Map<string, { incidentId: string; created: boolean }>[]> {
    const passes = [];
    for (;;) {
      const { claimed, grouped } = await stack.api.get(Incidents).clusterPending(size);
      if (claimed === 0) return passes;
      passes.push(grouped);
    }
  }

  /** Every pending appeal through the pipeline: routed in passes of `size`, then grouped. */
  async function drain(size: number): Promise<Map<string, PipelineOutcome>[]> {
    const passes = await route(size);
    await group(size);
    return passes;
  }

  /**
   * `act` on a connection of its own, with a 3 s lock timeout (a timeout fails the test), while `pass` waits in
   * its statement on `table`, which another session holds (as a slow round trip would keep the pass between its
   * statements). The pass then goes on.
   */
  async function whilePassWaits(
    table: string,
    pass: () => Promise<unknown>,
    act: (client: Client) => Promise<void>,
  ): Promise<void> {
    const locker = new Client({ connectionString: stack.db.url });
    const actor = new Client({ connectionString: stack.db.url });
    await locker.connect();
    await actor.connect();
    let passes: Promise<unknown> | undefined;
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      passes = pass();
      await eventually(async () => {
        const [waiting] = await sql(
          `SELECT 1 FROM pg_stat_activity
            WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query ~ $1`,
          [`(FROM|INTO) ${table}\\M`],
        );
        return waiting;
      });
      await actor.query(`SET lock_timeout = '3s'`);
      await act(actor);
    } finally {
      await locker.query('COMMIT');
      await locker.end();
      await actor.end();
      await passes;
    }
  }

  /**
   * A follow-up's touch of appeal `id` (RegistrationRepository.addFollowUpsAtomically, as registration makes it)
   * while `pass` waits in its statement on `table` (whilePassWaits): it must go through within 3 s.
   */
  async function touchWhilePassWaits(id: string, table: string, pass: () => Promise<unknown>): Promise<void> {
    await whilePassWaits(table, pass, async (follower) => {
      const touched = await follower.query(
        `UPDATE appeals SET updated_at = now(), version = version + 1 WHERE id = $1`,
        [id],
      );
      expect(touched.rowCount).toBe(1);
    });
  }

  /** An appeal the fast-track rule of the tests («Прорыв трубы») matches, at house `house` of one street. */
  const burstPipe = (house: number, at: Date) =>
    inboundItem({
      text: `Прорыв трубы в подвале дома ул. Кирова, ${house}, вода заливает подвал.`,
      address: `г. Новосибирск, ул. Кирова, ${house}`,
      receivedAt: at.toISOString(),
    });

  beforeAll(async () => {
    // Commits that wait for the WAL, as in production: the last test checks that a redoable pass's SET LOCAL
    // leaves none of the pool's sessions without.
    stack = await startTestStack({ env: { CLASSIFIER_RETRAIN_CRON: 'off' }, synchronousCommit: true });
    await seedDirectory(stack.db.dataSource);
    pipeline = stack.api.get(ClassificationPipeline);
    const demo = await register(demoInboundItems(200, TRAINED_AT), TRAINED_AT);
    expect(await stack.api.get(Retrainer).retrain('bootstrap')).toMatchObject({ outcome: 'promoted' });
    await drain(100);
    // A text the model files by itself.
    [{ text: autoText }] = await sql<{ text: string }>(
      `SELECT text FROM appeals WHERE id = ANY($1) AND classification_state = 'auto' ORDER BY registered_at LIMIT 1`,
      [demo],
    );
    await sql(
      `INSERT INTO fast_track_rules (name, keywords, months) VALUES ('Прорыв трубы', '{прорыв трубы}', '{}')`,
    );
    housing = await idOf(stack.db.dataSource, 'topics', 'housing');
    const users = stack.api.get(StaffUsers);
    operator = await staffActor(
      users,
      Role.Operator,
      await idOf(stack.db.dataSource, 'organisations', 'cur'),
      'Оператор ЦУР',
    );
  }, 300_000);
  afterAll(async () => {
    await stack?.close();
  });

  /** The mixed cases, registered on `at` (sets far apart in time do not group with each other). */
  async function mixedCases(at: Date, street: string) {
    const item = (text: string, address: string | undefined) =>
      inboundItem({ text, address, receivedAt: at.toISOString() });
    const incident = `В доме ${street} третий день нет горячей воды во всех подъездах, управляющая компания не отвечает на звонки жильцов.`;
    const ids = await register(
      [
        item(autoText, undefined),
        item('Здравствуйте. Прошу разобраться. Спасибо.', undefined),
        item(`Прорыв трубы в подвале дома ${street}, вода заливает подвал.`, `г. Новосибирск, ${street}`),
        item(incident, `г. Новосибирск, ${street}, подъезд 1`),
        item(incident, `г. Новосибирск, ${street}, подъезд 2`),
        item('Во дворе сломаны качели на детской площадке, прошу заменить.', undefined),
      ],
      at,
    );
    const [auto, unsure, fastTrack, incidentA, incidentB, clerk] = ids;
    // A clerk files the last one before the pipeline gets to it.
    await stack.api.get(AppealWorkflow).classify(clerk, operator, housing);
    return { ids, auto, unsure, fastTrack, incidentA, incidentB, clerk };
  }

  /** What a pass leaves of an appeal, without ids that differ between twins. */
  async function result(id: string) {
    const [a] = await sql<{ classification_state: string } & Record<string, unknown>>(
      `SELECT classification_state, topic_id, subtopic_id, typical_need, classification_confidence,
              classifier_model_id, fast_track,
              CASE WHEN fast_track THEN answer_due_date - registered_at::date END AS term,
              suggested_organisation_ids, classified_at IS NOT NULL AS routed,
              EXISTS (SELECT 1 FROM appeal_incidents l WHERE l.appeal_id = a.id) AS in_incident
         FROM appeals a WHERE id = $1`,
      [id],
    );
    const events = await sql<{ type: string; data: Record<string, unknown> }>(
      `SELECT type, data FROM appeal_events WHERE appeal_id = $1 AND type = ANY($2)
        ORDER BY id`,
      [id, PIPELINE_EVENTS],
    );
    const flags = await sql<{ flag: string }>(
      `SELECT flag FROM appeal_flags WHERE appeal_id = $1 ORDER BY flag`,
      [id],
    );
    return {
      ...a,
      flags: flags.map((f) => f.flag),
      events: events.map((e) => {
        const {
          ms: _ms,
          incidentId: _incident,
          flagId: _flag,
          answerDueDate: _date,
          answerDueAt: _at,
          ...data
        } = e.data;
        return { type: e.type, data };
      }),
    };
  }

  it('classifies a mixed batch in one pass exactly as one pass per appeal does', async () => {
    const alone = await mixedCases(day(28), 'ул. Гоголя, 7');
    const alonePasses = [];
    for (const id of alone.ids) alonePasses.push(await pipeline.process(id));
    const batch = await mixedCases(day(56), 'ул. Гоголя, 7');
    const [pass, ...rest] = await drain(50);
    expect(rest).toEqual([]);
    expect([...pass.keys()].sort()).toEqual([...batch.ids].sort());

    for (let i = 0; i < batch.ids.length; i++) {
      expect(await result(batch.ids[i])).toEqual(await result(alone.ids[i]));
      const { incidentId: _a, ...fromBatch } = pass.get(batch.ids[i]) as Record<string, unknown>;
      const { incidentId: _b, ...fromAlone } = alonePasses[i] as Record<string, unknown>;
      expect(fromBatch).toEqual(fromAlone);
    }

    // And each case is what it should be.
    const state = async (id: string) => (await result(id)).classification_state;
    expect(await state(batch.auto)).toBe('auto');
    expect((await result(batch.auto)).events.map((e) => e.type)).toContain('auto-classified');
    expect(await state(batch.unsure)).toBe('manual');
    expect((await result(batch.unsure)).events[0]).toMatchObject({
      type: 'classification-queued',
      data: { reason: expect.any(String), suggestions: expect.any(Array) },
    });
    expect(await result(batch.fastTrack)).toMatchObject({ fast_track: true, term: expect.any(Number) });
    expect((await result(batch.fastTrack)).events.map((e) => e.type)).toContain('fast-tracked');
    const [clerk] = await sql(`SELECT classification_state, topic_id FROM appeals WHERE id = $1`, [
      batch.clerk,
    ]);
    expect(clerk).toEqual({ classification_state: 'confirmed', topic_id: housing });
    expect((await result(batch.clerk)).events.map((e) => e.type)).not.toContain('auto-classified');
    // The two items of one problem joined one incident, of these two only.
    const incidents = await sql<{ incident_id: string; appeals_count: number }>(
      `SELECT l.incident_id, i.appeals_count FROM appeal_incidents l JOIN incidents i ON i.id = l.incident_id
        WHERE l.appeal_id = ANY($1) ORDER BY l.appeal_id`,
      [[batch.incidentA, batch.incidentB]],
    );
    expect(incidents).toHaveLength(2);
    expect(incidents[0]).toEqual(incidents[1]);
    expect(incidents[0].appeals_count).toBe(2);
    // Nothing is left for another pass, and a done appeal is not taken again.
    expect(await pipeline.processPending(50)).toEqual(new Map());
  });

  it('writes each appeal’s row once in a pass (its routes, its classification and its fast-track term together), and not again to join an incident', async () => {
    // Every write of an appeals row adds a version to each of its indexes and runs its triggers (issue 18).
    const batch = await mixedCases(day(180), 'ул. Гоголя, 11');
    await sql(`
      CREATE TABLE test_appeal_writes (appeal_id uuid NOT NULL);
      CREATE FUNCTION test_appeal_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO test_appeal_writes VALUES (NEW.id); RETURN NULL; END $$;
      CREATE TRIGGER test_appeal_writes AFTER UPDATE ON appeals FOR EACH ROW EXECUTE FUNCTION test_appeal_write();
    `);
    try {
      await route(50);
      const writes = await sql<{ appeal_id: string; n: number }>(
        `SELECT appeal_id, count(*)::int AS n FROM test_appeal_writes GROUP BY 1`,
      );
      const count = new Map(writes.map((w) => [w.appeal_id, w.n]));
      expect(batch.ids.map((id) => count.get(id))).toEqual(batch.ids.map(() => 1));
      expect(await result(batch.fastTrack)).toMatchObject({ fast_track: true, term: expect.any(Number) });
      expect(await result(batch.auto)).toMatchObject({ classification_state: 'auto', routed: true });
      expect(await result(batch.unsure)).toMatchObject({ classification_state: 'manual', routed: true });
      expect(await result(batch.clerk)).toMatchObject({ classification_state: 'confirmed', routed: true });
      for (const id of batch.ids)
        expect(await result(id)).toMatchObject({ suggested_organisation_ids: expect.any(Array) });
      // Joining an incident writes the link's own row (appeal_incidents), not another version of the appeal's.
      await group(50);
      expect(await result(batch.incidentA)).toMatchObject({ in_incident: true });
      const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM test_appeal_writes`);
      expect(n).toBe(writes.reduce((sum, w) => sum + w.n, 0));
    } finally {
      await sql(`DROP TABLE test_appeal_writes; DROP FUNCTION test_appeal_write() CASCADE`);
    }
  });

  it('re-does a pass whose commit is lost, and leaves its connection committing synchronously again', async () => {
    // The pass commits without waiting for the disk (runRedoable): what makes that safe is that a pass lost in
    // a crash leaves its appeals for the next claim. Here the pass's session dies mid-transaction, after its
    // topic writes and before its commit — what a crash of Postgres right after an unflushed commit leaves.
    const { ids } = await mixedCases(day(160), 'ул. Потерянная, 3');
    const waiting = () =>
      sql<{ id: string }>(
        `SELECT id FROM appeals WHERE id = ANY($1) AND classified_at IS NULL AND classification_state = 'pending'
          ORDER BY id`,
        [ids],
      );
    const before = await waiting();
    expect(before.length).toBeGreaterThan(0);
    const locker = new Client({ connectionString: stack.db.url });
    await locker.connect();
    try {
      await locker.query(`BEGIN; LOCK TABLE appeal_cluster_keys IN ACCESS EXCLUSIVE MODE`);
      const lost = pipeline.processPending(50);
      let pid: number | undefined;
      for (let i = 0; i < 200 && pid === undefined; i++) {
        const { rows } = await locker.query(
          `SELECT pid FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))`,
        );
        pid = rows[0]?.pid as number | undefined;
        if (pid === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      expect(pid).toBeDefined();
      await locker.query(`SELECT pg_terminate_backend($1)`, [pid]);
      await expect(lost).rejects.toThrow();
      await locker.query(`ROLLBACK`);
    } finally {
      await locker.end();
    }
    // All of them wait for the next claim, as before the lost pass.
    expect(await waiting()).toEqual(before);
    await drain(50);
    for (const id of ids) {
      const r = await result(id);
      const [row] = await sql<{ routed: boolean; state: string }>(
        `SELECT classified_at IS NOT NULL AS routed, classification_state AS state FROM appeals WHERE id = $1`,
        [id],
      );
      expect({ id, ...row }).toEqual({
        id,
        routed: true,
        state: expect.stringMatching(/^(auto|manual|confirmed)$/),
      });
      // Once: the lost pass left nothing behind.
      const classification = r.events.filter((e) =>
        ['auto-classified', 'classification-queued'].includes(e.type),
      );
      expect(classification.length).toBeLessThanOrEqual(1);
    }
    // SET LOCAL: every pooled connection (one of them ran the passes) commits synchronously again.
    const dataSource = stack.api.get(DataSource);
    const settings = (await Promise.all(
      Array.from({ length: 20 }, () =>
        dataSource.query(`SELECT current_setting('synchronous_commit') AS s, pg_sleep(0.05)`),
      ),
    )) as { s: string }[][];
    expect(new Set(settings.map(([row]) => row.s))).toEqual(new Set(['on']));
  });

  it('never takes one appeal in two passes running at once', async () => {
    const ids = await register(
      demoInboundItems(80, day(84), 7).map((item) => ({ ...item, externalId: `${item.externalId}-twice` })),
      day(84),
    );
    const taken = (await Promise.all([drain(7), drain(7), drain(7), drain(7), group(5), group(5)])).flatMap(
      (passes) => passes.flatMap((p) => [...p.keys()]),
    );
    expect(taken).toHaveLength(ids.length);
    expect(new Set(taken).size).toBe(ids.length);
    expect(new Set(taken)).toEqual(new Set(ids));
    const [counts] = await sql<{ routed: number; classified_twice: number; linked_twice: number }>(
      `SELECT (SELECT count(*) FROM appeals WHERE id = ANY($1) AND classified_at IS NOT NULL)::int AS routed,
              (SELECT count(*) FROM (SELECT appeal_id FROM appeal_events
                                      WHERE appeal_id = ANY($1) AND type IN ('auto-classified', 'classification-queued')
                                      GROUP BY 1 HAVING count(*) > 1) x)::int AS classified_twice,
              (SELECT count(*) FROM (SELECT appeal_id FROM appeal_events WHERE appeal_id = ANY($1) AND type = 'incident-linked'
                                      GROUP BY 1 HAVING count(*) > 1) x)::int AS linked_twice`,
      [ids],
    );
    expect(counts).toEqual({ routed: ids.length, classified_twice: 0, linked_twice: 0 });
  });

  it('claims only the appeals it returns: a second pass at once takes the next ones', async () => {
    await drain(50);
    const ids = await register(
      demoInboundItems(16, day(172), 11).map((item) => ({ ...item, externalId: `${item.externalId}-claim` })),
      day(172),
    );
    const repository = stack.api.get(PipelineAppealsRepository);
    const dataSource = stack.api.get(DataSource);
    const first = dataSource.createQueryRunner();
    const second = dataSource.createQueryRunner();
    try {
      await first.startTransaction();
      await second.startTransaction();
      const a = (await repository.claimPending(first.manager, 4)).map((r) => r.id);
      const b = (await repository.claimPending(second.manager, 4)).map((r) => r.id);
      expect(a).toHaveLength(4);
      expect(b).toHaveLength(4);
      expect(a.filter((id) => b.includes(id))).toEqual([]);
      expect([...a, ...b].every((id) => ids.includes(id))).toBe(true);
    } finally {
      await first.rollbackTransaction();
      await second.rollbackTransaction();
      await first.release();
      await second.release();
    }
    await drain(50);
  });

  it('reads before it locks its appeals: a follow-up’s touch does not wait while the pass reads the fast-track rules', async () => {
    // Issue 18: follow-ups waited 0.2–1 s on the appeal's row, held by a pass's transaction between its statements.
    // The pass now reads everything (rules, the applicants' earlier appeals) before its row locks, and only writes
    // under them. Here the rules' read is made to wait, as a slow round trip would: the appeal is not held meanwhile.
    const [id] = await register([burstPipe(3, day(140))], day(140));
    await touchWhilePassWaits(id, 'fast_track_rules', () => route(50));
    // The pass saw the appeal changed and left it; the next takes it as it is now, rules and all.
    await route(50);
    expect(await result(id)).toMatchObject({ routed: true, fast_track: true });
    await group(50);
  });

  it('holds its appeals only for its last write: a follow-up’s touch does not wait while the pass writes its history and keys', async () => {
    // Issue 18: the pass locked its appeals before its writes to the other tables (flags, history, grouping keys)
    // and kept them to its commit; a follow-up's touch waited on it. Those writes now come first, and the rows
    // are locked for their one write and the commit. Here the keys' insert is made to wait: the appeal is free.
    const [id] = await register([burstPipe(5, day(145))], day(145));
    await touchWhilePassWaits(id, 'appeal_cluster_keys', () => route(50));
    expect(await result(id)).toMatchObject({ routed: true, fast_track: true });
    await group(50);
  });

  it('does a pass again when an appeal changed under it, as the appeal is then: nothing of the first try stays', async () => {
    // The pass writes its history, flags and keys before it locks its appeals; a clerk files one meanwhile. The
    // pass must not leave the model's topic event (nor anything else) for an appeal it did not classify.
    const ids = await register(
      [inboundItem({ text: autoText, receivedAt: day(147).toISOString() }), burstPipe(9, day(147))],
      day(147),
    );
    const [filed, other] = ids;
    let outcomes: Map<string, PipelineOutcome> | undefined;
    await whilePassWaits(
      'appeal_cluster_keys',
      async () => (outcomes = await pipeline.processPending(50)),
      async (clerk) => {
        const filedNow = await clerk.query(
          `UPDATE appeals SET topic_id = $2, updated_at = now(), version = version + 1 WHERE id = $1`,
          [filed, housing],
        );
        expect(filedNow.rowCount).toBe(1);
      },
    );
    expect(outcomes?.get(filed)).toMatchObject({ kind: 'done', classification: 'confirmed' });
    expect(outcomes?.get(other)).toMatchObject({ kind: 'done', fastTracked: true });
    expect(await result(filed)).toMatchObject({
      classification_state: 'confirmed',
      topic_id: housing,
      routed: true,
    });
    // Once each, from the pass that held: the first try's history and keys went with its rollback.
    const types = async (id: string) =>
      (await result(id)).events
        .map((e) => e.type)
        .filter((t) => t !== 'legal-flag-raised' && t !== 'incident-linked');
    expect(await types(filed)).toEqual([]);
    expect((await types(other)).sort()).toEqual(
      [
        (await result(other)).classification_state === 'auto' ? 'auto-classified' : 'classification-queued',
        'fast-tracked',
      ].sort(),
    );
    const [keys] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM appeal_cluster_keys WHERE appeal_id = ANY($1)`,
      [ids],
    );
    expect(keys.n).toBe(2);
    await group(50);
  });

  it('groups without holding its batch’s appeals: a follow-up’s touch does not wait while the pass looks for candidates', async () => {
    // Issue 18: after the classification pass read first, follow-ups waited on the grouping pass, which locked its
    // batch's appeals (the newest) before its reads and held them to its commit, though most match nothing and are
    // never written. It now locks only the appeals it links, once the candidates are read. Here the candidates'
    // read is made to wait, as a slow round trip would: the appeal, which matches nothing, is not held meanwhile.
    const [id] = await register(
      [
        inboundItem({
          text: 'Просим установить пандус у входа в поликлинику на улице Дуси Ковальчук, маме на коляске не подняться.',
          receivedAt: day(150).toISOString(),
        }),
      ],
      day(150),
    );
    await route(50);
    await touchWhilePassWaits(id, 'appeal_cluster_bands', () => group(50));
    const [state] = await sql(
      `SELECT l.incident_id, k.clustered_at IS NOT NULL AS grouped
         FROM appeal_cluster_keys k LEFT JOIN appeal_incidents l ON l.appeal_id = k.appeal_id WHERE k.appeal_id = $1`,
      [id],
    );
    expect(state).toEqual({ incident_id: null, grouped: true });
  });

  it('routes appeals while a grouping holds their buckets; grouping passes at once make one incident of them', async () => {
    const text =
      'Во дворе дома по улице Титова, 12 вторую неделю не вывозят мусор, контейнеры переполнены, крысы бегают днём.';
    const ids = await register(
      Array.from({ length: 30 }, (_, i) =>
        inboundItem({ text: i % 2 ? `${text} Примите меры!` : text, receivedAt: day(112).toISOString() }),
      ),
      day(112),
    );
    const locker = new Client({ connectionString: stack.db.url });
    await locker.connect();
    const groupings: Promise<Map<string, { incidentId: string; created: boolean }>[]>[] = [];
    try {
      // Another grouping holds the buckets of the text.
      await locker.query('BEGIN');
      await locker.query(`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) k`, [
        clusterBuckets(minHashBands(wordShingles(text)), null, null),
      ]);
      // Routing does not wait for them: every appeal is classified and routed meanwhile, none grouped yet.
      const routed = (await Promise.all([route(4), route(4), route(4)])).flatMap((passes) =>
        passes.flatMap((p) => [...p.keys()]),
      );
      expect(routed.sort()).toEqual([...ids].sort());
      const [waiting] = await sql<{ routed: number; grouped: number; waiting: number }>(
        `SELECT count(*) FILTER (WHERE a.classified_at IS NOT NULL)::int AS routed,
                count(l.incident_id)::int AS grouped, count(*) FILTER (WHERE k.clustered_at IS NULL)::int AS waiting
           FROM appeals a JOIN appeal_cluster_keys k ON k.appeal_id = a.id
                LEFT JOIN appeal_incidents l ON l.appeal_id = a.id
          WHERE a.id = ANY($1)`,
        [ids],
      );
      expect(waiting).toEqual({ routed: ids.length, grouped: 0, waiting: ids.length });
      // Four grouping passes at once, waiting for the buckets.
      for (let k = 0; k < 4; k++) groupings.push(group(4));
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await locker.query('COMMIT');
      await locker.end();
    }
    const created = (await Promise.all(groupings))
      .flat()
      .flatMap((g) => [...g.values()])
      .filter((g) => g.created).length;
    const [counts] = await sql<Record<string, number>>(
      `SELECT count(DISTINCT l.incident_id)::int AS incidents, count(l.incident_id)::int AS linked,
              max(i.appeals_count)::int AS counted,
              count(*) FILTER (WHERE k.clustered_at IS NULL)::int AS waiting,
              (SELECT count(*) FROM (SELECT appeal_id FROM appeal_events WHERE appeal_id = ANY($1)
                                      AND type = 'incident-linked' GROUP BY 1 HAVING count(*) > 1) x)::int AS linked_twice
         FROM appeals a JOIN appeal_cluster_keys k ON k.appeal_id = a.id
              LEFT JOIN appeal_incidents l ON l.appeal_id = a.id LEFT JOIN incidents i ON i.id = l.incident_id
        WHERE a.id = ANY($1)`,
      [ids],
    );
    expect({ ...counts, created }).toEqual({
      incidents: 1,
      linked: ids.length,
      counted: ids.length,
      waiting: 0,
      linked_twice: 0,
      created: 1,
    });
  });
  it('routes a batch mixing rules, a territory’s history, the region’s and none as one suggestion per appeal does', async () => {
    const at = day(140);
    const org = async (code: string) => idOf(stack.db.dataSource, 'organisations', code);
    const [roads, minzhkh, mintrans, cur] = [
      await idOf(stack.db.dataSource, 'topics', 'roads'),
      await org('minzhkh'),
      await org('mintrans'),
      await org('cur'),
    ];
    // History on roads: minzhkh answered three in municipality 50701, mintrans four in 50703 (the region's).
    const history = await register(
      Array.from({ length: 7 }, (_, n) =>
        inboundItem({ text: `Яма на дороге у дома ${n + 1}`, receivedAt: at.toISOString() }),
      ),
      at,
    );
    await sql(
      `INSERT INTO users (login, password_hash, full_name, role, organisation_id)
       VALUES ('batch-history', 'x', 'Сотрудник', 'clerk', $1) ON CONFLICT DO NOTHING`,
      [minzhkh],
    );
    for (const [n, appealId] of history.entries()) {
      await sql(`UPDATE appeals SET topic_id = $2, territory_code = $3 WHERE id = $1`, [
        appealId,
        roads,
        n < 3 ? '50701000001' : '50703000001',
      ]);
      await sql(
        `INSERT INTO answers (appeal_id, organisation_id, author_id, text, status)
         VALUES ($1, $2, (SELECT id FROM users WHERE login = 'batch-history'), 'Ответ', 'sent')`,
        [appealId, n < 3 ? minzhkh : mintrans],
      );
    }
    // A rule for housing in municipality 50704.
    await sql(
      `INSERT INTO routing_rules (name, topic_id, territory_code, organisation_ids)
       VALUES ('ЖКХ района 50704', $1, '50704', $2::uuid[])`,
      [housing, [cur]],
    );
    stack.api.get(RoutingEngine).invalidate();
    await route(50);

    // The batch: clerk-filed appeals on roads and housing in several territories, beside the model's cases.
    const cases = await mixedCases(at, 'ул. Ленина, 3');
    const filed: [string, string | null][] = [
      [roads, '50701000002'], // the municipality's history
      [roads, '50702000001'], // none there: the region's
      [roads, '50701000003'], // the municipality's again (asked once)
      [roads, null], // the region's
      [housing, '50704000001'], // the rule
      [housing, '50705000001'], // no rule, no history
    ];
    const clerkFiled = await register(
      filed.map((_, n) =>
        inboundItem({ text: `Обращение номер ${n + 1} о проблеме`, receivedAt: at.toISOString() }),
      ),
      at,
    );
    for (const [n, id] of clerkFiled.entries()) {
      await stack.api.get(AppealWorkflow).classify(id, operator, filed[n][0]);
      await sql(`UPDATE appeals SET territory_code = $2 WHERE id = $1`, [id, filed[n][1]]);
    }
    const [pass, ...rest] = await route(50);
    expect(rest).toEqual([]);
    const batch = [...cases.ids, ...clerkFiled];
    expect([...pass.keys()].sort()).toEqual([...batch].sort());

    const suggestions = stack.api.get(RoutingSuggestions);
    const sources = new Set<string>();
    for (const id of batch) {
      const [a] = await sql<{
        topic_id: string | null;
        subtopic_id: string | null;
        territory_code: string | null;
        suggested: string[];
      }>(
        `SELECT topic_id, subtopic_id, territory_code, suggested_organisation_ids::text[] AS suggested
           FROM appeals WHERE id = $1`,
        [id],
      );
      const alone = await suggestions.suggest({
        topicId: a.topic_id,
        subtopicId: a.subtopic_id,
        territoryCode: a.territory_code,
      });
      expect(a.suggested).toEqual(alone.organisationIds);
      expect((pass.get(id) as { suggestedOrganisationIds: string[] }).suggestedOrganisationIds).toEqual(
        alone.organisationIds,
      );
      sources.add(`${alone.source}:${alone.historyScope}`);
    }
    // Every kind of answer was in the batch.
    expect([...sources]).toEqual(
      expect.arrayContaining(['history:territory', 'history:region', 'rule:null']),
    );
    expect([...sources].some((s) => /^(none|topic-default):/.test(s))).toBe(true);
    const [local] = await sql<{ suggested: string[] }>(
      `SELECT suggested_organisation_ids::text[] AS suggested FROM appeals WHERE id = $1`,
      [clerkFiled[0]],
    );
    expect(local.suggested).toEqual([minzhkh]);
  });
});
