import { randomUUID } from 'node:crypto';
import { Role } from '@inbox/access';
import { computeAppealDeadlines, ProductionCalendar } from '@inbox/deadlines';
import { generateDemoAppeals } from '@inbox/demo';
import { InboundStore } from '@inbox/intake';
import { Channel, type InboundItem } from '@inbox/integrations/contract';
import { idOf } from '../factories/directory';
import { inboundItem } from '../factories/inbound-items';
import { signInAs, type SignedIn } from '../factories/staff';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';

/**
 * Issue 6 end to end, through the real api and worker: a topic model trained from a CSV classifies what the
 * channels deliver (confident → auto, unsure → the manual queue), clerks' corrections change the next
 * prediction after retraining, a regional rule fast-tracks an item to 10 days, 59-ФЗ flags wait for a
 * person, routing is suggested from history with rules winning, and 30 items about one burst pipe from VK,
 * Telegram and ПОС become one incident answered once for all 30 citizens: drafted by one person, approved by
 * another (never the author, supervisors included).
 */
describe('classification and routing intelligence (e2e)', () => {
  let stack: TestStack;
  let admin: SignedIn;
  let operator: SignedIn;
  let supervisor: SignedIn;
  let districtClerk: SignedIn;
  let ids: Record<string, string>;

  beforeAll(async () => {
    stack = await startTestStack({
      worker: true,
      // The poll and the sweep a minute apart: what the worker registers is classified because its intake
      // wakes the passes (issue 18), not because a poll came by.
      env: { CLASSIFIER_RETRAIN_CRON: 'off', PENDING_SWEEP_MS: '60000', CLASSIFY_POLL_MS: '60000' },
    });
    admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'region');
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'region');
    districtClerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'omsk-district');
    const ds = stack.db.dataSource;
    ids = {
      region: await idOf(ds, 'organisations', 'region'),
      minzhkh: await idOf(ds, 'organisations', 'minzhkh'),
      mintrans: await idOf(ds, 'organisations', 'mintrans'),
      omskDistrict: await idOf(ds, 'organisations', 'omsk-district'),
      roads: await idOf(ds, 'topics', 'roads'),
      potholes: await idOf(ds, 'topics', 'roads-potholes'),
    };
  });
  afterAll(async () => {
    await stack?.close();
  });

  const post = (path: string, who: SignedIn, body: unknown = {}) =>
    fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: who.headers, body: JSON.stringify(body) });
  const get = (path: string, who: SignedIn) => fetch(`${stack.baseUrl}${path}`, { headers: who.headers });
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    stack.db.dataSource.query(query, params) as Promise<T[]>;

  /** Stores items as a connector would (the worker registers and classifies them); returns appeal ids. */
  async function deliver(items: InboundItem[]): Promise<string[]> {
    await stack.api.get(InboundStore).store(items);
    return Promise.all(
      items.map((item) =>
        eventually(async () => {
          const [row] = await sql<{ id: string }>(
            `SELECT id FROM appeals WHERE channel = $1 AND external_id = $2 AND classification_state <> 'pending'`,
            [item.channel, item.externalId],
          );
          return row?.id;
        }, 30_000),
      ),
    );
  }

  const item = (text: string, overrides: Partial<InboundItem> = {}) =>
    inboundItem({ text, address: undefined, externalId: `e2e-${randomUUID()}`, ...overrides });

  async function retrain(): Promise<{ outcome: string; modelId?: string }> {
    const res = await post('/api/v1/classification/retrain', admin);
    expect(res.status).toBe(202);
    const { jobId } = await json(res);
    const done = await eventually(async () => {
      const status = await json(get(`/api/v1/classification/retrain/${encodeURIComponent(jobId)}`, admin));
      if (status.state === 'failed') throw new Error(`retraining failed: ${status.failedReason}`);
      return status.state === 'completed' ? status : undefined;
    }, 60_000);
    return done.result;
  }

  async function events(appealId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
    return sql(`SELECT type, data FROM appeal_events WHERE appeal_id = $1 ORDER BY id`, [appealId]);
  }

  let manholeId: string;

  it('trains from a CSV and classifies what arrives: confident → auto, unlike anything learned → manual queue', async () => {
    // The rubricator grows by CSV: a new section with two subtopics, typical needs for the existing ones.
    const rubricator = [
      'code,name,parent_code,typical_needs,default_organisation',
      'improvement,Благоустройство,,,minzhkh',
      'improvement-manholes,Открытые люки и колодцы,improvement,Открытый люк|Провалился колодец,minzhkh',
      'improvement-trees,Аварийные деревья,improvement,Аварийное дерево,minzhkh',
      'housing-heating,Отопление,housing,Нет отопления|Холодные батареи,minzhkh',
      'roads-potholes,Ямы на дорогах,roads,Яма на дороге,mintrans',
    ].join('\n');
    const imported = await post('/api/v1/rubricator/import', admin, { csv: rubricator });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({
      created: ['improvement', 'improvement-manholes', 'improvement-trees'],
      updated: ['housing-heating', 'roads-potholes'],
    });

    // Labelled history from the previous system: four subtopics of the demo generator's appeals.
    const leaves: Record<string, string> = {
      'housing-heating': 'housing-heating',
      'roads-repair': 'roads-potholes',
      'improvement-manholes': 'improvement-manholes',
      'improvement-trees': 'improvement-trees',
    };
    const parents: Record<string, string> = {
      'housing-heating': 'housing',
      'roads-potholes': 'roads',
      'improvement-manholes': 'improvement',
      'improvement-trees': 'improvement',
    };
    const rows = generateDemoAppeals({ count: 1500, seed: 11, now: new Date('2026-01-20T05:00:00Z') })
      .filter((d) => leaves[d.subtopicCode])
      .map((d) => {
        const sub = leaves[d.subtopicCode];
        return [d.text, parents[sub], sub, d.channel].map((v) => `"${v.replace(/"/g, '""')}"`).join(',');
      });
    expect(rows.length).toBeGreaterThan(80);
    const uploaded = await json(
      post('/api/v1/classification/training-data', admin, {
        csv: ['text,topic_code,subtopic_code,channel', ...rows, '"Текст без темы",,,vk'].join('\n'),
      }),
    );
    expect(uploaded).toMatchObject({
      stored: rows.length,
      errorCount: 1,
      errors: [{ line: rows.length + 2 }],
    });

    expect(await retrain()).toMatchObject({ outcome: 'promoted' });
    const models = await json(get('/api/v1/classification/models', admin));
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ status: 'promoted', target: 'topic' });
    // Speed is measured by `npm run classifier -- bench`, not asserted here (a loaded machine is slower).
    expect(typeof models[0].scores.msPerItem).toBe('number');

    const [manhole, library] = await deliver([
      item(
        'Возле дома по ул. Садовой, 7 открытый колодец прямо на пешеходной дорожке, вечером его не видно.',
      ),
      item('Подскажите, пожалуйста, график работы библиотеки в праздничные выходные дни.'),
    ]);
    manholeId = manhole;
    // Woken in the worker's process, not through the history outbox: no consumer queues a row for every appeal.
    expect(await sql(`SELECT name FROM event_consumers WHERE name = 'classification'`)).toEqual([]);
    const card = await json(get(`/api/v1/appeals/${manhole}`, operator));
    expect(card.classification).toMatchObject({ state: 'auto', modelId: models[0].id });
    expect(card.classification.confidence).toBeGreaterThanOrEqual(0.6);
    expect(card.topicId).toBe(await idOf(stack.db.dataSource, 'topics', 'improvement'));
    expect(card.subtopicId).toBe(await idOf(stack.db.dataSource, 'topics', 'improvement-manholes'));
    const auto = (await events(manhole)).find((e) => e.type === 'auto-classified');
    expect(auto?.data).toMatchObject({
      topic: 'improvement',
      subtopic: 'improvement-manholes',
      model: models[0].id,
    });

    const queue = await json(get('/api/v1/appeals?classification=manual', operator));
    expect(queue.items.map((i: { id: string }) => i.id)).toEqual([library]);
    expect((await events(library)).find((e) => e.type === 'classification-queued')?.data).toMatchObject({
      modelId: models[0].id,
    });
  });

  it('learns from clerks: their corrections change the next prediction after retraining', async () => {
    const icicles = [
      'С крыши нашего дома свисают огромные сосульки над подъездом, ходить опасно.',
      'Сосульки на крыше над тротуаром никто не сбивает, вчера кусок льда упал рядом с ребёнком.',
      'На доме по ул. Мира огромные сосульки свисают с крыши прямо над входом в магазин.',
      'Управляющая компания не убирает сосульки с крыши, лёд висит над детской площадкой.',
      'Опасные сосульки на кровле школы, дети ходят под ними каждый день.',
      'С крыши свисают сосульки и наледь, над тротуаром опасно проходить.',
    ];
    // The model has never seen icicles: it is unsure (manual queue) or wrong.
    const before = await deliver(icicles.map((text) => item(text)));
    const predicted = await sql<{ state: string; subtopic_id: string | null }>(
      `SELECT classification_state AS state, subtopic_id FROM appeals WHERE id = ANY($1)`,
      [before],
    );
    expect(predicted.every((p) => p.state === 'manual' || p.state === 'auto')).toBe(true);
    // The region adds a subtopic; clerks classify the items into it.
    const created = await post('/api/v1/rubricator/topics', admin, {
      code: 'improvement-icicles',
      name: 'Сосульки и наледь на крышах',
      parentId: await idOf(stack.db.dataSource, 'topics', 'improvement'),
      typicalNeeds: ['Сосульки на крыше'],
    });
    expect(created.status).toBe(201);
    const icicleTopic = (await json(created)).id;
    const improvement = await idOf(stack.db.dataSource, 'topics', 'improvement');
    for (const id of before) {
      expect(
        (
          await post(`/api/v1/appeals/${id}/classify`, operator, {
            topicId: improvement,
            subtopicId: icicleTopic,
          })
        ).status,
      ).toBe(204);
    }
    const corrections = await eventually(async () => {
      const page = await json(get('/api/v1/classification/corrections?kind=topic', admin));
      return page.total === before.length ? page.items : undefined;
    });
    expect(corrections[0]).toMatchObject({
      kind: 'topic',
      after: { subtopicId: icicleTopic },
      actor: operator.userId,
      actorName: expect.any(String),
    });
    // Paged, newest first, and filtered by the appeal's number and by when it was made.
    const second = await json(get('/api/v1/classification/corrections?kind=topic&limit=2&offset=1', admin));
    expect(second).toEqual({ items: corrections.slice(1, 3), total: before.length });
    const number = corrections[2].registrationNumber as string;
    const byNumber = await json(get(`/api/v1/classification/corrections?number=${number}`, supervisor));
    expect(byNumber.items.map((c: { registrationNumber: string }) => c.registrationNumber)).toEqual(
      byNumber.items.map(() => number),
    );
    expect(byNumber.items.map((c: { id: string }) => c.id)).toContain(corrections[2].id);
    const later = encodeURIComponent(new Date(Date.now() + 60_000).toISOString());
    expect(await json(get(`/api/v1/classification/corrections?from=${later}`, admin))).toEqual({
      items: [],
      total: 0,
    });
    expect((await get('/api/v1/classification/corrections?kind=colour', admin)).status).toBe(400);
    expect((await get('/api/v1/classification/corrections', operator)).status).toBe(403);
    await eventually(async () => {
      const [{ n }] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM appeals WHERE id = ANY($1) AND classification_state = 'confirmed'`,
        [before],
      );
      return n === before.length ? n : undefined;
    });

    const result = await retrain();
    expect(result.outcome).toBe('promoted');
    expect(predicted.some((p) => p.subtopic_id === icicleTopic)).toBe(false);
    const [after] = await deliver([
      item('Сосульки свисают с крыши над тротуаром у нашего подъезда, опасно ходить.'),
    ]);
    const card = await json(get(`/api/v1/appeals/${after}`, operator));
    expect(card.classification).toMatchObject({ state: 'auto', modelId: result.modelId });
    expect(card.subtopicId).toBe(icicleTopic);
    const models = await json(get('/api/v1/classification/models', admin));
    expect(models.map((m: { status: string }) => m.status)).toEqual(['promoted', 'retired']);
    expect(models[0].scores.heldBack.current).not.toBeNull();
  });

  it('fast-tracks by a regional rule: 10 calendar days from registration', async () => {
    const rule = await json(
      post('/api/v1/fast-track-rules', admin, {
        name: 'Открытые люки',
        keywords: ['открытый люк'],
        months: [],
      }),
    );
    expect(rule.id).toEqual(expect.any(String));
    const [urgent, ordinary] = await deliver([
      item('Во дворе дома по ул. Лесной, 3 открытый люк, крышку украли, рядом ходят дети.'),
      item('Прошу отремонтировать лавочку во дворе дома по ул. Лесной, 3.'),
    ]);
    const card = await eventually(async () => {
      const c = await json(get(`/api/v1/appeals/${urgent}`, operator));
      return c.fastTrack ? c : undefined;
    });
    const expected = computeAppealDeadlines({
      receivedAt: new Date(card.receivedAt),
      registeredAt: new Date(card.registeredAt),
      fastTrack: true,
      timeZone: card.timeZone,
      calendar: ProductionCalendar.russian(),
    });
    expect(card.deadlines.answerDueDate).toBe(expected.answerDueDate);
    expect(new Date(card.deadlines.answerDueAt).toISOString()).toBe(expected.answerDueAt.toISOString());
    expect((await events(urgent)).find((e) => e.type === 'fast-tracked')?.data).toMatchObject({
      ruleId: rule.id,
      termDays: 10,
    });
    const plain = await json(get(`/api/v1/appeals/${ordinary}`, operator));
    expect(plain.fastTrack).toBe(false);
    expect(plain.deadlines.answerDueDate).not.toBe(expected.answerDueDate);
  });

  it('raises 59-ФЗ flags for a person to decide; nothing changes until someone does', async () => {
    const applicant = {
      externalId: `vk-${randomUUID()}`,
      surname: 'Орлова',
      firstName: 'Мария',
      patronymic: 'Ивановна',
    };
    const repeatedText =
      'Прошу отремонтировать дорогу по улице Заводской от дома 1 до дома 20, ямы глубиной по колено, машины ломаются.';
    const [first] = await deliver([
      item(repeatedText, { channel: Channel.Vk, author: applicant, regime: 'message' }),
    ]);
    const draft = await json(
      post(`/api/v1/appeals/${first}/answers`, operator, { text: 'Ремонт запланирован на лето.' }),
    );
    expect((await post(`/api/v1/appeals/${first}/answers/${draft.id}/approve`, supervisor)).status).toBe(204);
    expect((await post(`/api/v1/appeals/${first}/answers/${draft.id}/send`, operator)).status).toBe(204);

    const [anonymous, repeated, several] = await deliver([
      item(
        'Вы там все идиоты! Прошу пересмотреть решение районного суда по моему делу, иначе я вас всех убью.',
        {
          channel: Channel.Website,
          regime: 'appeal',
          author: { displayName: 'Аноним' },
        },
      ),
      item(repeatedText, { channel: Channel.Vk, author: applicant, regime: 'message' }),
      item('Во дворе яма на дороге уже месяц, а в квартире нет отопления и холодные батареи.'),
    ]);
    const flagsOf = async (id: string) =>
      eventually(async () => {
        const flags = await json(get(`/api/v1/appeals/${id}/flags`, operator));
        return flags.length > 0
          ? (flags as { id: string; flag: string; status: string; evidence: object }[])
          : undefined;
      });
    const raised = await flagsOf(anonymous);
    expect(raised.map((f) => f.flag).sort()).toEqual(['anonymous', 'court-decision', 'offensive']);
    expect(raised.every((f) => f.status === 'raised')).toBe(true);
    expect(raised.find((f) => f.flag === 'anonymous')?.evidence).toEqual({
      missing: ['surname', 'postalAddressOrEmail'],
    });
    expect((await flagsOf(repeated)).map((f) => f.flag)).toEqual(['repeated']);
    expect((await flagsOf(repeated))[0].evidence).toMatchObject({ earlierAppealId: first, similarity: 1 });
    expect((await flagsOf(several)).map((f) => f.flag)).toEqual(['several-topics']);

    // Raised flags decide nothing: the appeal is registered and waits; nothing was sent to anyone.
    let card = await json(get(`/api/v1/appeals/${anonymous}`, operator));
    expect(card.status).toBe('registered');
    expect(card.flags.map((f: { status: string }) => f.status)).toEqual(['raised', 'raised', 'raised']);
    expect(await sql(`SELECT id FROM outbound_messages WHERE appeal_id = $1`, [anonymous])).toEqual([]);

    const anon = raised.find((f) => f.flag === 'anonymous')!;
    const offensive = raised.find((f) => f.flag === 'offensive')!;
    const confirmed = await post(`/api/v1/appeals/${anonymous}/flags/${anon.id}/confirm`, operator, {
      comment: 'Ответ не даётся: нет фамилии и адреса',
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ status: 'confirmed', decidedBy: operator.userId });
    expect(
      (await post(`/api/v1/appeals/${anonymous}/flags/${offensive.id}/dismiss`, supervisor)).status,
    ).toBe(200);
    expect((await post(`/api/v1/appeals/${anonymous}/flags/${anon.id}/dismiss`, supervisor)).status).toBe(
      409,
    );
    card = await json(get(`/api/v1/appeals/${anonymous}`, operator));
    expect(card.status).toBe('registered');
    expect(card.flags.map((f: { flag: string; status: string }) => `${f.flag}:${f.status}`).sort()).toEqual([
      'anonymous:confirmed',
      'court-decision:raised',
      'offensive:dismissed',
    ]);
    expect(card.history.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['legal-flag-raised', 'legal-flag-confirmed', 'legal-flag-dismissed']),
    );
    // Another organisation's clerk, outside the scope: the same 404 as no such appeal, and on record as denied.
    const court = raised.find((f) => f.flag === 'court-decision')!;
    expect((await post(`/api/v1/appeals/${anonymous}/flags/${court.id}/dismiss`, districtClerk)).status).toBe(
      404,
    );
    const audit = await sql<{ action: string; user_id: string; outcome: string }>(
      `SELECT action, user_id, outcome FROM audit_log WHERE entity_id = $1 AND action LIKE 'legal-flag.%' ORDER BY id`,
      [anonymous],
    );
    expect(audit).toEqual([
      { action: 'legal-flag.confirm', user_id: operator.userId, outcome: 'ok' },
      { action: 'legal-flag.dismiss', user_id: supervisor.userId, outcome: 'ok' },
      { action: 'legal-flag.dismiss', user_id: districtClerk.userId, outcome: 'denied' },
    ]);
  });

  it('suggests routing learned from who answered this topic in this territory; explicit rules win', async () => {
    const territory = '52601000';
    const answeredBefore = await deliver(
      [1, 2, 3].map((n) =>
        item(`Яма на дороге у дома ${n} по улице Береговой, машины бьют колёса.`, {
          territoryCode: territory,
          author: { surname: 'Петров', firstName: 'Пётр', patronymic: 'Петрович', phone: '+79130000000' },
        }),
      ),
    );
    for (const id of answeredBefore) {
      await post(`/api/v1/appeals/${id}/classify`, operator, {
        topicId: ids.roads,
        subtopicId: ids.potholes,
      });
      expect(
        (
          await post(`/api/v1/appeals/${id}/escalate`, operator, {
            organisationIds: [ids.omskDistrict],
            subject: 'Яма',
          })
        ).status,
      ).toBe(204);
      const draft = await json(
        post(`/api/v1/appeals/${id}/answers`, districtClerk, { text: 'Яму заделают.' }),
      );
      expect((await post(`/api/v1/appeals/${id}/answers/${draft.id}/approve`, supervisor)).status).toBe(204);
      expect((await post(`/api/v1/appeals/${id}/answers/${draft.id}/send`, districtClerk)).status).toBe(204);
    }
    const [fresh] = await deliver([
      item('На дороге у дома 9 по улице Береговой огромная яма.', { territoryCode: '52601101' }),
    ]);
    await post(`/api/v1/appeals/${fresh}/classify`, operator, {
      topicId: ids.roads,
      subtopicId: ids.potholes,
    });
    const learned = await eventually(async () => {
      const s = await json(get(`/api/v1/appeals/${fresh}/routing-suggestion`, operator));
      return s.source === 'history' ? s : undefined;
    });
    expect(learned).toMatchObject({ organisationIds: [ids.omskDistrict], historyScope: 'territory' });
    expect(learned.history[0]).toMatchObject({ organisationId: ids.omskDistrict, answered: 3 });
    await eventually(async () => {
      const [row] = await sql<{ s: string[] }>(
        `SELECT suggested_organisation_ids::text[] AS s FROM appeals WHERE id = $1`,
        [fresh],
      );
      return row.s.includes(ids.omskDistrict) ? row : undefined;
    });

    const rule = await post('/api/v1/routing-rules', admin, {
      name: 'Ямы на дорогах: Минтранс',
      topicId: ids.potholes,
      organisationIds: [ids.mintrans],
    });
    expect(rule.status).toBe(201);
    const ruled = await json(get(`/api/v1/appeals/${fresh}/routing-suggestion`, operator));
    expect(ruled).toMatchObject({ source: 'rule', organisationIds: [ids.mintrans] });
    expect(ruled.history[0].organisationId).toBe(ids.omskDistrict);
  });

  it('groups 30 near-identical items from VK, Telegram and ПОС into one incident; one drafts, another approves, all 30 are answered', async () => {
    const channels = [Channel.Vk, Channel.Telegram, Channel.Pos];
    const variants = ['', ' Срочно!', ' Помогите!', ' Уже час течёт.', ' Вода везде.'];
    const items = Array.from({ length: 30 }, (_, i) => {
      const channel = channels[i % 3];
      return item(
        `На улице Советской у дома 5 прорвало трубу, вода заливает проезжую часть и подвалы домов.${variants[i % 5]}`,
        {
          channel,
          regime: 'message',
          author: { externalId: `${channel}-citizen-${i}`, displayName: `Житель ${i}` },
          replyAddress: { chatId: String(1000 + i) },
        },
      );
    });
    const appealIds = await deliver(items);
    const incident = await eventually(async () => {
      const list = await json(get('/api/v1/incidents?status=open', operator));
      const big = list.items.find((i: { appealsCount: number }) => i.appealsCount === 30);
      return big;
    });
    expect(incident.channels).toEqual(['pos', 'telegram', 'vk']);
    const [{ n: incidents }] = await sql<{ n: number }>(
      `SELECT count(DISTINCT incident_id)::int AS n FROM appeal_incidents WHERE appeal_id = ANY($1)`,
      [appealIds],
    );
    expect(incidents).toBe(1);
    const details = await json(get(`/api/v1/incidents/${incident.id}`, operator));
    expect(details.appeals).toHaveLength(30);

    // The answer takes two people: one drafts, another — never the author — approves and sends it.
    const approve = (who: SignedIn) => post(`/api/v1/incidents/${incident.id}/approve`, who);
    const draft = (who: SignedIn, text: string) =>
      post(`/api/v1/incidents/${incident.id}/draft`, who, { text });
    expect((await approve(operator)).status).toBe(403);
    const nothingDrafted = await approve(supervisor);
    expect(nothingDrafted.status).toBe(409);
    expect((await json(nothingDrafted)).message).toBe('Проект ответа на инцидент ещё не подготовлен');

    const text = 'Аварийная бригада устранила прорыв трубы на ул. Советской, водоснабжение восстановлено.';
    const drafted = await draft(supervisor, text);
    expect(drafted.status).toBe(200);
    expect(await json(drafted)).toMatchObject({ drafted: 30, skipped: 0, failed: [] });
    // Line 1 may draft too, but not over a draft that waits for approval.
    const second = await draft(operator, 'Другой текст');
    expect(second.status).toBe(409);
    expect((await json(second)).message).toBe(
      'Проект ответа на инцидент уже подготовлен и ждёт согласования',
    );
    expect(await json(get(`/api/v1/incidents/${incident.id}`, operator))).toMatchObject({
      status: 'open',
      draftText: text,
      draftedBy: supervisor.userId,
    });

    // Nobody approves their own draft, supervisors included; nothing goes out.
    const own = await approve(supervisor);
    expect(own.status).toBe(403);
    expect((await json(own)).message).toBe('Нельзя согласовать собственный проект ответа на инцидент');
    const answerRows = () =>
      sql<{ appeal_id: string; channel: string }>(
        `SELECT appeal_id, channel FROM outbound_messages WHERE kind = 'answer' AND appeal_id = ANY($1)`,
        [appealIds],
      );
    expect(await answerRows()).toHaveLength(0);

    const head = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'region');
    const answered = await approve(head);
    expect(answered.status).toBe(200);
    expect(await json(answered)).toMatchObject({ answered: 30, skipped: 0, failed: [] });

    const messages = await answerRows();
    expect(messages).toHaveLength(30);
    expect(new Set(messages.map((m) => m.appeal_id)).size).toBe(30);
    expect(messages.filter((m) => m.channel === 'telegram')).toHaveLength(10);
    const answers = await sql<{ author_id: string; approved_by: string; status: string }>(
      `SELECT n.author_id, n.approved_by, n.status FROM incident_answers d JOIN answers n ON n.id = d.answer_id
        WHERE d.incident_id = $1`,
      [incident.id],
    );
    expect(answers).toHaveLength(30);
    expect(
      answers.every(
        (a) => a.author_id === supervisor.userId && a.approved_by === head.userId && a.status === 'sent',
      ),
    ).toBe(true);
    const statuses = await sql<{ status: string }>(`SELECT status FROM appeals WHERE id = ANY($1)`, [
      appealIds,
    ]);
    expect(statuses.every((s) => s.status === 'answered')).toBe(true);
    expect(await json(get(`/api/v1/incidents/${incident.id}`, operator))).toMatchObject({
      status: 'answered',
      answeredBy: head.userId,
    });
    const audit = await sql<{ user_id: string; action: string; outcome: string }>(
      `SELECT user_id, action, outcome FROM audit_log WHERE entity_type = 'incident' AND entity_id = $1 ORDER BY id`,
      [incident.id],
    );
    expect(audit).toEqual([
      { user_id: supervisor.userId, action: 'incident.draft-answer', outcome: 'ok' },
      { user_id: supervisor.userId, action: 'incident.approve-answer', outcome: 'denied' },
      { user_id: head.userId, action: 'incident.approve-answer', outcome: 'ok' },
    ]);
    // An administrator does no casework (403); the head, once more, finds it answered.
    expect((await approve(admin)).status).toBe(403);
    const again = await approve(head);
    expect(again.status).toBe(409);
    expect((await json(again)).message).toBe('На инцидент уже дан ответ или он закрыт');
    expect((await draft(operator, 'Ещё раз')).status).toBe(409);
    // The manhole item from the first test is about something else: not in the incident.
    expect(appealIds).not.toContain(manholeId);
  });
});
