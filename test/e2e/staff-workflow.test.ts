import { Role } from '@inbox/access';
import { addCalendarDays, localDateOf, ProductionCalendar } from '@inbox/deadlines';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { startSmtpReceiver, type SmtpReceiver } from '../fakes/email/smtp-receiver';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import { publicRating } from '../support/citizen';

/**
 * Issue 3 end to end: line 1 escalates to two departments, one returns it as misrouted, the other answers
 * from a template, the applicant rates "not satisfied", the appeal reopens at the superior organisation.
 */
describe('staff workflow (e2e)', () => {
  let stack: TestStack;
  let smtp: SmtpReceiver;
  let operator: SignedIn;
  let housingClerk: SignedIn;
  let roadsClerk: SignedIn;
  let housingColleague: SignedIn;
  let supervisor: SignedIn;
  let org: Record<string, string>;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    stack = await startTestStack({
      worker: true,
      env: {
        // The answer to a phone appeal goes by e-mail: a real SMTP dialogue with a local receiver.
        EMAIL_IMAP_HOST: '127.0.0.1',
        EMAIL_IMAP_PORT: '1',
        EMAIL_IMAP_USER: 'inbox',
        EMAIL_IMAP_PASSWORD: 'unused',
        EMAIL_SMTP_HOST: smtp.host,
        EMAIL_SMTP_PORT: String(smtp.port),
        EMAIL_SMTP_SECURE: 'false',
        EMAIL_FROM_ADDRESS: 'obrashcheniya@region.test',
      },
    });
    const ds = stack.db.dataSource;
    org = {
      region: await idOf(ds, 'organisations', 'region'),
      minzhkh: await idOf(ds, 'organisations', 'minzhkh'),
      mintrans: await idOf(ds, 'organisations', 'mintrans'),
      cur: await idOf(ds, 'organisations', 'cur'),
      housing: await idOf(ds, 'topics', 'housing'),
    };
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    housingClerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
    housingColleague = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
    roadsClerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'mintrans');
    supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'region');
  });
  afterAll(async () => {
    await stack?.close();
    await smtp?.stop();
  });

  const post = (path: string, who: SignedIn, body: unknown = {}) =>
    fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: who.headers, body: JSON.stringify(body) });
  const get = (path: string, who: SignedIn) => fetch(`${stack.baseUrl}${path}`, { headers: who.headers });

  async function registerByPhone(text: string) {
    const res = await post('/api/v1/appeals', operator, {
      medium: 'phone',
      surname: 'Соколова',
      firstName: 'Анна',
      patronymic: 'Игоревна',
      phone: '+7 913 777-66-55',
      email: 'sokolova@example.test',
      subject: 'Нет отопления в квартире',
      text,
      topicId: org.housing,
    });
    expect(res.status).toBe(201);
    return json(res);
  }

  /** The refusal to approve or send a draft its organisation left behind when it returned the appeal. */
  const LEFT_BEHIND_DRAFT =
    'Проект организации, вернувшей обращение (или чьё поручение закрыто), сохранён для сведения: ' +
    'согласовать и отправить его нельзя';

  it('escalates to two departments, takes a return, answers, and re-routes a poor rating upward', async () => {
    const created = await registerByPhone(
      'С 20 ноября в квартире по ул. Гоголя, 3 холодные батареи, УК не реагирует.',
    );

    // S0: escalation needs the topic, the subject and the applicant's name, patronymic and phone — all present.
    expect(
      (
        await post(`/api/v1/appeals/${created.id}/escalate`, operator, {
          organisationIds: [org.minzhkh, org.mintrans],
        })
      ).status,
    ).toBe(204);
    let card = await json(get(`/api/v1/appeals/${created.id}`, supervisor));
    expect(card.status).toBe('escalated');
    expect(card.organisations.map((o: { code: string }) => o.code).sort()).toEqual(
      ['cur', 'minzhkh', 'mintrans'].sort(),
    );

    // The roads department drafts an answer, then returns the appeal as misrouted; the housing department still
    // has it.
    const roadsDraft = await json(
      post(`/api/v1/appeals/${created.id}/answers`, roadsClerk, {
        text: 'Дорожный ответ, оставленный при возврате',
      }),
    );
    expect(roadsDraft).toEqual({ id: expect.any(String) });
    // An earlier one of its drafts was approved before the return (not yet sent).
    const roadsApproved = await json(
      post(`/api/v1/appeals/${created.id}/answers`, roadsClerk, {
        text: 'Дорожный ответ, согласованный до возврата',
      }),
    );
    expect(
      (await post(`/api/v1/appeals/${created.id}/answers/${roadsApproved.id}/approve`, supervisor)).status,
    ).toBe(204);
    expect(
      (await post(`/api/v1/appeals/${created.id}/return`, roadsClerk, { reason: 'Вопрос ЖКХ, не дорожный' }))
        .status,
    ).toBe(204);
    card = await json(get(`/api/v1/appeals/${created.id}`, supervisor));
    expect(card.status).toBe('escalated');
    expect(card.history.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['escalated', 'returned']),
    );
    // The roads department now only reads the appeal, without the applicant's data, and changes nothing.
    const roadsView = await json(get(`/api/v1/appeals/${created.id}`, roadsClerk));
    expect(roadsView.access).toEqual({
      readOnly: true,
      mayChangeContacts: false,
      mayEscalate: false,
      mayRedirect: false,
      mayTake: false,
      mayAnswer: false,
      mayAssign: false,
      mayReturn: false,
      mayExtendAppeal: false,
      mayExtendLine2: false,
      mayClose: false,
      mayRate: false,
    });
    expect(roadsView.applicant).toBeNull();
    expect((await post(`/api/v1/appeals/${created.id}/take`, roadsClerk)).status).toBe(403);
    // The draft it left is kept for reference: nobody approves (and so sends) it, a supervisor neither, and it is
    // in nobody's approval queue (a supervisor could approve and send it).
    const leftBehind = await post(
      `/api/v1/appeals/${created.id}/answers/${roadsDraft.id}/approve`,
      supervisor,
    );
    expect(leftBehind.status).toBe(409);
    expect((await json(leftBehind)).message).toBe(LEFT_BEHIND_DRAFT);
    // Nor is the draft approved before the return sent: the same refusal, and nothing goes to the applicant.
    const sentAfterReturn = await post(
      `/api/v1/appeals/${created.id}/answers/${roadsApproved.id}/send`,
      operator,
    );
    expect(sentAfterReturn.status).toBe(409);
    expect((await json(sentAfterReturn)).message).toBe(LEFT_BEHIND_DRAFT);
    expect(
      await stack.db.dataSource.query(
        `SELECT id FROM outbound_messages WHERE appeal_id = $1 AND kind = 'answer'`,
        [created.id],
      ),
    ).toEqual([]);
    const queue = await json(get('/api/v1/appeals?approval=mine', supervisor));
    expect(queue.items.map((i: { id: string }) => i.id)).not.toContain(created.id);
    // Line 1 closes the returned part rather than re-routing it: the housing part alone is owed.
    expect(
      (
        await post(`/api/v1/appeals/${created.id}/parts/${org.mintrans}/close`, operator, {
          reason: 'Вопрос только ЖКХ',
        })
      ).status,
    ).toBe(204);

    // The housing clerk answers from a template; a colleague approves; it goes out by e-mail.
    const template = await json(
      post('/api/v1/answer-templates', housingClerk, {
        title: 'Отопление: проверка УК',
        body: 'Уважаемая {{applicantName}}! По обращению № {{registrationNumber}} от {{registrationDate}} управляющей компании выдано предписание восстановить отопление.',
        topicId: org.housing,
      }),
    );
    expect(template).toEqual({ id: expect.any(String) });
    const draft = await json(
      post(`/api/v1/appeals/${created.id}/answers`, housingClerk, { templateId: template.id }),
    );
    expect(draft).toEqual({ id: expect.any(String) });
    expect(
      (await post(`/api/v1/appeals/${created.id}/answers/${draft.id}/approve`, housingClerk)).status,
    ).toBe(403);
    expect(
      (await post(`/api/v1/appeals/${created.id}/answers/${draft.id}/approve`, housingColleague)).status,
    ).toBe(204);
    expect((await post(`/api/v1/appeals/${created.id}/answers/${draft.id}/send`, housingClerk)).status).toBe(
      204,
    );
    const mail = await eventually(async () => smtp.accepted()[0]);
    const raw = mail.raw.toString('utf8');
    expect(mail.to).toEqual(['sokolova@example.test']);
    expect(raw).toMatch(/Message-ID:/i);
    await eventually(async () => {
      const c = await json(get(`/api/v1/appeals/${created.id}`, supervisor));
      return c.history.some((e: { type: string }) => e.type === 'delivered') ? c : undefined;
    });

    // The applicant: "not satisfied" → reopened at the superior organisation with a fresh 30-day term.
    const rated = await publicRating(stack.baseUrl, created.registrationNumber, created.accessCode, {
      answered: false,
      satisfaction: 'not-satisfied',
    });
    expect(rated.status).toBe(200);
    card = await json(get(`/api/v1/appeals/${created.id}`, supervisor));
    expect(card.status).toBe('reopened');
    expect(card.organisationId).toBe(org.region);
    const calendar = ProductionCalendar.russian();
    let expectedDue = addCalendarDays(localDateOf(new Date(), 'Asia/Novosibirsk'), 30);
    while (!calendar.isWorkingDay(expectedDue)) expectedDue = addCalendarDays(expectedDue, -1);
    expect(card.answerDueDate).toBe(expectedDue);
    const records = await stack.db.dataSource.query(
      `SELECT organisation_id, topic_id, superior_organisation_id, answer_id FROM poor_rating_records WHERE appeal_id = $1`,
      [created.id],
    );
    expect(records).toEqual([
      {
        organisation_id: org.minzhkh,
        topic_id: org.housing,
        superior_organisation_id: org.region,
        answer_id: draft.id,
      },
    ]);
  });

  it('refuses to escalate without the fields S0 requires, naming each', async () => {
    const res = await post('/api/v1/appeals', operator, {
      medium: 'post',
      surname: 'Орлов',
      firstName: 'Пётр',
      subject: 'Благоустройство двора',
      text: 'Прошу установить скамейки во дворе дома 8 по ул. Мира.',
    });
    const created = await json(res);
    const refused = await post(`/api/v1/appeals/${created.id}/escalate`, operator, {
      organisationIds: [org.minzhkh],
    });
    expect(refused.status).toBe(400);
    expect((await json(refused)).errors).toEqual({
      topicId: 'Укажите тему обращения',
      'applicant.patronymic': 'В карточке нет отчества заявителя',
      'applicant.phone': 'В карточке нет телефона заявителя',
    });
  });

  it('refuses to escalate to the management centre itself: its line-1 part stays line 1', async () => {
    const created = await registerByPhone('Прошу сообщить часы работы приёмной Правительства области.');
    const refused = await post(`/api/v1/appeals/${created.id}/escalate`, operator, {
      organisationIds: [org.minzhkh, org.cur],
    });
    expect(refused.status).toBe(400);
    expect((await json(refused)).errors).toEqual({ organisationIds: expect.stringMatching(/2-й линии/) });
    const card = await json(get(`/api/v1/appeals/${created.id}`, supervisor));
    expect(card.status).not.toBe('escalated');
    expect(card.organisations.map((o: { code: string; line: number }) => [o.code, o.line])).toEqual([
      ['cur', 1],
    ]);
  });

  it('hides an appeal of organisation A from a clerk of B by id, by filter and by search, and audits it', async () => {
    const created = await registerByPhone(
      'Протекает крыша над подъездом дома 12 по ул. Кирова, вода на лестнице.',
    );
    await post(`/api/v1/appeals/${created.id}/escalate`, operator, { organisationIds: [org.minzhkh] });

    expect((await get(`/api/v1/appeals/${created.id}`, housingClerk)).status).toBe(200);
    expect((await get(`/api/v1/appeals/${created.id}`, roadsClerk)).status).toBe(404);
    const filtered = await json(get(`/api/v1/appeals?organisationId=${org.minzhkh}`, roadsClerk));
    expect(filtered.items.map((i: { id: string }) => i.id)).not.toContain(created.id);
    const searched = await json(get(`/api/v1/appeals?q=${encodeURIComponent('крыша подъезд')}`, roadsClerk));
    expect(searched.items).toEqual([]);
    const found = await json(get(`/api/v1/appeals?q=${encodeURIComponent('крыша подъезд')}`, supervisor));
    expect(found.items.map((i: { id: string }) => i.id)).toContain(created.id);
    expect((await get(`/api/v1/appeals/${created.id}`, supervisor)).status).toBe(200);
    // A change is refused the same way.
    expect((await post(`/api/v1/appeals/${created.id}/take`, roadsClerk)).status).toBe(404);

    const denied = await stack.db.dataSource.query(
      `SELECT action, entity_type, entity_id FROM audit_log
        WHERE user_id = $1 AND outcome = 'denied' AND entity_id = ANY($2) ORDER BY id`,
      [roadsClerk.userId, [created.id, org.minzhkh]],
    );
    expect(denied).toEqual([
      { action: 'read-appeal-card', entity_type: 'appeal', entity_id: created.id },
      { action: 'list-appeals', entity_type: 'organisation', entity_id: org.minzhkh },
      { action: 'take', entity_type: 'appeal', entity_id: created.id },
    ]);
    const reads = await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE user_id = $1 AND action = 'read-appeal-card' AND outcome = 'ok'`,
      [supervisor.userId],
    );
    expect(reads[0].n).toBeGreaterThan(0);
    await expect(stack.db.dataSource.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);

    // An administrator runs the system but never sees an applicant's personal data.
    const admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'region');
    const adminCard = await json(get(`/api/v1/appeals/${created.id}`, admin));
    expect(adminCard.registrationNumber).toBe(created.registrationNumber);
    expect(adminCard.applicant).toBeNull();
  });

  it('extends a 59-ФЗ term once and refuses a second extension', async () => {
    const created = await registerByPhone(
      'Прошу проверить начисления за отопление за октябрь по лицевому счёту.',
    );
    await post(`/api/v1/appeals/${created.id}/take`, operator);
    // Due 30.12.2026: 10 days more end in the New Year break, and the working day before it is the 30th again —
    // refused, and the one extension is not spent on nothing.
    await stack.db.dataSource.query(`UPDATE appeals SET answer_due_date = '2026-12-30' WHERE id = $1`, [
      created.id,
    ]);
    const nothing = await post(`/api/v1/appeals/${created.id}/extend`, operator, {
      kind: 'appeal',
      days: 10,
      reason: 'Запрошены документы в УК',
    });
    expect(nothing.status).toBe(409);
    expect((await json(nothing)).message).toBe(
      'Продление на 10 дн. не переносит срок: он приходится на нерабочие дни, и срок остаётся 30.12.2026. Укажите больше дней',
    );
    const first = await post(`/api/v1/appeals/${created.id}/extend`, operator, {
      kind: 'appeal',
      days: 30,
      reason: 'Запрошены документы в УК',
    });
    expect(first.status).toBe(204);
    const second = await post(`/api/v1/appeals/${created.id}/extend`, operator, {
      kind: 'appeal',
      days: 5,
      reason: 'Ещё раз',
    });
    expect(second.status).toBe(409);
    expect((await json(second)).message).toContain('одно продление');
  });

  it('refuses a sign-in with a wrong password and requests without a token', async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: operator.login, password: 'wrong' }),
    });
    expect(res.status).toBe(401);
    expect((await fetch(`${stack.baseUrl}/api/v1/appeals`)).status).toBe(401);
  });
});
