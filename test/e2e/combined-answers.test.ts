import { Role } from '@inbox/access';
import { parseEmail } from '@inbox/integrations/email';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { type DovecotInstance, startDovecot } from '../fakes/email/dovecot';
import { type SmtpReceiver, startSmtpReceiver } from '../fakes/email/smtp-receiver';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import { answerAndRatingLinks, EMAIL_ENV, mailHeader } from './feed-helpers';
import { publicStatus } from '../support/citizen';

const OURS = 'obrashcheniya@region.test';
const pdf = (words: string) => Buffer.from(`%PDF-1.4\n% ${words}\n%%EOF\n`);
const HOUSING = 'Горячая вода в доме подана, управляющей компании выдано предписание.';
const ROADS = 'Яма у дома засыпана, ремонт дороги включён в план на следующий год.';

/**
 * Issue 12, Build 2: the citizen gets each organisation's answer, or one combined answer, as the organisation
 * responsible for the appeal chooses. Combined: the first part's answer is held (the part is answered, the
 * citizen gets nothing), the last part's answer or line 1 closing the last open part sends one letter with every
 * answer under its organisation's name and all their files; the status page shows them only then. Each (the
 * default): a letter per answer, as before. The setting is the administrator's, through the organisations API.
 */
describe('one combined answer, or each answer, as the responsible organisation chooses (e2e)', () => {
  let dovecot: DovecotInstance;
  let smtp: SmtpReceiver;
  let stack: TestStack;
  let admin: SignedIn;
  let operator: SignedIn;
  const clerks: Record<string, [SignedIn, SignedIn]> = {};
  const org: Record<string, string> = {};

  beforeAll(async () => {
    dovecot = await startDovecot();
    smtp = await startSmtpReceiver();
    stack = await startTestStack({
      worker: true,
      env: EMAIL_ENV(dovecot, smtp, OURS),
    });
    const ds = stack.db.dataSource;
    for (const code of ['cur', 'minzhkh', 'mintrans']) org[code] = await idOf(ds, 'organisations', code);
    org.housing = await idOf(ds, 'topics', 'housing');
    admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'cur');
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    for (const code of ['minzhkh', 'mintrans']) {
      clerks[code] = [
        await signInAs(stack.api, stack.baseUrl, Role.Clerk, code),
        await signInAs(stack.api, stack.baseUrl, Role.Clerk, code),
      ];
    }
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });

  const call = (method: string, path: string, who: SignedIn, body?: unknown) =>
    fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: who.headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const setDelivery = (who: SignedIn, organisationId: string, answerDelivery: unknown) =>
    call('PATCH', `/api/v1/organisations/${organisationId}`, who, { answerDelivery });
  /** Answer letters (not notices, which are Auto-Submitted) that reached this citizen. */
  const answerLetters = (citizen: string) =>
    smtp.accepted().filter((m) => m.to.includes(citizen) && !mailHeader(m, 'Auto-Submitted'));

  /** A web-form appeal with an e-mail, escalated by line 1 to the housing and the roads ministries. */
  async function escalatedAppeal(citizen: string) {
    const form = new FormData();
    for (const [k, v] of Object.entries({
      surname: 'Кузнецова',
      firstName: 'Ольга',
      email: citizen,
      text: 'Третий день нет горячей воды в доме по ул. Ленина, 15, а у подъезда огромная яма на дороге.',
      consent: 'true',
    }))
      form.append(k, v);
    const created = (await json(
      fetch(`${stack.baseUrl}/api/v1/public/appeals`, { method: 'POST', body: form }),
    )) as { registrationNumber: string; accessCode: string };
    const [{ id }] = await eventually(async () => {
      const rows = (await stack.db.dataSource.query(`SELECT id FROM appeals WHERE registration_number = $1`, [
        created.registrationNumber,
      ])) as { id: string }[];
      return rows.length ? rows : undefined;
    });
    const escalated = await call('POST', `/api/v1/appeals/${id}/escalate`, operator, {
      organisationIds: [org.minzhkh, org.mintrans],
      topicId: org.housing,
      subject: 'Нет горячей воды, яма у подъезда',
      applicant: { patronymic: 'Ивановна', phone: '+7 913 555-12-34' },
    });
    expect(escalated.status).toBe(204);
    const status = async () =>
      json(publicStatus(stack.baseUrl, created.registrationNumber, created.accessCode)) as Promise<{
        answers: { organisation: string; text: string; attachments: { fileName: string }[] }[];
      }>;
    return { id, status };
  }

  /** A clerk drafts (with a file), a colleague approves, the clerk sends. */
  async function answer(appealId: string, code: string, text: string, fileName: string) {
    const [clerk, colleague] = clerks[code];
    const draft = await json(call('POST', `/api/v1/appeals/${appealId}/answers`, clerk, { text }));
    const body = new FormData();
    body.append('file', new Blob([pdf(fileName)], { type: 'application/pdf' }), fileName);
    const headers: Record<string, string> = { ...clerk.headers };
    delete headers['content-type'];
    const added = await fetch(`${stack.baseUrl}/api/v1/appeals/${appealId}/answers/${draft.id}/attachments`, {
      method: 'POST',
      headers,
      body,
    });
    expect(added.status).toBe(201);
    expect(
      (await call('POST', `/api/v1/appeals/${appealId}/answers/${draft.id}/approve`, colleague)).status,
    ).toBe(204);
    expect((await call('POST', `/api/v1/appeals/${appealId}/answers/${draft.id}/send`, clerk)).status).toBe(
      204,
    );
  }

  const parts = async (appealId: string) => {
    const card = await json(call('GET', `/api/v1/appeals/${appealId}`, operator));
    return {
      status: card.status as string,
      parts: Object.fromEntries(
        (card.organisations as { code: string; state: string }[]).map((p) => [p.code, p.state]),
      ),
    };
  };
  /** The worker has had time to send anything queued (its sweep picks up a lost job every 2 s). */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 3000));
  const readLetter = async (raw: Buffer, citizen: string) => {
    const parsed = await parseEmail(raw, {
      policy547: 'appeal',
      maxAttachmentBytes: 1e7,
      fromAddress: citizen,
    });
    if (parsed.kind !== 'item') throw new Error(`the answer did not read as a letter: ${parsed.kind}`);
    return parsed.item;
  };

  it('lets only an administrator choose, with a clear refusal of anything but each or combined', async () => {
    const [{ answerDelivery }] = (
      (await json(call('GET', '/api/v1/organisations', operator))) as { id: string; answerDelivery: string }[]
    ).filter((o) => o.id === org.cur);
    expect(answerDelivery).toBe('each');
    const bad = await setDelivery(admin, org.cur, 'sometimes');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: Record<string, string> }).errors).toEqual({
      answerDelivery: 'answerDelivery: each или combined',
    });
    expect((await setDelivery(admin, org.cur, undefined)).status).toBe(400);
    expect((await setDelivery(operator, org.cur, 'combined')).status).toBe(403);
    expect((await setDelivery(admin, '00000000-0000-4000-8000-000000000000', 'combined')).status).toBe(404);
    const saved = await setDelivery(admin, org.cur, 'combined');
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as { answerDelivery: string }).answerDelivery).toBe('combined');
    expect((await json(call('GET', `/api/v1/organisations/${org.cur}`, operator))).answerDelivery).toBe(
      'combined',
    );
  });

  it('combined: holds the first answer, then sends one letter with both answers and both files', async () => {
    const citizen = 'combined.both@example.ru';
    const a = await escalatedAppeal(citizen);

    await answer(a.id, 'minzhkh', HOUSING, 'Предписание.pdf');
    // The part is answered (its clock stops); the appeal still waits for the roads ministry; the citizen has nothing.
    expect(await parts(a.id)).toEqual({
      status: 'escalated',
      parts: expect.objectContaining({ minzhkh: 'answered', mintrans: 'active' }),
    });
    await settle();
    expect(answerLetters(citizen)).toEqual([]);
    expect((await a.status()).answers).toEqual([]);

    await answer(a.id, 'mintrans', ROADS, 'План ремонта.pdf');
    expect((await parts(a.id)).status).toBe('answered');
    const [letter] = await eventually(async () => {
      const got = answerLetters(citizen);
      return got.length ? got : undefined;
    });
    await settle();
    expect(answerLetters(citizen)).toHaveLength(1);
    const item = await readLetter(letter.raw, citizen);
    expect(item.text).toContain('Министерство ЖКХ и энергетики:');
    expect(item.text).toContain(HOUSING);
    expect(item.text).toContain('Министерство транспорта:');
    expect(item.text).toContain(ROADS);
    expect(item.text.indexOf(HOUSING)).toBeLessThan(item.text.indexOf(ROADS));
    // Under them, a rating link for each answer, named by its organisation.
    const request = item.text.slice(item.text.indexOf('Пожалуйста, оцените ответы'));
    expect(answerAndRatingLinks(item.text).links).toHaveLength(2);
    expect(request).toMatch(
      /Ответ .+: https?:\/\/\S+\/rate\.html#t=\S+\nОтвет .+: https?:\/\/\S+\/rate\.html#t=/,
    );
    expect((item.attachments ?? []).map((f) => f.fileName)).toEqual(['Предписание.pdf', 'План ремонта.pdf']);

    // The status page shows both answers, each with its file.
    const shown = (await a.status()).answers;
    expect(shown.map((x) => [x.text, x.attachments.map((f) => f.fileName)])).toEqual([
      [HOUSING, ['Предписание.pdf']],
      [ROADS, ['План ремонта.pdf']],
    ]);
  });

  it('combined: the held answer still goes out when the other part is returned and closed without one', async () => {
    const citizen = 'combined.closed@example.ru';
    const a = await escalatedAppeal(citizen);

    await answer(a.id, 'minzhkh', HOUSING, 'Предписание.pdf');
    const [roads] = clerks.mintrans;
    expect(
      (await call('POST', `/api/v1/appeals/${a.id}/return`, roads, { reason: 'Не дорожный вопрос' })).status,
    ).toBe(204);
    await settle();
    expect(answerLetters(citizen)).toEqual([]);

    // Line 1 closes the returned part instead of routing it on: nothing is owed any more.
    expect(
      (
        await call('POST', `/api/v1/appeals/${a.id}/parts/${org.mintrans}/close`, operator, {
          reason: 'Вопрос решён ответом Минжкх',
        })
      ).status,
    ).toBe(204);
    expect(await parts(a.id)).toEqual({
      status: 'answered',
      parts: expect.objectContaining({ minzhkh: 'answered', mintrans: 'closed' }),
    });
    const [letter] = await eventually(async () => {
      const got = answerLetters(citizen);
      return got.length ? got : undefined;
    });
    await settle();
    expect(answerLetters(citizen)).toHaveLength(1);
    const item = await readLetter(letter.raw, citizen);
    expect(item.text).toContain(HOUSING);
    expect(item.text).not.toContain(ROADS);
    expect((item.attachments ?? []).map((f) => f.fileName)).toEqual(['Предписание.pdf']);
    expect((await a.status()).answers.map((x) => x.text)).toEqual([HOUSING]);
  });

  it('each (the default): a letter per answer, as it comes', async () => {
    expect((await setDelivery(admin, org.cur, 'each')).status).toBe(200);
    const citizen = 'each.answer@example.ru';
    const a = await escalatedAppeal(citizen);

    await answer(a.id, 'minzhkh', HOUSING, 'Предписание.pdf');
    const [first] = await eventually(async () => {
      const got = answerLetters(citizen);
      return got.length ? got : undefined;
    });
    expect((await readLetter(first.raw, citizen)).text).toContain(HOUSING);
    expect((await a.status()).answers.map((x) => x.text)).toEqual([HOUSING]);

    await answer(a.id, 'mintrans', ROADS, 'План ремонта.pdf');
    const letters = await eventually(async () => {
      const got = answerLetters(citizen);
      return got.length >= 2 ? got : undefined;
    });
    await settle();
    expect(answerLetters(citizen)).toHaveLength(2);
    const second = await readLetter(letters[1].raw, citizen);
    expect(second.text).toContain(ROADS);
    expect(second.text).not.toContain(HOUSING);
    expect((second.attachments ?? []).map((f) => f.fileName)).toEqual(['План ремонта.pdf']);
  });
});
