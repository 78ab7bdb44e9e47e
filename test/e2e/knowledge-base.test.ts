import { Role } from '@inbox/access';
import { type SignedIn } from '../factories/staff';
import { Clock } from '@inbox/common';
import { ProductionCalendar } from '@inbox/deadlines';
import {
  type ArticleContent,
  ArticleKind,
  KnowledgeRepository,
  KnowledgeWatcher,
  normaliseArticle,
} from '@inbox/knowledge';
import { staffStack } from '../support/staff-stack';
import { eventually, json } from '../support/test-stack';

/** Local wall-clock time in Novosibirsk (UTC+7), where the test directory's organisations are. */
const nsk = (local: string) => new Date(`${local}+07:00`);

/**
 * Issue 16 end to end: the management centre requests a change, the owner approves it on working day 3 and it is
 * published on working day 5, with the 4 November holiday in between (S0 annex 2); a section left unreviewed for
 * a quarter shows overdue (S4 п. 41); an escalation "no answer in the KB" becomes a request linked to the appeal.
 * Time is driven through the `Clock` of the api and the worker.
 */
describe('knowledge base (e2e)', () => {
  let now = nsk('2026-11-02T10:00:00');
  const t = staffStack({
    // The worker's own schedule stays out of the way: the test sweeps the KB clocks at the instants it chooses.
    worker: true,
    env: { CLOCK_WATCH_MS: '3600000' },
    onStart: (stack) => {
      for (const app of [stack.api, stack.worker!])
        jest.spyOn(app.get(Clock, { strict: false }), 'now').mockImplementation(() => now);
    },
    organisations: { minzhkh: 'minzhkh', mintrans: 'mintrans' },
    topics: { housing: 'housing', heating: 'housing-heating' },
    staff: {
      operator: [Role.Operator, 'cur'],
      responsible: [Role.Clerk, 'minzhkh', { fullName: 'Ответственный Минжкх' }],
      housingClerk: [Role.Clerk, 'minzhkh'],
      roadsClerk: [Role.Clerk, 'mintrans'],
      supervisor: [Role.Supervisor, 'region'],
      // The organisation's own supervisor: told item by item, as the owner (the region's is told counted).
      ownSupervisor: [Role.Supervisor, 'minzhkh'],
    },
  });
  const { ids: org, staff, call } = t;
  const sweep = () => t.stack.worker!.get(KnowledgeWatcher, { strict: false }).sweep(now);
  let sectionId = '';
  /** The knowledge base's refusals on record (the role guard's own, on endpoints, are not among them). */
  const denied = async () =>
    (await t.stack.db.dataSource.query(
      `SELECT user_id AS "userId", action, entity_id AS "entityId", details FROM audit_log
        WHERE action LIKE 'kb-%' AND outcome = 'denied' ORDER BY id`,
    )) as unknown[];

  it('sets up the organisation: its responsible person and its own section, which others may not touch', async () => {
    expect(
      (
        await call('PUT', `/api/v1/knowledge/organisations/${org.minzhkh}/settings`, staff.supervisor, {
          responsibleUserId: staff.responsible.userId,
          publicFaq: true,
        })
      ).status,
    ).toBe(200);
    const section = { organisationId: org.minzhkh, title: 'Отопление', topicId: org.housing };
    expect((await call('POST', '/api/v1/knowledge/sections', staff.roadsClerk, section)).status).toBe(403);
    expect((await call('POST', '/api/v1/knowledge/sections', staff.operator, section)).status).toBe(403);
    const res = await call('POST', '/api/v1/knowledge/sections', staff.housingClerk, section);
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created).toMatchObject({
      organisationId: org.minzhkh,
      responsibleUserId: staff.responsible.userId,
      reviewState: 'ok',
    });
    sectionId = created.id;
    // Another organisation's clerk may not change the section, its settings, nor request a change of it outside
    // the centre's request (the organisation's own clerk may not configure it either).
    expect(
      (await call('PATCH', `/api/v1/knowledge/sections/${sectionId}`, staff.roadsClerk, { title: 'Чужой' }))
        .status,
    ).toBe(403);
    expect(
      (await call('POST', `/api/v1/knowledge/sections/${sectionId}/reviewed`, staff.roadsClerk)).status,
    ).toBe(403);
    expect(
      (
        await call('PUT', `/api/v1/knowledge/organisations/${org.minzhkh}/settings`, staff.housingClerk, {
          publicFaq: false,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call('POST', '/api/v1/knowledge/requests', staff.roadsClerk, {
          sectionId,
          subject: 'Чужой раздел',
          send: false,
        })
      ).status,
    ).toBe(403);
    // Each refusal of scope or rights is on record as denied, with the ids of what it aimed at.
    expect(await denied()).toEqual([
      {
        userId: staff.roadsClerk.userId,
        action: 'kb-section-create',
        entityId: null,
        details: { organisationId: org.minzhkh },
      },
      {
        userId: staff.operator.userId,
        action: 'kb-section-create',
        entityId: null,
        details: { organisationId: org.minzhkh },
      },
      {
        userId: staff.roadsClerk.userId,
        action: 'kb-section-update',
        entityId: sectionId,
        details: { organisationId: org.minzhkh },
      },
      {
        userId: staff.roadsClerk.userId,
        action: 'kb-section-reviewed',
        entityId: sectionId,
        details: { organisationId: org.minzhkh },
      },
      {
        userId: staff.housingClerk.userId,
        action: 'kb-settings',
        entityId: org.minzhkh,
        details: { organisationId: org.minzhkh },
      },
      {
        userId: staff.roadsClerk.userId,
        action: 'kb-request-create',
        entityId: null,
        details: { organisationId: org.minzhkh },
      },
    ]);
  });

  let requestId = '';
  let articleId = '';

  it('takes a change from the management centre through approval on day 3 and publication on day 5', async () => {
    // The 4 November holiday lies between: without it the terms would end a day earlier.
    expect(ProductionCalendar.russian().dayKind('2026-11-04')).toBe('holiday');

    // Day 0, Monday 2 November, 10:00: the management centre forms the request; it is sent the same day.
    now = nsk('2026-11-02T10:00:00');
    const created = await call('POST', '/api/v1/knowledge/requests', staff.operator, {
      sectionId,
      subject: 'Сроки начала отопительного сезона',
      details: 'Граждане спрашивают, когда включат отопление; в базе знаний ответа нет.',
      proposed: {
        kind: 'faq',
        title: 'Когда начинается отопительный сезон',
        question: 'Когда включат отопление в многоквартирных домах?',
        body:
          'Отопительный период начинается со дня, следующего за днём окончания пятидневного периода, в течение ' +
          'которого среднесуточная температура наружного воздуха ниже +8 °C (Правила № 354, п. 5).',
        keywords: ['отопление', 'батареи', 'отопительный сезон'],
        topicId: org.heating,
        public: true,
      },
    });
    expect(created.status).toBe(201);
    const request = await json(created);
    requestId = request.id;
    expect(request).toMatchObject({
      origin: 'management-centre',
      status: 'sent',
      organisationId: org.minzhkh,
      responsibleUserId: staff.responsible.userId,
      sentAt: nsk('2026-11-02T10:00:00').toISOString(),
      sendDueAt: nsk('2026-11-02T23:59:59.999').toISOString(),
      // Tue 3 (1), Wed 4 holiday, Thu 5 (2), Fri 6 (3), close of business 17:00 on a Friday.
      approvalDueAt: nsk('2026-11-06T17:00:00').toISOString(),
    });

    // Another organisation's clerk may neither see nor approve it; the owner's other clerk may not approve it.
    expect((await call('GET', `/api/v1/knowledge/requests/${requestId}`, staff.roadsClerk)).status).toBe(404);
    expect(
      (await call('POST', `/api/v1/knowledge/requests/${requestId}/approve`, staff.roadsClerk, {})).status,
    ).toBe(404);
    expect(
      (await call('POST', `/api/v1/knowledge/requests/${requestId}/approve`, staff.housingClerk, {})).status,
    ).toBe(403);

    // Thursday 5 November, 18:00: within 24 hours of the approval term — at risk, not overdue.
    now = nsk('2026-11-05T18:00:00');
    expect((await sweep()).byClock).toEqual({ 'kb-approval/at-risk': 1 });
    // The responsible person's notification names the request, so the header's list opens it.
    expect(await json(call('GET', '/api/v1/notifications?unread=true', staff.responsible))).toContainEqual(
      expect.objectContaining({ kind: 'kb-clock-at-risk', kbRequestId: requestId, kbSectionId: null }),
    );

    // Day 3, Friday 6 November, 11:00: the responsible person approves, on time.
    now = nsk('2026-11-06T11:00:00');
    const approved = await json(
      call('POST', `/api/v1/knowledge/requests/${requestId}/approve`, staff.responsible, {
        comment: 'Согласовано',
      }),
    );
    expect(approved).toMatchObject({
      status: 'approved',
      decidedBy: staff.responsible.userId,
      // Mon 9 (1), Tue 10 (2), close of business 18:00.
      publicationDueAt: nsk('2026-11-10T18:00:00').toISOString(),
    });
    expect(approved.history.find((e: { type: string }) => e.type === 'approved').data).toMatchObject({
      late: false,
    });
    // Only the centre enters changes into the KB.
    expect(
      (await call('POST', `/api/v1/knowledge/requests/${requestId}/publish`, staff.responsible)).status,
    ).toBe(403);
    // The refusals of a step are on record as denied, on the request: out of scope (the 404) and of rights.
    expect((await denied()).slice(-3)).toEqual([
      { userId: staff.roadsClerk.userId, action: 'kb-request-approve', entityId: requestId, details: {} },
      { userId: staff.housingClerk.userId, action: 'kb-request-approve', entityId: requestId, details: {} },
      { userId: staff.responsible.userId, action: 'kb-request-publish', entityId: requestId, details: {} },
    ]);

    // Day 5, Tuesday 10 November, 11:00: the management centre publishes, on time.
    now = nsk('2026-11-10T11:00:00');
    expect((await sweep()).byClock).toEqual({ 'kb-publication/at-risk': 1 });
    const published = await json(
      call('POST', `/api/v1/knowledge/requests/${requestId}/publish`, staff.operator),
    );
    expect(published).toMatchObject({
      status: 'published',
      publishedVersion: 1,
      publishedAt: now.toISOString(),
    });
    expect(published.history.map((e: { type: string }) => e.type)).toEqual([
      'created',
      'sent',
      'approved',
      'published',
    ]);
    expect(published.history.at(-1).data).toMatchObject({ late: false });
    // No clock of this request was ever overdue.
    now = nsk('2026-11-20T12:00:00');
    await sweep();
    const marks = (await json(call('GET', `/api/v1/knowledge/requests/${requestId}`, staff.supervisor)))
      .marks;
    expect(marks.map((m: { clock: string; kind: string }) => `${m.clock}/${m.kind}`)).toEqual([
      'kb-approval/at-risk',
      'kb-publication/at-risk',
    ]);
    articleId = published.publishedArticleId;
    // Only line 1 answers a call on the spot from it: a clerk's attempt is refused, and on record as denied.
    const someCall = '00000000-0000-4000-8000-000000000001';
    expect(
      (
        await call('POST', `/api/v1/knowledge/appeals/${someCall}/answered-on-the-spot`, staff.housingClerk, {
          articleId,
        })
      ).status,
    ).toBe(403);
    expect((await denied()).slice(-1)).toEqual([
      {
        userId: staff.housingClerk.userId,
        action: 'kb-answered-on-the-spot',
        entityId: someCall,
        details: { articleId },
      },
    ]);

    // Published: line 1 finds it by the citizen's words and the topic, and so do citizens.
    const suggestions = await json(
      call('POST', '/api/v1/knowledge/suggestions', staff.operator, {
        text: 'когда дадут отопление в квартире',
        topicId: org.heating,
      }),
    );
    expect(suggestions.articles[0]).toMatchObject({ id: articleId, topicMatch: 'exact', insertable: true });
    const publicFaq = await json(
      fetch(`${t.stack.baseUrl}/api/v1/public/faq/search?q=${encodeURIComponent('включат отопление')}`),
    );
    expect(publicFaq[0]).toMatchObject({
      id: articleId,
      question: 'Когда включат отопление в многоквартирных домах?',
    });
  });

  it('keeps every version when the organisation changes its article', async () => {
    now = nsk('2026-11-23T10:00:00');
    const article = await json(call('GET', `/api/v1/knowledge/articles/${articleId}`, staff.housingClerk));
    const change = await json(
      call('POST', '/api/v1/knowledge/requests', staff.housingClerk, {
        articleId,
        subject: 'Уточнение: куда звонить, если батареи холодные',
        proposed: {
          ...pick(article, ['kind', 'title', 'question', 'keywords', 'topicId', 'public']),
          body: `${article.body} Если отопление уже включено, а батареи холодные, звоните в аварийно-диспетчерскую службу управляющей компании.`,
        },
      }),
    );
    expect(change).toMatchObject({ origin: 'organisation', status: 'sent' });
    await call('POST', `/api/v1/knowledge/requests/${change.id}/approve`, staff.responsible, {});
    now = nsk('2026-11-24T10:00:00');
    expect(
      (await json(call('POST', `/api/v1/knowledge/requests/${change.id}/publish`, staff.operator)))
        .publishedVersion,
    ).toBe(2);
    const versions = await json(
      call('GET', `/api/v1/knowledge/articles/${articleId}/versions`, staff.housingClerk),
    );
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(versions[1].content.body).not.toContain('аварийно-диспетчерскую');
    expect(versions[0].content.body).toContain('аварийно-диспетчерскую');
  });

  it('shows a section overdue for review once a quarter has passed, to the owner and the supervisor', async () => {
    /** The KB clocks' notifications of a member of staff, oldest first. */
    const noticesOf = async (user: { userId: string }) =>
      (await t.stack.db.dataSource.query(
        `SELECT kind, kb_request_id AS "kbRequestId", kb_section_id AS "kbSectionId",
                organisation_id AS "organisationId", text, read_at AS "readAt"
           FROM notifications WHERE user_id = $1 AND kind LIKE 'kb-clock-%' ORDER BY id`,
        [user.userId],
      )) as {
        kind: string;
        kbRequestId: string | null;
        kbSectionId: string | null;
        organisationId: string | null;
        text: string;
        readAt: Date | null;
      }[];
    const before = (await noticesOf(staff.supervisor)).length;
    // The section was created on 2 November 2026: due by 2 February 2027 (a Tuesday), close of business.
    now = nsk('2027-02-02T12:00:00');
    expect(await sweep()).toMatchObject({ byClock: { 'kb-review/at-risk': 1 }, digests: 1 });
    // At risk first: the term's zone as staff read it, not «Asia/Novosibirsk».
    const [atRisk] = (await t.stack.db.dataSource.query(
      `SELECT text FROM notifications WHERE kind = 'kb-clock-at-risk' AND organisation_id IS NULL AND text LIKE '%«Отопление»%' ORDER BY id LIMIT 1`,
    )) as { text: string }[];
    expect(atRisk.text).toMatch(/ истекает 02\.02\.2027 \d{2}:\d{2} \(Новосибирск, UTC\+7\)$/);
    // The same day a clerk drafts a change, due to be sent by the end of it: its term is at risk too. The
    // organisation's own supervisor is told of each; the region's supervisor, over it, reads one notice of
    // Минжкх's terms at risk that day, updated in place and unread again (not a row per section and request).
    await t.stack.db.dataSource.query(`UPDATE notifications SET read_at = now() WHERE user_id = $1`, [
      staff.supervisor.userId,
    ]);
    now = nsk('2027-02-02T13:00:00');
    const draft = await json(
      call('POST', '/api/v1/knowledge/requests', staff.housingClerk, {
        sectionId,
        subject: 'График подачи тепла',
        send: false,
      }),
    );
    expect(await sweep()).toMatchObject({ byClock: { 'kb-send/at-risk': 1 }, digests: 1 });
    expect(
      (await noticesOf(staff.ownSupervisor)).filter((n) => n.kind === 'kb-clock-at-risk').slice(-2),
    ).toEqual([
      expect.objectContaining({ kbSectionId: sectionId, organisationId: null }),
      expect.objectContaining({ kbRequestId: draft.id, organisationId: null }),
    ]);
    const counted = (await noticesOf(staff.supervisor)).slice(before);
    expect(counted).toEqual([
      {
        kind: 'kb-clock-at-risk',
        kbRequestId: draft.id,
        kbSectionId: sectionId,
        organisationId: org.minzhkh,
        text: `Министерство ЖКХ и энергетики: база знаний — сроки под угрозой у 2 запросов и разделов за 02.02.2027 — запрос БЗ-${draft.number}, раздел «Отопление»`,
        readAt: null,
      },
    ]);
    let overdue = await json(call('GET', '/api/v1/knowledge/sections?review=overdue', staff.supervisor));
    expect(overdue.map((s: { id: string }) => s.id)).not.toContain(sectionId);

    now = nsk('2027-02-03T10:00:00');
    expect((await sweep()).byClock).toMatchObject({ 'kb-review/overdue': 1 });
    overdue = await json(call('GET', '/api/v1/knowledge/sections?review=overdue', staff.housingClerk));
    expect(overdue).toEqual([expect.objectContaining({ id: sectionId, reviewState: 'overdue' })]);
    const dashboard = await json(call('GET', '/api/v1/knowledge/dashboard', staff.supervisor));
    expect(dashboard.totals.reviewsOverdue).toBe(1);
    expect(dashboard.byOrganisation).toEqual([
      expect.objectContaining({ organisationId: org.minzhkh, reviewsOverdue: 1 }),
    ]);
    expect((await noticesOf(staff.responsible)).filter((n) => n.kind === 'kb-clock-overdue')).toEqual([
      expect.objectContaining({
        kbSectionId: sectionId,
        text: 'База знаний: просрочен срок актуализации раздела «Отопление» (Министерство ЖКХ и энергетики)',
      }),
    ]);
    // Each names the section, so the header's list opens it (they came without a link).
    const listed = await json(call('GET', '/api/v1/notifications?unread=true', staff.ownSupervisor));
    expect(listed).toContainEqual(
      expect.objectContaining({ kind: 'kb-clock-overdue', kbSectionId: sectionId, kbRequestId: null }),
    );
    // The draft was never sent: overdue too, in the same sweep. The region's supervisor reads one notice of the
    // day's overdue terms of Минжкх, which opens its organisation's requests and reviews.
    const overdueCounted = (
      await json(call('GET', '/api/v1/notifications?unread=true', staff.supervisor))
    ).filter((n: { kind: string }) => n.kind === 'kb-clock-overdue');
    expect(overdueCounted).toEqual([
      expect.objectContaining({
        organisationId: org.minzhkh,
        kbSectionId: sectionId,
        kbRequestId: draft.id,
        appealCount: null,
        // Marked in one sweep, the two come in either order.
        text: expect.stringMatching(
          /^Министерство ЖКХ и энергетики: база знаний — просрочены сроки у 2 запросов и разделов за 03\.02\.2027 — (раздел «Отопление», запрос БЗ-\d+|запрос БЗ-\d+, раздел «Отопление»)$/,
        ),
      }),
    ]);
    expect(
      (await call('POST', `/api/v1/knowledge/requests/${draft.id}/cancel`, staff.housingClerk, {})).status,
    ).toBe(201);

    // Reviewed: the next term is a quarter away — 3 May 2027 is a day off (for 1 May), so Friday 30 April, a
    // short pre-holiday day closing at 16:00 — and the section is no longer overdue.
    const reviewed = await json(
      call('POST', `/api/v1/knowledge/sections/${sectionId}/reviewed`, staff.responsible),
    );
    expect(reviewed).toMatchObject({
      reviewState: 'ok',
      reviewDueAt: nsk('2027-04-30T16:00:00').toISOString(),
    });
    expect(await json(call('GET', '/api/v1/knowledge/sections?review=overdue', staff.supervisor))).toEqual(
      [],
    );
  });

  it('turns an escalation "no answer in the KB" into a request for the organisation, with the appeal linked', async () => {
    const registered = await json(
      call('POST', '/api/v1/appeals', staff.operator, {
        medium: 'phone',
        surname: 'Соколова',
        firstName: 'Анна',
        patronymic: 'Игоревна',
        phone: '+7 913 777-66-55',
        subject: 'Перерасчёт платы за отопление',
        text: 'Всю зиму батареи еле тёплые. Положен ли перерасчёт платы за отопление и как его получить?',
        topicId: org.housing,
      }),
    );
    const res = await call('POST', `/api/v1/appeals/${registered.id}/escalate`, staff.operator, {
      organisationIds: [org.minzhkh],
      noKnowledgeBaseAnswer: true,
    });
    expect(res.status).toBe(204);

    const gap = await eventually(async () => {
      const list = await json(
        call('GET', `/api/v1/knowledge/requests?appealId=${registered.id}`, staff.responsible),
      );
      return list.length > 0 ? list : undefined;
    });
    expect(gap).toEqual([
      expect.objectContaining({
        origin: 'escalation',
        status: 'sent',
        organisationId: org.minzhkh,
        sectionId,
        appealIds: [registered.id],
        subject: 'Нет ответа в базе знаний (ЖКХ): Перерасчёт платы за отопление',
      }),
    ]);
    // The organisation writes the answer as it approves; without one there is nothing to approve.
    expect(
      (await call('POST', `/api/v1/knowledge/requests/${gap[0].id}/approve`, staff.responsible, {})).status,
    ).toBe(400);

    // An escalation without the flag asks nothing of the KB.
    const other = await json(
      call('POST', '/api/v1/appeals', staff.operator, {
        medium: 'phone',
        surname: 'Иванов',
        firstName: 'Пётр',
        patronymic: 'Сергеевич',
        phone: '+7 913 111-22-33',
        subject: 'Яма во дворе',
        text: 'Во дворе дома по ул. Ленина, 5 глубокая яма.',
        topicId: org.housing,
      }),
    );
    expect(
      (
        await call('POST', `/api/v1/appeals/${other.id}/escalate`, staff.operator, {
          organisationIds: [org.minzhkh],
        })
      ).status,
    ).toBe(204);
    // Wait until the knowledge-gaps consumer has handled that escalation, then look.
    await eventually(async () => {
      const [row] = (await t.stack.db.dataSource.query(
        `SELECT count(*)::int AS n FROM event_outbox WHERE consumer = 'knowledge-gaps' AND appeal_id = $1`,
        [other.id],
      )) as { n: number }[];
      return row.n === 0 ? true : undefined;
    });
    expect(
      await json(call('GET', `/api/v1/knowledge/requests?appealId=${other.id}`, staff.supervisor)),
    ).toEqual([]);
  });

  const send = (
    fileName: string,
    type: string,
    content: Buffer,
    who = staff.housingClerk,
    organisationId?: string,
  ) => {
    const form = new FormData();
    form.append('file', new Blob([content], { type }), fileName);
    if (organisationId) form.append('organisationId', organisationId);
    return fetch(`${t.stack.baseUrl}/api/v1/knowledge/attachments`, {
      method: 'POST',
      headers: { authorization: who.headers.authorization },
      body: form,
    });
  };

  it("refuses an attachment for another organisation's articles (on record), of a type or size not taken", async () => {
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
    const refusal = async (res: Response) => ({ status: res.status, body: await res.json() });
    // Another organisation's clerk: a refusal of scope, on record with the organisation it aimed at.
    expect(
      await refusal(await send('rules.pdf', 'application/pdf', pdf, staff.roadsClerk, org.minzhkh)),
    ).toEqual({
      status: 403,
      body: { statusCode: 403, code: 'forbidden', message: 'Вложения другой организации' },
    });
    expect((await denied()).slice(-1)).toEqual([
      {
        userId: staff.roadsClerk.userId,
        action: 'kb-attachment-upload',
        entityId: null,
        details: { organisationId: org.minzhkh },
      },
    ]);
    // A program, an empty file, one over 10 МБ (by the service, then by the upload's own cap): refused in Russian.
    expect(
      await refusal(await send('setup.exe', 'application/x-msdownload', Buffer.from('MZ\x90\x00'))),
    ).toEqual({
      status: 400,
      body: expect.objectContaining({
        code: 'invalid-input',
        message: 'Допустимы PDF, документы Word и Excel, RTF, текст и изображения',
      }),
    });
    // What the bytes are decides, not the type the browser declared: a program or a page sent as a PDF.
    expect(
      await refusal(await send('rules.pdf', 'application/pdf', Buffer.from('MZ\x90\x00\x03\x00\x00\x00'))),
    ).toEqual({
      status: 400,
      body: expect.objectContaining({
        code: 'invalid-input',
        message:
          'Содержимое файла не PDF, не документ Word или Excel, не RTF, не текст и не изображение: файл не принят',
      }),
    });
    expect(
      await refusal(
        await send(
          'guide.pdf',
          'application/pdf',
          Buffer.from('<html><script>fetch("/api/v1/me")</script></html>'),
        ),
      ),
    ).toEqual({
      status: 400,
      body: expect.objectContaining({
        code: 'invalid-input',
        message: 'Содержимое файла не совпадает с его типом: по содержимому это текст',
      }),
    });
    expect(await refusal(await send('empty.pdf', 'application/pdf', Buffer.alloc(0)))).toEqual({
      status: 400,
      body: expect.objectContaining({ code: 'invalid-input', message: 'Файл пустой' }),
    });
    for (const size of [10 * 1024 * 1024 + 1, 10 * 1024 * 1024 + 2]) {
      expect(await refusal(await send('big.pdf', 'application/pdf', Buffer.alloc(size, 0x20)))).toEqual({
        status: 413,
        body: {
          statusCode: 413,
          code: 'too-large',
          message: 'Файл больше 10 МБ',
          errors: { file: 'Файл больше 10 МБ' },
        },
      });
    }
    // Nothing of the refused files was kept.
    const [{ n }] = await t.stack.db.dataSource.query(`SELECT count(*)::int AS n FROM kb_attachments`);
    expect(n).toBe(0);
  });

  it("serves an article's attachment by what its bytes are: a page uploaded as text is not rendered", async () => {
    const upload = async (fileName: string, type: string, content: Buffer) => {
      const res = await send(fileName, type, content);
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; fileName: string };
    };
    const download = (id: string) =>
      fetch(`${t.stack.baseUrl}/api/v1/knowledge/attachments/${id}`, { headers: staff.operator.headers });

    const page = await upload(
      'guide.txt',
      'text/plain',
      Buffer.from('<html><body><script>fetch("/api/v1/me")</script>Памятка</body></html>'),
    );
    const served = await download(page.id);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(served.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(served.headers.get('content-security-policy')).toContain('sandbox');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');

    // A real PDF is still shown in the browser.
    const pdf = await upload(
      'rules.pdf',
      'application/pdf',
      Buffer.from('%PDF-1.4\n%\xE2\xE3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1'),
    );
    const shown = await download(pdf.id);
    // A name with a right-to-left override would show as «памяткаtxt.exe»: kept without it.
    expect((await upload('памятка\u202Eexe.txt', 'text/plain', Buffer.from('Памятка'))).fileName).toBe(
      'памяткаexe.txt',
    );
    expect(shown.headers.get('content-type')).toBe('application/pdf');
    expect(shown.headers.get('content-disposition')).toMatch(/^inline;.*rules\.pdf/);
  });

  it("scopes an unpublished attachment and the organisation's settings; a published article's file is for all", async () => {
    const res = await send('draft.txt', 'text/plain', Buffer.from('Проект памятки'));
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const get = (who: SignedIn) =>
      fetch(`${t.stack.baseUrl}/api/v1/knowledge/attachments/${id}`, { headers: who.headers }).then(
        (r) => r.status,
      );
    // Not in a published article yet: its organisation's staff (the uploader), line 1 and the region's supervisor
    // read it; another organisation's clerk is refused, on record.
    expect(await get(staff.housingClerk)).toBe(200);
    expect(await get(staff.operator)).toBe(200);
    expect(await get(staff.supervisor)).toBe(200);
    expect(await get(staff.roadsClerk)).toBe(403);
    expect((await denied()).slice(-1)).toEqual([
      {
        userId: staff.roadsClerk.userId,
        action: 'kb-attachment-view',
        entityId: id,
        details: { organisationId: org.minzhkh },
      },
    ]);
    // Once a published article carries it, every staff member may read it, as they read the article.
    await t.stack.db.dataSource.query(
      `UPDATE kb_articles SET attachment_ids = attachment_ids || $1::uuid
        WHERE id = (SELECT id FROM kb_articles WHERE status = 'published' ORDER BY id LIMIT 1)`,
      [id],
    );
    expect(await get(staff.roadsClerk)).toBe(200);

    // Settings (the responsible person, the public FAQ): the organisation's own and those over it, not another's.
    const settings = (who: SignedIn, organisationId: string) =>
      call('GET', `/api/v1/knowledge/organisations/${organisationId}/settings`, who).then((r) => r.status);
    expect(await settings(staff.housingClerk, org.minzhkh)).toBe(200);
    expect(await settings(staff.supervisor, org.minzhkh)).toBe(200);
    expect(await settings(staff.roadsClerk, org.mintrans)).toBe(200);
    expect(await settings(staff.roadsClerk, org.minzhkh)).toBe(403);
    expect((await denied()).slice(-1)).toEqual([
      {
        userId: staff.roadsClerk.userId,
        action: 'kb-settings-view',
        entityId: org.minzhkh,
        details: { organisationId: org.minzhkh },
      },
    ]);
  });

  it("previews a template on the card with no placeholder's remains where the search's fragment begins", async () => {
    // ts_headline starts the fragment about the one word the appeal shares with the template 16 words before it:
    // inside «{{registrationDate}}», after its «{{». The card showed «registrationDate}} рассмотрено…» (518df42).
    const repo = t.stack.api.get(KnowledgeRepository, { strict: false });
    const articleId = await repo.insertArticle({
      sectionId,
      organisationId: org.minzhkh,
      content: normaliseArticle({
        kind: ArticleKind.Template,
        title: 'Замена теплосчётчика',
        body:
          'Уважаемый(ая) {{applicantName}}! Ваше обращение от {{registrationDate}} рассмотрено. Специалисты ' +
          'управляющей компании осмотрели оборудование дома, составили акт и направили его в ' +
          'ресурсоснабжающую организацию: неисправный теплосчётчик заменят до конца недели.',
        keywords: [],
        topicId: org.heating,
      }) as ArticleContent,
      publishedAt: now,
      publishedBy: null,
      changeRequestId: null,
    });
    const appeal = {
      subject: 'Теплосчётчик не работает',
      text: 'Теплосчётчик в подвале не работает, показания не передаются. Прошу проверить теплосчётчик.',
    };
    const registered = await json(
      call('POST', '/api/v1/appeals', staff.operator, {
        medium: 'phone',
        surname: 'Кузнецов',
        firstName: 'Олег',
        phone: '+7 913 777-12-34',
        ...appeal,
        topicId: org.heating,
      }),
    );
    const tail =
      ' рассмотрено. Специалисты управляющей компании осмотрели оборудование дома, составили акт и направили его ' +
      'в ресурсоснабжающую организацию: неисправный «теплосчётчик» заменят до конца недели';
    // The search's own cut: the fragment begins with the placeholder's remains, no «{{» in it.
    const [hit] = (
      await repo.search({ text: `${appeal.subject}\n${appeal.text}`, topicId: org.heating, limit: 30 })
    ).filter((a) => a.id === articleId);
    expect(hit.excerpt).toBe(`registrationDate}}${tail}`);
    // The card's preview: the remains left out, as a cut placeholder is.
    const { articles } = await json(
      call('GET', `/api/v1/knowledge/appeals/${registered.id}/suggestions`, staff.operator),
    );
    expect(articles.find((a: { id: string }) => a.id === articleId)).toMatchObject({
      kind: ArticleKind.Template,
      excerpt: `…${tail}`,
    });
  });
});

function pick<T extends Record<string, unknown>>(row: T, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(
    keys.filter((k) => row[k] !== null && row[k] !== undefined).map((k) => [k, row[k]]),
  );
}
