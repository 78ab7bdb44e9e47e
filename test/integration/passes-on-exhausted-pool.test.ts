import { DataSource, type QueryRunner } from 'typeorm';
import { type PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Role, StaffUsers } from '@inbox/access';
import { AdvisoryLocks, dataSourceOptions } from '@inbox/database';
import { AppealRegistrar, AppealWorkflow } from '@inbox/appeals';
import { ClassificationPipeline, FastTrackRules, ModelRegistry } from '@inbox/classification';
import { seedDirectory } from '@inbox/demo';
import { InboundStore } from '@inbox/intake';
import { KnowledgeRequests } from '@inbox/knowledge';
import { RoutingEngine } from '@inbox/routing';
import { TopicCatalogue } from '@inbox/rubricator';
import { idOf } from '../factories/directory';
import { inboundItem } from '../factories/inbound-items';
import { staffActor } from '../support/staff-actor';
import { registerItems, startTestStack, type TestStack } from '../support/test-stack';

/**
 * A pass that holds a transaction must never wait for a second connection from the pool: with the pool's others
 * held (by registrations waiting on the pass's row locks, as in issue 18's stalled bench), that connection never
 * comes and Postgres cannot see the deadlock. Here every connection of the api's pool but one is held, the
 * caches are cold, and a classification pass (fast-track rule, routing history and a topic's default
 * organisation in play) and a registration that joins a thread must still complete, on that one connection.
 * So must the other transactions staff start: a workflow command (line 1 closing a part) and a knowledge base
 * request citing an appeal outside the caller's scope (refused, and the refusal audited). Work under an advisory
 * lock (a pull per account, a kind of feed action) takes the pool's connections too: as many holders as the pool
 * has connections must still complete, so a lock's own connection is never one of the pool's.
 */
