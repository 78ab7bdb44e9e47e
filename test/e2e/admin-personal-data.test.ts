import { randomUUID } from 'node:crypto';
import { Role } from '@inbox/access';
import { ClassificationPipeline } from '@inbox/classification';
import { Incidents } from '@inbox/incidents';
import { InboundStore } from '@inbox/intake';
import {
  type ArticleContent,
  ArticleKind,
  KnowledgeRepository,
  normaliseArticle,
  reviewDueAt,
} from '@inbox/knowledge';
import { Channel } from '@inbox/integrations/contract';
import { inboundItem } from '../factories/inbound-items';
import { idOf, TEST_WORKING_HOURS } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { json, startTestStack, type TestStack } from '../support/test-stack';

type OpenApi = {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean }[] }>>;
};

/** What the applicant is, and what they typed into their appeal: none of it may reach an administrator. */
const SURNAME = 'Зябликова';
const FIRST_NAME = 'Аглая';
const PATRONYMIC = 'Вениаминовна';
const PHONE = '+79131112233';
const EMAIL = 'aglaya.zyablikova@example.ru';
const POSTAL = 'ул. Тихозаводская, 7, кв. 12';
/** Where the problem is: her own flat (the card keeps it from an administrator, and so must an incident). */
const ADDRESS = 'ул. Щегловская, д. 13, кв. 77';
const SECRETS = [
  'Щегловская',
  SURNAME,
  FIRST_NAME,
  PATRONYMIC,
  '111-22-33',
  '1112233',
  'aglaya.zyablikova',
  'Тихозаводская',
];

/**
 * Issue 14 (least privilege): an administrator runs the system and never sees an applicant's personal data.
 * Signed in as one, this walks every staff GET endpoint of the api's own OpenAPI document (with the path
 * parameters of an appeal whose applicant, subject, text, note and answer carry a known name, phone and e-mail,
 * and the inbox's searches by them) and the live stream, and asserts none of it appears in any answer.
 */
