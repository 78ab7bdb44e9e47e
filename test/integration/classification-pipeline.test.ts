import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bull';
import { type Queue } from 'bull';
import {
  ClassificationPipeline,
  ClerkFeedback,
  decideTopic,
  ModelRegistry,
  appealInput,
  Retrainer,
  RoutingSuggestions,
  storedAppealInput,
} from '@inbox/classification';
import { AppConfig } from '@inbox/config';
import { QueueName } from '@inbox/queue';
import { Rubricator, TopicCatalogue } from '@inbox/rubricator';
import { demoInboundItems, seedDirectory } from '@inbox/demo';
import { Channel, type InboundItem } from '@inbox/integrations/contract';
import { minHashBands, wordShingles } from '@inbox/text-classifier';
import { BOOTSTRAP_JOB_ID } from '../../apps/worker/src/classification.worker';
import { inboundItem } from '../factories/inbound-items';
import { registerItems, startTestStack, type TestStack } from '../support/test-stack';

/**
 * The classification pipeline on the services themselves (no worker): a first model bootstrapped from the
 * demo appeals' labels, what it does with items it has never seen, the ПОС category mapping as a fallback,
 * deferral while a bootstrap model is on its way, idempotent re-runs, and clerks' re-routing recorded.
 */
describe('classification pipeline (integration)', () => {
  let stack: TestStack;
  let pipeline: ClassificationPipeline;
  const NOW = new Date('2026-02-10T05:00:00Z');

  beforeAll(async () => {
    stack = await startTestStack({ env: { CLASSIFIER_RETRAIN_CRON: 'off' } });
    await seedDirectory(stack.db.dataSource);
    pipeline = stack.api.get(ClassificationPipeline);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    stack.db.dataSource.query(query, params) as Promise<T[]>;

  const register = (items: InboundItem[]) => registerItems(stack, items, NOW);

  it('without a model: defers while a bootstrap model is coming, else queues for a person', async () => {
    const [id] = await register([inboundItem({ text: 'Во дворе не горят фонари уже неделю.' })]);
    expect(await pipeline.process(id, { deferWithoutModel: async () => true })).toEqual({ kind: 'deferred' });
    expect(
      (await sql(`SELECT classification_state, classified_at FROM appeals WHERE id = $1`, [id]))[0],
    ).toEqual({ classification_state: 'pending', classified_at: null });
    expect(await pipeline.process(id)).toMatchObject({ kind: 'done', classification: 'manual' });
    // Nothing to suggest without a model: the state alone puts it in the manual queue.
    const [done] = await sql<{ classification_state: string; classified_at: Date | null }>(
      `SELECT classification_state, classified_at FROM appeals WHERE id = $1`,
      [id],
    );
    expect(done.classification_state).toBe('manual');
    // The end of the pass is recorded once (issue 18's bench measures arrival → classified_at).
    expect(done.classified_at).toBeInstanceOf(Date);
    await pipeline.process(id);
    const [again] = await sql<{ classified_at: Date }>(`SELECT classified_at FROM appeals WHERE id = $1`, [
      id,
    ]);
    expect(again.classified_at).toEqual(done.classified_at);
    expect(
      await sql(`SELECT type FROM appeal_events WHERE appeal_id = $1 AND type = 'classification-queued'`, [
        id,
      ]),
    ).toEqual([]);
  });

  it('asks whether to defer before its transaction: a slow Redis answer holds no claim and no row lock', async () => {
    // The worker's answer is a Bull job's state in Redis; here the same round trip, on the api's queue, slowed.
    const queue = stack.api.get<Queue>(getQueueToken(QueueName.Classification));
    const [one, two] = await register([
      inboundItem({ text: 'Не вывозят мусор с контейнерной площадки.' }),
      inboundItem({ text: 'Не вывозят мусор вторую неделю.' }),
    ]);
    // What another session can take while the answer comes: the pass's claim (an advisory lock per appeal,
    // held to its commit) and the row itself.
    const free = async (id: string) => {
      const [{ claim }] = await sql<{ claim: boolean }>(
        `SELECT pg_try_advisory_xact_lock(hashtextextended('classify:' || $1::text, 0)) AS claim`,
        [id],
      );
      const row = await sql(`SELECT id FROM appeals WHERE id = $1 FOR UPDATE NOWAIT`, [id]).then(
        () => true,
        (error: { code?: string }) => {
          if (error.code === '55P03') return false;
          throw error;
        },
      );
      return { claim, row };
    };
    const seen: { claim: boolean; row: boolean }[] = [];
    const slowAnswer = (id: string) => async () => {
      await queue.getJob(BOOTSTRAP_JOB_ID);
      await new Promise((resolve) => setTimeout(resolve, 300));
      seen.push(await free(id));
      return true;
    };
    expect(await pipeline.process(one, { deferWithoutModel: slowAnswer(one) })).toEqual({ kind: 'deferred' });
    const pending = await pipeline.processPending(10, { deferWithoutModel: slowAnswer(two) });
    expect(pending.get(two)).toEqual({ kind: 'deferred' });
    expect(seen).toEqual([
      { claim: true, row: true },
      { claim: true, row: true },
    ]);
    // Left pending, as a deferral should: the next pass takes them (here without a bootstrap on its way).
    const done = await pipeline.processPending(10);
    expect(done.get(one)).toMatchObject({ kind: 'done', classification: 'manual' });
    expect(done.get(two)).toMatchObject({ kind: 'done', classification: 'manual' });
  });

  it('saves each appeal’s grouping keys from its own text (shingled once for the flags and the keys)', async () => {
    const items = [
      inboundItem({ text: 'Третий день не вывозят мусор с контейнерной площадки у дома.' }),
      inboundItem({ subject: 'Яма на дороге', text: 'На выезде со двора большая яма, машины бьют колёса.' }),
      inboundItem({ text: 'Не горят фонари на улице Кирова возле школы уже неделю.' }),
    ];
    const ids = await register(items);
    const done = await pipeline.processPending(10);
    const stored = await sql<{ appeal_id: string; bands: string[] }>(
      `SELECT appeal_id, bands::text[] AS bands FROM appeal_cluster_keys WHERE appeal_id = ANY($1)`,
      [ids],
    );
    expect(stored).toHaveLength(items.length);
    ids.forEach((id, k) => {
      expect(done.get(id)).toMatchObject({ kind: 'done' });
      const full = items[k].subject ? `${items[k].subject}.\n${items[k].text}` : items[k].text;
      const bands = stored.find((r) => r.appeal_id === id)!.bands;
      expect(bands).toHaveLength(12);
      expect([...bands].sort()).toEqual([...minHashBands(wordShingles(full))].sort());
    });
  });

  /**
   * Eight topics: chance is 0.125. Measured 16–28 of 40 over a dozen runs: the held-back tenth no model trains
   * on is chosen by the appeals' ids, which are random, so each run trains on a different 180 of the 200 demo
   * appeals (45–48 labels). 0.3 is well above chance and below that spread (0.5 failed a CI run at 16/40).
   */
  const TOP1_FLOOR = 0.3;

  it('bootstraps a first model from the demo appeals and generalises to portal-shaped appeals it never saw, filing by itself only what it is sure of', async () => {
    await register(demoInboundItems(200, NOW));
    const retrainer = stack.api.get(Retrainer);
    expect(await retrainer.canBootstrap()).toBe(true);
    const outcome = await retrainer.retrain('bootstrap');
    expect(outcome).toMatchObject({ outcome: 'promoted', reason: 'Действующей модели нет' });
    const [model] = await stack.api.get(ModelRegistry).list();
    expect(model).toMatchObject({ status: 'promoted', path: `db:classifier_models/${model.id}` });
    expect(model.scores).toMatchObject({ trigger: 'bootstrap', sources: { demo: 200, appeals: 0, csv: 0 } });
    // The class weighting is chosen on the candidate's calibration slice, as the CLI and the bench choose it.
    expect(model.scores).toMatchObject({
      classWeight: { chosen: expect.stringMatching(/^(sqrt|balanced)$/), tried: ['sqrt', 'balanced'] },
    });
    expect(model.sizeBytes).toBeGreaterThan(1000);

    // Items it has never seen, and not siblings of what it trained on: hand-written appeals in the shape of a
    // city portal's (short, colloquial, typos), none produced by the demo generator.
    const portal = (
      JSON.parse(
        readFileSync(join(__dirname, '../fixtures/classification/portal-shaped-appeals.json'), 'utf8'),
      ) as {
        appeals: { topic: string; text: string }[];
      }
    ).appeals;
    const ids = await register(
      portal.map((a, i) =>
        inboundItem({ channel: Channel.Website, externalId: `portal-${i}`, text: a.text }),
      ),
    );
    const topics = new Map(
      (await sql<{ id: string; code: string }>(`SELECT id, code FROM topics`)).map((t) => [t.id, t.code]),
    );
    let auto = 0;
    let correct = 0;
    for (let i = 0; i < ids.length; i++) {
      const outcome = await pipeline.process(ids[i]);
      expect(outcome.kind).toBe('done');
      const [a] = await sql<{ classification_state: string; topic_id: string | null }>(
        `SELECT classification_state, topic_id FROM appeals WHERE id = $1`,
        [ids[i]],
      );
      expect(['auto', 'manual']).toContain(a.classification_state);
      if (a.classification_state !== 'auto') continue;
      auto++;
      if (topics.get(a.topic_id!) === portal[i].topic) correct++;
    }
    // What a model trained on 200 template appeals generalises to: its top-1 topic on every item (auto or
    // not), and the precision of what it was sure enough to file by itself.
    const parents = new Map(
      (
        await sql<{ code: string; parent: string | null }>(
          `SELECT t.code, p.code AS parent FROM topics t LEFT JOIN topics p ON p.id = t.parent_id`,
        )
      ).map((t) => [t.code, t.parent ?? t.code]),
    );
    const { classifier } = (await stack.api.get(ModelRegistry).promoted())!;
    const top1 = portal.filter(
      (a) =>
        parents.get(classifier.predict(appealInput({ text: a.text, channel: 'website' })).label) === a.topic,
    ).length;
    process.stdout.write(
      `portal-shaped appeals: top-1 topic right ${top1}/${portal.length}; ${auto} auto-classified, ${correct} right\n`,
    );
    expect(top1 / portal.length).toBeGreaterThanOrEqual(TOP1_FLOOR);
    expect(correct).toBe(auto);

    // Run again: nothing is classified twice.
    const again = await pipeline.process(ids[0]);
    expect(again).toMatchObject({ kind: 'done', classification: 'unchanged' });
    const [{ n }] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM appeal_events WHERE appeal_id = $1 AND type IN ('auto-classified', 'classification-queued')`,
      [ids[0]],
    );
    expect(n).toBe(1);
  });

  it('falls back to the mapped ПОС category when the model is unsure, keeping the channel’s own category', async () => {
    await sql(
      `INSERT INTO channel_categories (channel, external_id, parent_external_id, name)
       VALUES ('pos', 'subject:5', NULL, 'Культура'), ('pos', 'subsubject:55', 'subject:5', 'Библиотеки')`,
    );
    const [museums] = await sql<{ id: string; parent_id: string }>(
      `SELECT id, parent_id FROM topics WHERE code = 'culture-institutions'`,
    );
    await stack.api.get(Rubricator).mapChannelCategory('pos', 'subsubject:55', museums.id, { userId: null });
    // The model is the bootstrap case's, trained on a different 180 of the demo appeals each run (their ids are
    // random): whether it is sure of a given text varies. Of 252 such models two were sure of the first text
    // (education-compensation, margin ≥ 0): the pass rightly kept the model's topic, and this case failed.
    // It is about an unsure model, so it takes the first of these ПОС texts the model is unsure of, decided
    // as the pass decides; the texts lean to different topics (of 60 models none was sure of all three).
    const ids = await register(
      [
        'Абонемент, формуляр, читательский билет: как продлить онлайн?',
        'Где теперь брать книги, если читальный зал закрыли на ремонт?',
        'Kak prodlit chitatelskiy bilet onlayn?',
      ].map((text) =>
        inboundItem({
          channel: Channel.Pos,
          text,
          channelCategory: { id: '5', name: 'Культура', subcategoryId: '55', subcategoryName: 'Библиотеки' },
        }),
      ),
    );
    const { classifier } = (await stack.api.get(ModelRegistry).promoted())!;
    const catalogue = await stack.api.get(TopicCatalogue).get();
    const minConfidence = stack.api.get(AppConfig).classifierMinConfidence;
    let id: string | undefined;
    for (const candidate of ids) {
      const [row] = await sql<Parameters<typeof storedAppealInput>[0]>(
        `SELECT a.subject, a.text, a.channel, a.channel_category, a.territory_code, i.payload->'features' AS features
           FROM appeals a JOIN inbound_items i ON i.id = a.inbound_item_id WHERE a.id = $1`,
        [candidate],
      );
      if (!decideTopic(classifier, storedAppealInput(row), catalogue, minConfidence).accepted) {
        id = candidate;
        break;
      }
    }
    if (!id) throw new Error('the bootstrap model is sure of every text: none to fall back on the category');
    expect(await pipeline.process(id)).toMatchObject({ classification: 'auto' });
    const [a] = await sql(`SELECT topic_id, subtopic_id, channel_category FROM appeals WHERE id = $1`, [id]);
    expect(a).toEqual({
      topic_id: museums.parent_id,
      subtopic_id: museums.id,
      channel_category: { id: '5', name: 'Культура', subcategoryId: '55', subcategoryName: 'Библиотеки' },
    });
    const [event] = await sql(
      `SELECT data FROM appeal_events WHERE appeal_id = $1 AND type = 'auto-classified'`,
      [id],
    );
    expect(event.data).toMatchObject({ source: 'channel-category', subtopic: 'culture-institutions' });
  });

  it('records re-routing by clerks, and history counts a return against the organisation', async () => {
    const [id] = await register([inboundItem({ text: 'Яма на дороге возле школы, машины бьют колёса.' })]);
    const [org] = await sql<{ id: string }>(`SELECT id FROM organisations WHERE code = 'mintrans'`);
    const [other] = await sql<{ id: string }>(`SELECT id FROM organisations WHERE code = 'minzhkh'`);
    await sql(`UPDATE appeals SET suggested_organisation_ids = $2::uuid[] WHERE id = $1`, [id, [org.id]]);
    const insertEvent = async (type: string, data: Record<string, unknown>) =>
      (
        await sql<{ id: string }>(
          `INSERT INTO appeal_events (appeal_id, type, actor, data) VALUES ($1, $2, 'someone', $3) RETURNING id::text`,
          [id, type, data],
        )
      )[0].id;
    const feedback = stack.api.get(ClerkFeedback);
    const escalated = await insertEvent('escalated', { organisationIds: [other.id] });
    await feedback.handle({
      id: escalated,
      appealId: id,
      type: 'escalated',
      data: { organisationIds: [other.id] },
    });
    await feedback.handle({
      id: escalated,
      appealId: id,
      type: 'escalated',
      data: { organisationIds: [other.id] },
    });
    const returned = await insertEvent('returned', { organisationId: other.id });
    await feedback.handle({
      id: returned,
      appealId: id,
      type: 'returned',
      data: { organisationId: other.id },
    });
    const corrections = await sql(
      `SELECT kind, actor, before, after FROM classification_corrections WHERE appeal_id = $1 ORDER BY id`,
      [id],
    );
    expect(corrections).toEqual([
      {
        kind: 'routing',
        actor: 'someone',
        before: { organisationIds: [org.id] },
        after: { organisationIds: [other.id], reason: 'escalated' },
      },
      {
        kind: 'routing',
        actor: 'someone',
        before: { organisationId: other.id },
        after: { reason: 'returned' },
      },
    ]);

    // Three answers by minzhkh on this topic, one return by it: history still names it, with the return counted.
    const [roads] = await sql<{ id: string }>(`SELECT id FROM topics WHERE code = 'roads'`);
    await sql(`UPDATE appeals SET topic_id = $2 WHERE id = $1`, [id, roads.id]);
    const answered = await register([1, 2, 3].map((n) => inboundItem({ text: `Яма на дороге номер ${n}` })));
    await sql(
      `INSERT INTO users (login, password_hash, full_name, role, organisation_id) VALUES ('h', 'x', 'Сотрудник', 'clerk', $1)`,
      [other.id],
    );
    for (const appealId of answered) {
      await sql(`UPDATE appeals SET topic_id = $2 WHERE id = $1`, [appealId, roads.id]);
      await sql(
        `INSERT INTO answers (appeal_id, organisation_id, author_id, text, status)
         VALUES ($1, $2, (SELECT id FROM users WHERE login = 'h'), 'Ответ', 'sent')`,
        [appealId, other.id],
      );
    }
    const suggestion = await stack.api.get(RoutingSuggestions).suggest({
      topicId: roads.id,
      subtopicId: null,
      territoryCode: null,
    });
    expect(suggestion.history).toEqual([
      { organisationId: other.id, score: 1, answered: 3, returned: 1, share: 1 },
    ]);
  });
});