describe('passes on an exhausted pool (integration)', () => {
  let stack: TestStack;
  let dataSource: DataSource;
  const NOW = new Date('2026-02-10T05:00:00Z');
  /** Far above what either step takes alone (tens of milliseconds), far below jest's timeout. */
  const STALL_MS = 10_000;

  beforeAll(async () => {
    stack = await startTestStack({ env: { CLASSIFIER_RETRAIN_CRON: 'off' } });
    await seedDirectory(stack.db.dataSource);
    dataSource = stack.api.get(DataSource);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    stack.db.dataSource.query(query, params) as Promise<T[]>;

  const poolMax = () => (dataSource.driver as PostgresDriver).master.options.max as number;

  /** `work`, or a failure (not a hang) after STALL_MS; `onStall` then lets the stalled work end. */
  async function unlessStalled<T>(
    work: Promise<T>,
    what: string,
    onStall: () => Promise<unknown> = async () => undefined,
  ): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`stalled: no pool connection for ${STALL_MS} ms (${what})`));
        void onStall();
      }, STALL_MS);
    });
    try {
      return await Promise.race([work, stalled]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs `work` while all of the api's pool but one connection is held; fails (not hangs) if it stalls. */
  async function onOneFreeConnection<T>(work: () => Promise<T>): Promise<T> {
    const max = poolMax();
    const held: QueryRunner[] = [];
    try {
      for (let i = 0; i < max - 1; i++) {
        const runner = dataSource.createQueryRunner();
        await runner.connect();
        held.push(runner);
      }
      return await unlessStalled(work(), `${max - 1} of ${max} held`);
    } finally {
      // Released also after a stall: the waiting read gets its connection and the pass ends.
      for (const runner of held) await runner.release();
    }
  }

  it('a registration joining a thread reads the directory on its own transaction', async () => {
    const stored = await stack.api
      .get(InboundStore)
      .store([inboundItem({ thread: { key: 'pool-chat' }, addressee: { code: 'no-such-code' } })], {
        enqueue: false,
      });
    // A code never looked up: the directory's cache holds nothing for it, so it reads.
    const outcome = await onOneFreeConnection(() =>
      stack.api.get(AppealRegistrar).registerInboundItem(stored[0].inboundItemId, NOW),
    );
    expect(outcome.kind).toBe('registered');
  });

  it('a classification pass reads the rubricator, the model, fast-track rules, routing rules and history on its own transaction', async () => {
    const [topic] = await sql<{ id: string }>(
      `SELECT id FROM topics WHERE parent_id IS NULL AND active ORDER BY code LIMIT 1`,
    );
    const [org] = await sql<{ id: string }>(`SELECT id FROM organisations ORDER BY code LIMIT 1`);
    await sql(`UPDATE topics SET default_organisation_id = $2 WHERE id = $1`, [topic.id, org.id]);
    await stack.api.get(FastTrackRules).create({ name: 'Пул: тема', topicId: topic.id }, { userId: null });
    const [chosen, unread] = await registerItems(
      stack,
      [
        inboundItem({ text: 'Во дворе не горят фонари уже неделю.' }),
        inboundItem({ text: 'На остановке сломана скамейка.' }),
      ],
      NOW,
    );
    // A person chose the first one's topic before the pass: routed by it and fast-tracked by the rule.
    await sql(`UPDATE appeals SET topic_id = $2 WHERE id = $1`, [chosen, topic.id]);
    // Every cache the pass reads through is cold: each read happens inside the pass.
    stack.api.get(TopicCatalogue).invalidate();
    stack.api.get(ModelRegistry).invalidate();
    stack.api.get(RoutingEngine).invalidate();

    const outcomes = await onOneFreeConnection(() =>
      stack.api.get(ClassificationPipeline).processPending(10),
    );

    expect(outcomes.get(chosen)).toMatchObject({
      kind: 'done',
      classification: 'confirmed',
      fastTracked: true,
      suggestedOrganisationIds: [org.id],
    });
    expect(outcomes.get(unread)).toMatchObject({
      kind: 'done',
      classification: 'manual',
      fastTracked: false,
    });
    const rows = await sql<{ id: string; fast_track: boolean; suggested: string[] }>(
      `SELECT id, fast_track, suggested_organisation_ids::text[] AS suggested FROM appeals WHERE id = ANY($1)`,
      [[chosen]],
    );
    expect(rows).toEqual([{ id: chosen, fast_track: true, suggested: [org.id] }]);
  });

  it('line 1 closing a part reads the parts on its command transaction', async () => {
    const users = stack.api.get(StaffUsers);
    const workflow = stack.api.get(AppealWorkflow);
    const [cur, minzhkh, mintrans] = await Promise.all(
      ['cur', 'minzhkh', 'mintrans'].map((code) => idOf(stack.db.dataSource, 'organisations', code)),
    );
    const operator = await staffActor(users, Role.Operator, cur);
    const [id] = await registerItems(
      stack,
      [
        inboundItem({
          text: 'Во дворе открытый люк.',
          author: {
            externalId: 'pool-close-part',
            surname: 'Смирнов',
            firstName: 'Алексей',
            patronymic: 'Игоревич',
          },
        }),
      ],
      NOW,
    );
    await workflow.classify(id, operator, await idOf(stack.db.dataSource, 'topics', 'housing'));
    await workflow.escalate(id, operator, {
      organisationIds: [minzhkh, mintrans],
      subject: 'Открытый люк во дворе',
      applicant: { phone: '+79135550000' },
    });

    await onOneFreeConnection(() => workflow.closePart(id, operator, mintrans, 'Не в ведении министерства'));

    const parts = await sql<{ state: string }>(
      `SELECT state FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2`,
      [id, mintrans],
    );
    expect(parts).toEqual([{ state: 'closed' }]);
  });

  it('a knowledge base request citing an appeal outside the scope is refused, and audited, without a second connection', async () => {
    const minzhkh = await idOf(stack.db.dataSource, 'organisations', 'minzhkh');
    const clerk = await staffActor(stack.api.get(StaffUsers), Role.Clerk, minzhkh);
    // Registered at the management centre and never escalated: outside the ministry clerk's scope.
    const [foreign] = await registerItems(stack, [inboundItem({ text: 'Не горит свет в подъезде.' })], NOW);

    await expect(
      onOneFreeConnection(() =>
        stack.api
          .get(KnowledgeRequests)
          .create(
            { ...clerk, organisationKind: 'department' },
            { subject: 'Нет статьи про освещение', organisationId: minzhkh, appealIds: [foreign] },
          ),
      ),
    ).rejects.toMatchObject({ code: 'not-found' });

    const audited = await sql(
      `SELECT outcome FROM audit_log WHERE action = 'kb-request-create' AND entity_id = $1 AND user_id = $2`,
      [foreign, clerk.userId],
    );
    expect(audited).toEqual([{ outcome: 'denied' }]);
  });

  it('as many advisory lock holders as the pool has connections, each querying under its lock, all complete', async () => {
    // A pool of its own, small: the holders' connections and their work's are wanted at once.
    const POOL = 3;
    const pool = new DataSource(dataSourceOptions(stack.db.url, { extra: { max: POOL } }));
    await pool.initialize();
    const locks = new AdvisoryLocks(pool);
    // Every holder has its lock before any of them queries (or, should one fail to take it, at once).
    let holding = 0;
    let allHold!: () => void;
    const allHeld = new Promise<void>((resolve) => (allHold = resolve));
    const holders = Array.from({ length: POOL }, (_, i) =>
      locks.withLock(`pool-test:${i}`, async () => {
        if (++holding === POOL) allHold();
        await allHeld;
        return (await pool.query(`SELECT $1::int AS n`, [i])) as { n: number }[];
      }),
    );
    for (const holder of holders) holder.catch(() => allHold());
    // On a stall, the holders' sessions end (their locks and connections with them), so the test ends too.
    const endHolders = () =>
      sql(
        `SELECT pg_terminate_backend(pid) FROM pg_locks
          WHERE locktype = 'advisory'
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
    try {
      const results = await unlessStalled(Promise.all(holders), `${POOL} lock holders`, endHolders);
      expect(results.map((r) => r?.value[0].n)).toEqual([0, 1, 2]);
      // Released: another taker gets each lock.
      expect(await locks.withLock('pool-test:0', async () => 'again')).toEqual({ value: 'again' });
    } finally {
      await Promise.allSettled(holders);
      await locks.onApplicationShutdown();
      await pool.destroy();
    }
  });
});