describe('an administrator sees no personal data on any endpoint (e2e)', () => {
  let stack: TestStack;
  let operator: SignedIn;
  let admin: SignedIn;
  let appealId: string;
  let registrationNumber: string;
  let answerId: string;
  let keptItemId: string;
  let incidentId: string;
  let templateArticleId: string;
  let doc: OpenApi;

  beforeAll(async () => {
    stack = await startTestStack({ env: { RATE_LIMIT_STATUS: 'off', API_DOCS: 'public' } });
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'cur');
    const post = (path: string, body: unknown) =>
      json(
        fetch(`${stack.baseUrl}${path}`, {
          method: 'POST',
          headers: operator.headers,
          body: JSON.stringify(body),
        }),
      );
    const appeal = {
      medium: 'phone',
      subject: 'Яма во дворе, перезвонить на +7 913 111-22-33',
      text: `Во дворе яма уже месяц. Перезвоните мне на +7 (913) 111-22-33 или напишите на ${EMAIL}, пожалуйста.`,
      address: ADDRESS,
      topicId: await idOf(stack.db.dataSource, 'topics', 'housing'),
    };
    const created = await post('/api/v1/appeals', {
      ...appeal,
      // She names herself in her words too, declined and with initials: the text keeps them from an administrator.
      text: `Я, ${SURNAME} А. В., пишу снова. ${appeal.text} С уважением, ${FIRST_NAME} ${PATRONYMIC}, Зябликовой.`,
      surname: SURNAME,
      firstName: FIRST_NAME,
      patronymic: PATRONYMIC,
      phone: PHONE,
      email: EMAIL,
      postalAddress: POSTAL,
    });
    appealId = created.id;
    // Her neighbours write the same (her words forwarded): the three become one incident, titled after hers.
    for (const surname of ['Соседова', 'Дворова'])
      expect((await post('/api/v1/appeals', { ...appeal, surname, firstName: 'Нина' })).id).toBeTruthy();
    await stack.api.get(ClassificationPipeline).processPending(100);
    await stack.api.get(Incidents).clusterPending(100);
    const [incident] = (await stack.db.dataSource.query(
      `SELECT incident_id FROM appeal_incidents WHERE appeal_id = $1`,
      [appealId],
    )) as { incident_id: string | null }[];
    incidentId = incident.incident_id!;
    expect(incidentId).toBeTruthy();
    registrationNumber = created.registrationNumber;
    await post(`/api/v1/appeals/${appealId}/notes`, {
      text: `Заявитель просила звонить после 18:00 на 8 913 111-22-33, копию на ${EMAIL}.`,
    });
    const answer = await post(`/api/v1/appeals/${appealId}/answers`, {
      text: `Уважаемая ${FIRST_NAME} ${PATRONYMIC}! Яму заделают до пятницы.`,
    });
    answerId = answer.id;
    // A message of hers the core refused, kept whole in the quarantine (line 1 registers it by hand).
    const [kept] = await stack.api.get(InboundStore).store(
      [
        inboundItem({
          channel: Channel.Telegram,
          text: `Это снова ${SURNAME}, мой номер ${PHONE}`,
          author: { externalId: 'tg-4242', surname: SURNAME, firstName: FIRST_NAME },
        }),
      ],
      { enqueue: false },
    );
    keptItemId = kept.inboundItemId;
    await stack.db.dataSource.query(
      `UPDATE inbound_items SET status = 'quarantined', error = 'test' WHERE id = $1`,
      [kept.inboundItemId],
    );
    // A knowledge base template that addresses the applicant by name: its previews on the card and its
    // insertion fill the name in for staff who work the appeal.
    const repo = new KnowledgeRepository(stack.db.dataSource);
    const minzhkh = await idOf(stack.db.dataSource, 'organisations', 'minzhkh');
    const now = new Date();
    const sectionId = await repo.insertSection({
      organisationId: minzhkh,
      topicId: await idOf(stack.db.dataSource, 'topics', 'housing'),
      title: 'Ямы во дворах',
      description: null,
      responsibleUserId: null,
      createdAt: now,
      lastReviewedAt: now,
      reviewDueAt: reviewDueAt(now, { timeZone: 'Asia/Novosibirsk', workingHours: TEST_WORKING_HOURS }),
    });
    templateArticleId = await repo.insertArticle({
      sectionId,
      organisationId: minzhkh,
      content: normaliseArticle({
        kind: ArticleKind.Template,
        title: 'Ответ о яме во дворе',
        body: 'Уважаемый(ая) {{applicantName}}! Яму во дворе заделают, по обращению № {{registrationNumber}}.',
        keywords: ['яма', 'двор'],
        topicId: await idOf(stack.db.dataSource, 'topics', 'housing'),
      }) as ArticleContent,
      publishedAt: now,
      publishedBy: null,
      changeRequestId: null,
    });
    // She asks about the bus three times, signing the subject: with no article on the topic, the knowledge base's
    // «repeated questions» group them, the subjects as samples.
    const roads = await idOf(stack.db.dataSource, 'topics', 'roads');
    for (const stop of ['Школа', 'Рынок', 'Больница'])
      await post('/api/v1/appeals', {
        medium: 'phone',
        subject: `${SURNAME} А. В.: автобус № 12 не ходит`,
        text: `Автобус № 12 не ходит по расписанию, на остановке «${stop}» ждём по часу.`,
        topicId: roads,
        surname: SURNAME,
        firstName: FIRST_NAME,
        patronymic: PATRONYMIC,
      });
    doc = (await json(fetch(`${stack.baseUrl}/api/docs-json`))) as OpenApi;
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** An id for a path parameter: the appeal's own, else the first of the collection the path belongs to. */
  async function paramValue(path: string, name: string): Promise<string> {
    if (name === 'appealId' || (name === 'id' && path.startsWith('/api/v1/appeals/'))) return appealId;
    if (name === 'answerId') return answerId;
    if (path.startsWith('/api/v1/incidents/')) return incidentId;
    if (path.startsWith('/api/v1/channel-quarantine/')) return name === 'source' ? 'item' : keptItemId;
    if (name === 'registrationNumber') return registrationNumber;
    if (name === 'year') return String(new Date().getFullYear());
    if (name === 'attachmentId' || name === 'fileId' || name === 'jobId') return randomUUID();
    const collection = path.slice(0, path.indexOf(`/{${name}}`));
    const res = await fetch(`${stack.baseUrl}${collection}`, { headers: admin.headers });
    const body = res.ok ? ((await res.json()) as unknown) : undefined;
    const list = Array.isArray(body) ? body : ((body as { items?: unknown[] } | undefined)?.items ?? []);
    const first = list[0] as { id?: string } | undefined;
    return first?.id ?? randomUUID();
  }

  it('walks every staff GET endpoint as an administrator: no name, phone, e-mail or address in any answer', async () => {
    // The operator, whose work it is, does see them: the walk below would find them if they leaked.
    const operatorCard = await json(
      fetch(`${stack.baseUrl}/api/v1/appeals/${appealId}`, { headers: operator.headers }),
    );
    expect(JSON.stringify(operatorCard)).toContain(SURNAME);
    expect(JSON.stringify(operatorCard)).toContain('111-22-33');
    const quarantined = await json(
      fetch(`${stack.baseUrl}/api/v1/channel-quarantine/item/${keptItemId}`, { headers: operator.headers }),
    );
    expect(JSON.stringify(quarantined)).toContain(SURNAME);

    const searches = [SURNAME, PHONE, '1112233', EMAIL, 'zyablikova', registrationNumber].map(
      (q) => `q=${encodeURIComponent(q)}`,
    );
    const urls: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      const op = methods.get;
      if (!op || path.startsWith('/api/v1/public') || path.endsWith('/stream')) continue;
      let url = path;
      for (const p of op.parameters?.filter((x) => x.in === 'path') ?? []) {
        url = url.replace(`{${p.name}}`, encodeURIComponent(await paramValue(path, p.name)));
      }
      urls.push(url);
      if (path === '/api/v1/appeals' || path === '/api/v1/appeals/count') {
        for (const q of [...searches, `ids=${appealId}`]) urls.push(`${url}?${q}`);
      }
      if (path === '/api/v1/knowledge/search') for (const q of searches) urls.push(`${url}?${q}`);
    }
    expect(urls.length).toBeGreaterThan(40);

    const leaks: string[] = [];
    let answered = 0;
    for (const url of urls) {
      const res = await fetch(`${stack.baseUrl}${url}`, { headers: admin.headers });
      const body = await res.text();
      if (res.status === 200) answered++;
      for (const secret of SECRETS)
        if (body.includes(secret)) leaks.push(`${url} (${res.status}): ${secret}`);
    }
    expect(leaks).toEqual([]);
    // The incident was read, with its appeals (hers among them), not refused.
    const incident = await json(
      fetch(`${stack.baseUrl}/api/v1/incidents/${incidentId}`, { headers: admin.headers }),
    );
    expect(incident.appeals.map((a: { id: string }) => a.id)).toContain(appealId);
    expect(incident.appeals[0].excerpt).toContain('[телефон скрыт]');
    const hers = incident.appeals.find((a: { id: string }) => a.id === appealId);
    expect(hers.excerpt).toMatch(/^Я, \[имя скрыто\], пишу снова/);
    // Her card and her inbox row say where her name stood; «Зябликовой» (another case) is gone too.
    const adminCard = await json(
      fetch(`${stack.baseUrl}/api/v1/appeals/${appealId}`, { headers: admin.headers }),
    );
    expect(adminCard.text).toMatch(/^Я, \[имя скрыто\], пишу снова\. .* С уважением, \[имя скрыто\]\.$/);
    expect(JSON.stringify(adminCard)).not.toContain('Зябликов');
    // The repeated questions are there for an administrator, her name gone from their subjects.
    const repeated = await json(
      fetch(`${stack.baseUrl}/api/v1/knowledge/gaps/repeated`, { headers: admin.headers }),
    );
    const bus = repeated.find((g: { topicName: string }) => g.topicName === 'Дороги и транспорт');
    expect(bus.samples.map((x: { subject: string }) => x.subject)).toEqual(
      Array(3).fill('[имя скрыто]: автобус № 12 не ходит'),
    );
    expect(bus.suggestedSubject).toBe('Дороги и транспорт: [имя скрыто]: автобус № 12 не ходит');
    // Most of the walk was answered (not refused), so the absence above means something.
    expect(answered).toBeGreaterThan(urls.length / 2);
    // The appeal is visible to the administrator: its list row is there, without the phone and e-mail.
    const page = await json(
      fetch(`${stack.baseUrl}/api/v1/appeals?ids=${appealId}`, { headers: admin.headers }),
    );
    expect(page.items).toHaveLength(1);
    expect(page.items[0].excerpt).toContain('[телефон скрыт]');
    expect(page.items[0].excerpt).toContain('[e-mail скрыт]');
    expect(page.items[0].excerpt).toMatch(/^Я, \[имя скрыто\], пишу снова/);
    // Searching by the applicant's name, phone or e-mail finds nothing for an administrator.
    for (const q of [SURNAME, PHONE, EMAIL]) {
      const found = await json(
        fetch(`${stack.baseUrl}/api/v1/appeals?q=${encodeURIComponent(q)}`, { headers: admin.headers }),
      );
      expect(found.items).toEqual([]);
    }
    // The notes are there (their count is not a secret), their text is not.
    const notes = await json(
      fetch(`${stack.baseUrl}/api/v1/appeals/${appealId}/notes`, { headers: admin.headers }),
    );
    expect(notes).toHaveLength(1);
  });

  it("fills a knowledge base template with the applicant's name for the operator, never for an administrator", async () => {
    const render = (who: SignedIn) =>
      json(
        fetch(`${stack.baseUrl}/api/v1/knowledge/articles/${templateArticleId}/render`, {
          method: 'POST',
          headers: who.headers,
          body: JSON.stringify({ appealId }),
        }),
      );
    const suggestions = (who: SignedIn) =>
      fetch(`${stack.baseUrl}/api/v1/knowledge/appeals/${appealId}/suggestions`, {
        headers: who.headers,
      }).then((res) => res.text());
    // The operator, who works the appeal, gets her name in the insertion and in the card's preview.
    expect((await render(operator)).text).toContain(`${FIRST_NAME} ${PATRONYMIC}`);
    expect(await suggestions(operator)).toContain(FIRST_NAME);
    // The administrator gets the template with the placeholder named, and no read of the applicant on record.
    const before = await applicantReads();
    expect((await render(admin)).text).toBe(
      'Уважаемый(ая) [имя заявителя]! Яму во дворе заделают, по обращению № ' + `${registrationNumber}.`,
    );
    const preview = await suggestions(admin);
    expect(preview).toContain('Ответ о яме во дворе');
    for (const secret of SECRETS) expect(preview).not.toContain(secret);
    expect(await applicantReads()).toBe(before);
  });

  /** How many reads of the applicant's name the administrator has on record. */
  async function applicantReads(): Promise<number> {
    const [{ n }] = (await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE user_id = $1 AND action = 'read-applicant'`,
      [admin.userId],
    )) as { n: number }[];
    return n;
  }

  it('the live stream tells an administrator nothing personal about changes to the appeal', async () => {
    const { ticket } = await json(
      fetch(`${stack.baseUrl}/api/v1/appeals/stream/ticket`, { method: 'POST', headers: admin.headers }),
    );
    const controller = new AbortController();
    const res = await fetch(`${stack.baseUrl}/api/v1/appeals/stream?ticket=${encodeURIComponent(ticket)}`, {
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    const read = async (until: (text: string) => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!until(received) && Date.now() < deadline) {
        let timer: NodeJS.Timeout | undefined;
        const chunk = await Promise.race([
          reader.read(),
          new Promise<{ value?: undefined }>((r) => {
            timer = setTimeout(() => r({}), deadline - Date.now());
          }),
        ]);
        clearTimeout(timer);
        if (chunk.value) received += decoder.decode(chunk.value);
      }
    };
    await read((t) => t.includes('event: ready'), 5000);
    expect(received).toContain('event: ready');
    // A change that carries the applicant's data: a new note and a corrected card.
    await fetch(`${stack.baseUrl}/api/v1/appeals/${appealId}/notes`, {
      method: 'POST',
      headers: operator.headers,
      body: JSON.stringify({ text: `Ещё раз звонила ${SURNAME}, номер +7 913 111-22-33.` }),
    });
    await fetch(`${stack.baseUrl}/api/v1/appeals/${appealId}/card`, {
      method: 'PATCH',
      headers: operator.headers,
      body: JSON.stringify({ email: `new.${EMAIL}` }),
    });
    await read((t) => t.includes('event: appeals'), 10_000);
    controller.abort();
    expect(received).toContain(appealId);
    for (const secret of SECRETS) expect(received).not.toContain(secret);
  });
});
