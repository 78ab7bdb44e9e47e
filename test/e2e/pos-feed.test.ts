import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getQueueToken } from '@nestjs/bull';
import { type Queue } from 'bull';
import { Role } from '@inbox/access';
import { QueueName } from '@inbox/queue';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { PosFake, type PosWireMessage } from '../fakes/pos/pos-fake';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import { answerAppeal, expectedDueDate, feedTools } from './feed-helpers';

const EVENTS = /^\/appeal-service\/external-appeal-system\/appeals\/(\d+)\/events$/;

/**
 * Issue 5, ПОС end to end: the feed pulled from a local ПОС into appeals (regime, 10-day fast track, ПОС
 * category, files), every status change pushed back once, the answer sent to ПОС, a poor rating from the
 * feed re-routing the appeal upward; the rubricator mirrored; a broken page quarantined item by item.
 */
describe('ПОС feed (e2e)', () => {
  let pos: PosFake;
  let stack: TestStack;
  let tools: ReturnType<typeof feedTools>;
  let operator: SignedIn;
  let housingClerk: SignedIn;
  let housingColleague: SignedIn;
  let supervisor: SignedIn;
  let org: Record<string, string>;

  beforeAll(async () => {
    pos = new PosFake();
    await pos.start();
    stack = await startTestStack({
      worker: true,
      env: {
        POS_BASE_URL: pos.baseUrl,
        POS_USERNAME: pos.credentials.username,
        POS_PASSWORD: pos.credentials.password,
        POS_CLIENT_ID: pos.credentials.clientId,
        POS_CLIENT_SECRET: pos.credentials.clientSecret,
        POS_REGION_ID: String(pos.regionId),
        POS_OPA_IDS: '220511,220512',
        POS_ORGANISATIONS: 'minzhkh=220511,mintrans=220512',
        POS_TIMEOUT_MS: '5000',
        // Every answer here is far smaller, but one file of a test below.
        POS_MAX_RESPONSE_BYTES: '200000',
        // Pulls are driven by the test; the schedule stays out of the way.
        POS_PULL_EVERY_MS: '3600000',
      },
    });
    tools = feedTools(stack);
    const ds = stack.db.dataSource;
    org = {
      region: await idOf(ds, 'organisations', 'region'),
      minzhkh: await idOf(ds, 'organisations', 'minzhkh'),
      housing: await idOf(ds, 'topics', 'housing'),
    };
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    housingClerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
    housingColleague = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
    supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'region');
  });
  afterAll(async () => {
    await stack?.close();
    await pos?.stop();
  });

  const post = (path: string, who: SignedIn, body: unknown = {}) =>
    fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: who.headers, body: JSON.stringify(body) });
  const card = (id: string) =>
    json(fetch(`${stack.baseUrl}/api/v1/appeals/${id}`, { headers: supervisor.headers }));
  /** Status events ПОС recorded for a message, in order. */
  const posEvents = (posId: number) => pos.events.filter((e) => e.posId === posId).map((e) => e.body);
  const eventCalls = (posId: number) =>
    pos.requests.filter((r) => r.method === 'POST' && EVENTS.exec(r.path)?.[1] === String(posId)).length;

  it('registers a fast-track item with its category and files, reports every step to ПОС once, and re-routes a poor rating upward', async () => {
    const photo = Buffer.from('JFIF фото переполненной контейнерной площадки');
    const fileId = pos.addFile('Фото площадки.jpg', 'image/jpeg', photo);
    const message = pos.addMessage({ fastTrack: true, regime: 'APPEAL', attachmentIds: [fileId] });

    const report = await tools.pull('pos');
    expect(report).toMatchObject({ items: 1, quarantined: 0 });
    const { id } = await tools.appeal('pos', String(message.posId));

    // Regime, the 10-day fast-track term, ПОС's own category kept beside ours, the file fetched from ПОС.
    let c = await card(id);
    expect(c).toMatchObject({
      regime: 'appeal',
      channel: 'pos',
      channelCategory: { id: '102', name: 'ЖКХ', subcategoryId: '1022', subcategoryName: 'Вывоз мусора' },
      applicant: {
        surname: 'Смирнова',
        firstName: 'Ольга',
        patronymic: 'Викторовна',
        snils: '112-233-445 95',
      },
    });
    expect(c.answerDueDate).toBe(expectedDueDate(c.registeredAt, 10));
    c = await eventually(async () => {
      const now = await card(id);
      return now.attachments[0]?.status === 'stored' ? now : undefined;
    });
    expect(c.attachments).toEqual([
      expect.objectContaining({
        fileName: 'Фото площадки.jpg',
        contentType: 'image/jpeg',
        size: photo.length,
        sha256: createHash('sha256').update(photo).digest('hex'),
      }),
    ]);

    // Taken to work, then forwarded down to the ministry (ПОС organisation 220511).
    expect((await post(`/api/v1/appeals/${id}/take`, operator)).status).toBe(204);
    await eventually(async () => (posEvents(message.posId).length === 1 ? true : undefined));
    expect(
      (
        await post(`/api/v1/appeals/${id}/escalate`, operator, {
          organisationIds: [org.minzhkh],
          topicId: org.housing,
          subject: 'Не вывозят мусор',
        })
      ).status,
    ).toBe(204);
    await eventually(async () => (posEvents(message.posId).length === 2 ? true : undefined));

    // Postponed with the new planned date.
    expect(
      (
        await post(`/api/v1/appeals/${id}/extend`, housingClerk, {
          kind: 'appeal',
          days: 30,
          reason: 'Запрошен график вывоза у регионального оператора',
        })
      ).status,
    ).toBe(204);
    const extended = await card(id);
    await eventually(async () => (posEvents(message.posId).length === 3 ? true : undefined));

    // The answer goes to ПОС through delivery.
    const text = 'Региональный оператор вывез отходы 21.11, площадка включена в ежедневный график.';
    await answerAppeal(stack, id, housingClerk, housingColleague, text);
    await eventually(async () => (posEvents(message.posId).length === 4 ? true : undefined));

    expect(posEvents(message.posId)).toEqual([
      expect.objectContaining({ eventType: 'TAKE_TO_WORK', comment: 'Обращение взято в работу' }),
      expect.objectContaining({ eventType: 'FORWARD_TO_SUBORDINATE', opaId: 220511 }),
      expect.objectContaining({
        eventType: 'POSTPONE',
        answerAt: new Date(extended.answerDueAt).toISOString(),
        comment: expect.stringContaining('Запрошен график вывоза'),
      }),
      expect.objectContaining({
        eventType: 'SEND_RESPONSE',
        regNumber: c.registrationNumber,
        answer: { answerType: 'SOLVED', comment: text, attachmentIds: [] },
      }),
    ]);

    // The citizen rates the answer one star on Gosuslugi: it comes with the feed and reopens upward.
    pos.rateMessage(message.posId, { value: 1, answered: false });
    expect(await tools.pull('pos')).toMatchObject({ items: 0, events: 1 });
    const reopened = await eventually(async () => {
      const now = await card(id);
      return now.status === 'reopened' ? now : undefined;
    });
    expect(reopened.organisationId).toBe(org.region);
    await eventually(async () => (posEvents(message.posId).length === 5 ? true : undefined));
    expect(posEvents(message.posId)[4]).toMatchObject({
      eventType: 'FORWARD_TO_PARENT',
      comment: expect.stringContaining('Правительство Северной области'),
    });

    // Idempotent: the feed served the message again after every status change (updatedAt moved), and a
    // replay of the whole history through the hooks sends nothing twice.
    const calls = eventCalls(message.posId);
    await tools.forgetCursor('pos');
    expect(await tools.pull('pos')).toMatchObject({ items: 0, duplicates: 1 });
    await tools.replayHooks();
    expect(eventCalls(message.posId)).toBe(calls);
    expect(await tools.appealCount('pos', [String(message.posId)])).toBe(1);
    const [{ n }] = await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM ratings WHERE appeal_id = $1`,
      [id],
    );
    expect(n).toBe(1);
  });

  it('registers a message whose file is over POS_MAX_RESPONSE_BYTES, the file refused as too large, not read whole', async () => {
    const fileId = pos.addFile('Видео площадки.mp4', 'video/mp4', Buffer.alloc(300_000, 7));
    const message = pos.addMessage({ attachmentIds: [fileId] });
    expect(await tools.pull('pos')).toMatchObject({ items: 1, quarantined: 0 });
    const { id } = await tools.appeal('pos', String(message.posId));
    const [file] = await eventually(async () => {
      const rows = await stack.db.dataSource.query(
        `SELECT status, rejection_reason FROM attachments WHERE appeal_id = $1`,
        [id],
      );
      return rows[0]?.status === 'rejected' ? rows : undefined;
    });
    expect(file).toEqual({ status: 'rejected', rejection_reason: 'too-large' });
  });

  it('fetches the other files of a message when ПОС refuses one or says another is gone, marking those two', async () => {
    const blocked = pos.addRefusedFile(400, ['Файл заблокирован антивирусной проверкой']);
    const gone = pos.addRefusedFile(410, ['Файл удалён']);
    const photo = pos.addFile(
      'Двор.jpg',
      'image/jpeg',
      Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex'),
    );
    const message = pos.addMessage({ attachmentIds: [blocked, gone, photo] });
    expect(await tools.pull('pos')).toMatchObject({ items: 1, quarantined: 0 });
    const { id } = await tools.appeal('pos', String(message.posId));
    const files = await eventually(async () => {
      const rows = (await stack.db.dataSource.query(
        `SELECT remote_ref, status, rejection_reason FROM attachments WHERE appeal_id = $1`,
        [id],
      )) as { remote_ref: string; status: string; rejection_reason: string | null }[];
      return rows.length === 3 && rows.every((r) => r.status !== 'remote') ? rows : undefined;
    });
    const byRef = new Map(files.map((f) => [f.remote_ref, [f.status, f.rejection_reason]]));
    expect(byRef.get(blocked)).toEqual(['rejected', 'refused']);
    expect(byRef.get(gone)).toEqual(['rejected', 'not-found']);
    expect(byRef.get(photo)).toEqual(['stored', null]);
    // Done, not failed for good: nothing left for a later run to fetch.
    const [action] = await stack.db.dataSource.query(
      `SELECT state FROM feed_actions WHERE kind = 'pos-files' AND appeal_id = $1`,
      [id],
    );
    expect(action).toEqual({ state: 'done' });
  });

  it('mirrors the rubricator into channel_categories and soft-deletes what vanished, keeping our mapping', async () => {
    const queue = stack.worker!.get<Queue>(getQueueToken(QueueName.Intake));
    expect((await queue.getRepeatableJobs()).map((j) => j.name)).toEqual(
      expect.arrayContaining(['sync-pos-rubricator', 'run-feed-actions']),
    );
    const sync = async () =>
      eventually(async () => {
        const r = await tools.rubricator.sync();
        return r.ran ? r : undefined;
      });
    const rows = async () =>
      (await stack.db.dataSource.query(
        `SELECT external_id, parent_external_id, name, deleted, topic_id FROM channel_categories
          WHERE channel = 'pos' ORDER BY external_id`,
      )) as { external_id: string; parent_external_id: string | null; name: string; deleted: boolean }[];

    expect(await sync()).toMatchObject({ categories: 8, deleted: 2 });
    expect(await rows()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          external_id: 'subject:102',
          parent_external_id: null,
          name: 'ЖКХ',
          deleted: false,
        }),
        expect.objectContaining({
          external_id: 'subsubject:1022',
          parent_external_id: 'subject:102',
          name: 'Вывоз мусора',
          deleted: false,
        }),
        // ПОС itself marks «Благоустройство» deleted; its subcategory goes with it.
        expect.objectContaining({ external_id: 'subject:103', deleted: true }),
        expect.objectContaining({ external_id: 'subsubject:1031', deleted: true }),
      ]),
    );
    await stack.db.dataSource.query(
      `UPDATE channel_categories SET topic_id = $1 WHERE channel = 'pos' AND external_id = 'subject:102'`,
      [org.housing],
    );

    // «Дороги» and «Вывоз мусора» disappear from ПОС; «Отопление» is renamed.
    const { subjects, subsubjects } = pos;
    pos.subjects = subjects.filter((s) => s.id !== 101);
    pos.subsubjects = subsubjects
      .filter((s) => s.subjectId !== 101 && s.id !== 1022)
      .map((s) => (s.id === 1021 ? { ...s, name: 'Отопление и горячая вода' } : s));
    try {
      expect(await sync()).toMatchObject({ categories: 8, deleted: 6 });
    } finally {
      pos.subjects = subjects;
      pos.subsubjects = subsubjects;
    }
    const after = await rows();
    expect(after).toHaveLength(8);
    const byId = Object.fromEntries(after.map((r) => [r.external_id, r]));
    expect(byId['subject:101']).toMatchObject({ name: 'Дороги', deleted: true });
    expect(byId['subsubject:1011']).toMatchObject({ deleted: true });
    expect(byId['subsubject:1022']).toMatchObject({ name: 'Вывоз мусора', deleted: true });
    expect(byId['subsubject:1021']).toMatchObject({ name: 'Отопление и горячая вода', deleted: false });
    expect(byId['subject:102']).toMatchObject({ deleted: false, topic_id: org.housing });

    // Back in ПОС: restored.
    await sync();
    expect(Object.fromEntries((await rows()).map((r) => [r.external_id, r.deleted]))).toMatchObject({
      'subject:101': false,
      'subsubject:1022': false,
    });
  });

  it('syncs a rubricator that repeats a subcategory id under two categories: one row, no conflict', async () => {
    // A real ПОС lists one subsubject under several subjects; one upsert statement must not touch its row twice.
    const { subsubjects } = pos;
    pos.subsubjects = [...subsubjects, { id: 1022, subjectId: 101, name: 'Вывоз мусора', deleted: false }];
    try {
      const report = await eventually(async () => {
        const r = await tools.rubricator.sync();
        return r.ran ? r : undefined;
      });
      expect(report.error).toBeUndefined();
      expect(report).toMatchObject({ categories: 8 });
    } finally {
      pos.subsubjects = subsubjects;
    }
    expect(
      await stack.db.dataSource.query(
        `SELECT name, deleted FROM channel_categories WHERE channel = 'pos' AND external_id = 'subsubject:1022'`,
      ),
    ).toEqual([{ name: 'Вывоз мусора', deleted: false }]);
  });

  it('quarantines a page entry with nothing of the citizen in it with its reason, registers the rest, and registers each item once however often it is pulled', async () => {
    const messages = [0, 1, 2].map(() => pos.addMessage());
    const ids = messages.map((m) => String(m.posId));
    pos.setScenario('malformed', { times: 1 });

    const report = await tools.pull('pos');
    expect(report).toMatchObject({ items: 2, quarantined: 1 });
    const [quarantined] = await stack.db.dataSource.query(
      `SELECT external_id, reason, raw FROM quarantined_inputs WHERE channel = 'pos' ORDER BY id DESC LIMIT 1`,
    );
    expect(quarantined).toMatchObject({
      external_id: ids[1],
      reason: 'В сообщении ПОС нет ни текста (description), ни вложений, ни места, ни категории',
    });
    expect(quarantined.raw).toMatchObject({ posId: messages[1].posId });
    await tools.appeal('pos', ids[0]);
    await tools.appeal('pos', ids[2]);
    expect(await tools.appealCount('pos', [ids[1]])).toBe(0);
    expect(await tools.health('pos')).toMatchObject({ itemsQuarantined: 1, lastError: null });

    // The same items pulled again from the start: nothing doubles; the fixed entry now registers.
    await tools.forgetCursor('pos');
    const again = await tools.pull('pos');
    expect(again.items).toBe(1);
    await tools.appeal('pos', ids[1]);
    await tools.settled();
    for (const externalId of ids) expect(await tools.appealCount('pos', [externalId])).toBe(1);
    expect(await tools.pull('pos')).toMatchObject({ items: 0 });
  });

  it('registers no appeal for a message ПОС declined; one declined after registration keeps its record, the decline noted', async () => {
    const declined = pos.addMessage();
    pos.declineMessage(declined.posId, 'Сообщение не относится к компетенции');
    const registered = pos.addMessage();
    expect(await tools.pull('pos')).toMatchObject({ items: 1, skipped: 1 });
    const appeal = await tools.appeal('pos', String(registered.posId));
    await tools.settled();
    expect(await tools.appealCount('pos', [String(declined.posId)])).toBe(0);

    pos.declineMessage(registered.posId, 'Дубликат ранее поданного сообщения');
    expect(await tools.pull('pos')).toMatchObject({ items: 0, skipped: 1 });
    const notes = (await stack.db.dataSource.query(
      `SELECT data FROM appeal_events WHERE appeal_id = $1 AND type = 'withdrawn'`,
      [appeal.id],
    )) as { data: Record<string, unknown> }[];
    expect(notes.map((n) => n.data)).toEqual([
      expect.objectContaining({
        by: 'channel',
        externalId: String(registered.posId),
        reason: 'Дубликат ранее поданного сообщения',
      }),
    ]);
    // The appeal stays as registered (59-ФЗ), and a repeat of the same decline notes nothing more.
    expect(await tools.appealCount('pos', [String(registered.posId)])).toBe(1);
    await tools.forgetCursor('pos');
    await tools.pull('pos');
    const [{ n }] = await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM appeal_events WHERE appeal_id = $1 AND type = 'withdrawn'`,
      [appeal.id],
    );
    expect(n).toBe(1);
  });

  it("puts ПОС's status and history on the appeal's timeline and the organisation's requisites in the directory", async () => {
    // Our own ПОС appeal response in the real shape: statusText, history[] with who and the answer, factId, warnings.
    const response = JSON.parse(
      readFileSync(path.resolve(__dirname, '../fixtures/pos/appeal-response.json'), 'utf8'),
    ) as Partial<PosWireMessage>;
    const message = pos.addMessage(response);
    expect(await tools.pull('pos')).toMatchObject({ items: 1, quarantined: 0 });
    const { id } = await tools.appeal('pos', String(message.posId));
    const events = await eventually(async () => {
      const history = (await card(id)).history as { type: string; data: Record<string, unknown> }[];
      const pos = history.filter((e) => e.type.startsWith('pos-'));
      return pos.length === 4 ? pos : undefined;
    });
    expect(events.map((e) => [e.type, e.data])).toEqual([
      [
        'pos-status',
        {
          key: 'received',
          status: 'TAKE_TO_WORK',
          statusText: 'Взято в работу',
          factId: '90817',
          warnings: ['Заявитель указал неполный адрес'],
        },
      ],
      [
        'pos-history',
        {
          key: '0',
          status: 'MODERATION_NEW',
          statusText: 'Сообщение на модерации',
          at: '2026-11-30T04:12:09.417Z',
        },
      ],
      [
        'pos-history',
        {
          key: '1',
          status: 'MODERATION_ACCEPT',
          statusText: 'Сообщение прошло модерацию',
          at: '2026-11-30T05:40:51.002Z',
          by: 'Кравцова Дарья Олеговна',
        },
      ],
      [
        'pos-history',
        {
          key: '2',
          status: 'TAKE_TO_WORK',
          statusText: 'Взято в работу',
          at: '2026-11-30T06:02:17.930Z',
          by: 'Кравцова Дарья Олеговна',
          answer: { answerType: 'INTERMEDIATE', comment: 'Передано в управляющую компанию для проверки' },
        },
      ],
    ]);
    // ПОС organisation 220511 is our minzhkh (POS_ORGANISATIONS): its requisites are in the directory now.
    const organisations = (await json(
      fetch(`${stack.baseUrl}/api/v1/organisations`, { headers: supervisor.headers }),
    )) as { code: string; requisites: Record<string, string> }[];
    expect(organisations.find((o) => o.code === 'minzhkh')?.requisites).toEqual({
      inn: '5406328939',
      kpp: '540601001',
      ogrn: '1055406226237',
      oktmo: '50701000',
      address: '630011, г. Новосибирск, Красный проспект, 18',
      source: 'pos',
      updatedAt: expect.any(String),
    });
    expect(organisations.find((o) => o.code === 'mintrans')?.requisites).toEqual({});
  });

  it('adds to the timeline what ПОС recorded on a registered message later, each entry once', async () => {
    const message = pos.addMessage();
    expect(await tools.pull('pos')).toMatchObject({ items: 1 });
    const { id } = await tools.appeal('pos', String(message.posId));
    const posHistory = async () =>
      ((await card(id)).history as { type: string; data: Record<string, unknown> }[])
        .filter((e) => e.type === 'pos-history')
        .map((e) => e.data);
    await eventually(async () => ((await posHistory()).length === 1 ? true : undefined));

    // ЦУР's moderator in ПОС extends the term: ПОС sends the message again, its history one entry longer.
    pos.tick(60_000);
    const postponedAt = new Date(Date.parse(message.updatedAt!) + 60_000).toISOString();
    pos.updateMessage(message.posId, {
      status: 'POSTPONE',
      statusText: 'Срок рассмотрения продлён',
      history: [
        ...message.history,
        {
          status: 'POSTPONE',
          statusText: 'Срок рассмотрения продлён',
          createdAt: postponedAt,
          createdBy: { surname: 'Кравцова', name: 'Дарья', patronymic: 'Олеговна' },
          answer: {
            answerType: 'INTERMEDIATE',
            comment: 'Продлено до 20 декабря по запросу ЦУР',
            rejectReason: null,
          },
        },
      ],
    });
    expect(await tools.pull('pos')).toMatchObject({ items: 0, duplicates: 1 });
    expect(await posHistory()).toEqual([
      expect.objectContaining({ key: '0', status: 'MODERATION_ACCEPT' }),
      {
        key: '1',
        status: 'POSTPONE',
        statusText: 'Срок рассмотрения продлён',
        at: postponedAt,
        by: 'Кравцова Дарья Олеговна',
        answer: { answerType: 'INTERMEDIATE', comment: 'Продлено до 20 декабря по запросу ЦУР' },
      },
    ]);
    // The same record read again (from the start) adds nothing; still one appeal.
    await tools.forgetCursor('pos');
    await tools.pull('pos');
    expect((await posHistory()).length).toBe(2);
    expect(await tools.appealCount('pos', [String(message.posId)])).toBe(1);
  });

  it('registers a message that came without createdAt at its first entry in ПОС history, and says so on its timeline', async () => {
    const response = JSON.parse(
      readFileSync(path.resolve(__dirname, '../fixtures/pos/appeal-response.json'), 'utf8'),
    ) as Partial<PosWireMessage>;
    const message = pos.addMessage({ ...response, createdAt: undefined });
    expect(await tools.pull('pos')).toMatchObject({ items: 1, quarantined: 0 });
    const { id } = await tools.appeal('pos', String(message.posId));
    const [row] = (await stack.db.dataSource.query(`SELECT received_at FROM appeals WHERE id = $1`, [
      id,
    ])) as {
      received_at: Date;
    }[];
    // MODERATION_NEW, the first entry of the fixture's history: when ПОС received the citizen's message.
    expect(row.received_at.toISOString()).toBe('2026-11-30T04:12:09.417Z');
    const status = await eventually(async () => {
      const history = (await card(id)).history as { type: string; data: Record<string, unknown> }[];
      return history.find((e) => e.type === 'pos-status');
    });
    expect(status.data.warnings).toEqual([
      'Заявитель указал неполный адрес',
      'ПОС не передал дату создания сообщения (createdAt): принята дата первой записи его истории в ПОС',
    ]);
  });
});
