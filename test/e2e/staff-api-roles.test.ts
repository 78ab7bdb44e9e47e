import { randomUUID } from 'node:crypto';
import { Role } from '@inbox/access';
import { AppealRegistrar } from '@inbox/appeals';
import { ClassificationPipeline } from '@inbox/classification';
import { Incidents } from '@inbox/incidents';
import { InboundStore } from '@inbox/intake';
import { Channel } from '@inbox/integrations/contract';
import { inboundItem } from '../factories/inbound-items';
import { type SignedIn, signInAs } from '../factories/staff';
import { restoreEnvironmentAfterBlock } from '../support/folded-files';
import { staffStack } from '../support/staff-stack';
import { json } from '../support/test-stack';

/*
 * Four files folded into one (answer-organisation-scope, knowledge-gaps, card-and-search and collaboration): jest
 * loads the api's and the worker's modules once for them, not four times. Each describe block keeps its own
 * stack, context or database, and gets the environment back as it was when it ends.
 */

/**
 * An appeal split between two ministries: each part's answer is that ministry's. Another ministry's staff, who see
 * the appeal for their own part, may not edit, approve, send or mark handed over its answer — a supervisor of the
 * roads ministry approved the housing ministry's draft, and a roads clerk sent it. And an answer id is bound to
 * the appeal in the path: through an appeal of one's own, another organisation's answer was marked handed over.
 */
describe("another organisation's answer, through a shared or an own appeal (e2e)", () => {
  restoreEnvironmentAfterBlock();
  const t = staffStack({
    organisations: { minzhkh: 'minzhkh', mintrans: 'mintrans' },
    topics: { housing: 'housing' },
    staff: {
      operator: [Role.Operator, 'cur'],
      housingClerk: [Role.Clerk, 'minzhkh'],
      housingColleague: [Role.Clerk, 'minzhkh'],
      roadsClerk: [Role.Clerk, 'mintrans'],
      roadsSupervisor: [Role.Supervisor, 'mintrans'],
    },
  });
  const { ids: org, staff, call } = t;
  const status = async (res: Promise<Response>) => {
    const r = await res;
    return [r.status, r.status === 204 ? undefined : ((await r.json()) as { message: string }).message];
  };

  /** A phone appeal line 1 registered and escalated to the given ministries. */
  async function phoneAppeal(organisationIds: string[]): Promise<string> {
    const created = await call('POST', '/api/v1/appeals', staff.operator, {
      medium: 'phone',
      surname: 'Орлов',
      firstName: 'Пётр',
      patronymic: 'Ильич',
      phone: '+7 913 222-11-01',
      subject: 'Нет горячей воды, яма у подъезда',
      text: 'Звонок: в доме по ул. Мира, 8 неделю нет горячей воды, у подъезда яма на дороге.',
    });
    expect(created.status).toBe(201);
    const { id } = (await json(created)) as { id: string };
    const escalated = await call('POST', `/api/v1/appeals/${id}/escalate`, staff.operator, {
      organisationIds,
      topicId: org.housing,
      subject: 'Нет горячей воды, яма у подъезда',
    });
    expect([escalated.status, escalated.status === 204 ? '' : await escalated.text()]).toEqual([204, '']);
    return id;
  }

  it('keeps the answer to its own organisation: edit, approval, sending and hand-over', async () => {
    const shared = await phoneAppeal([org.minzhkh, org.mintrans]);
    const draft = (await json(
      call('POST', `/api/v1/appeals/${shared}/answers`, staff.housingClerk, {
        text: 'Горячая вода подана, управляющей компании выдано предписание.',
      }),
    )) as { id: string };
    const path = `/api/v1/appeals/${shared}/answers/${draft.id}`;
    // The roads ministry sees the appeal for its own part...
    expect((await call('GET', `/api/v1/appeals/${shared}`, staff.roadsSupervisor)).status).toBe(200);
    // ...but the housing ministry's draft is not its to change or approve.
    expect(await status(call('PATCH', path, staff.roadsSupervisor, { text: 'Чужая правка ответа' }))).toEqual(
      [403, 'Править проект может его автор или руководитель подразделения'],
    );
    expect(await status(call('POST', `${path}/approve`, staff.roadsSupervisor))).toEqual([
      403,
      'Согласовать ответ может руководитель или другой сотрудник организации',
    ]);
    expect(await status(call('POST', `${path}/discard`, staff.roadsSupervisor))).toEqual([
      403,
      'Отменить проект может его автор или руководитель подразделения',
    ]);
    expect(await status(call('POST', `${path}/approve`, staff.housingColleague))).toEqual([204, undefined]);
    const other = 'Ответ другой организации: его отправляет организация, давшая ответ';
    expect(await status(call('POST', `${path}/send`, staff.roadsClerk))).toEqual([403, other]);
    expect(await status(call('POST', `${path}/send`, staff.housingClerk))).toEqual([204, undefined]);
    const handover = { medium: 'phone' };
    expect(await status(call('POST', `${path}/handed-over`, staff.roadsClerk, handover))).toEqual([
      403,
      other,
    ]);

    // The roads clerk's own appeal in the path, the housing ministry's answer id after it.
    const own = await phoneAppeal([org.mintrans]);
    expect(
      await status(
        call('POST', `/api/v1/appeals/${own}/answers/${draft.id}/handed-over`, staff.roadsClerk, handover),
      ),
    ).toEqual([404, 'Ответ не найден']);
    const state = async () =>
      (await t.stack.db.dataSource.query(
        `SELECT delivery_state AS s FROM outbound_messages WHERE answer_id = $1`,
        [draft.id],
      )) as { s: string }[];
    expect(await state()).toEqual([{ s: 'awaiting-handover' }]);
    // Line 1 reads it out to the caller, as before.
    expect(await status(call('POST', `${path}/handed-over`, staff.operator, handover))).toEqual([
      204,
      undefined,
    ]);
    expect(await state()).toEqual([{ s: 'handed-over:phone' }]);
    // Nothing of the refused attempts is in the appeals' histories: one hand-over, on the shared appeal.
    expect(
      await t.stack.db.dataSource.query(
        `SELECT appeal_id AS "appealId" FROM appeal_events WHERE type = 'answer-handed-over' AND appeal_id = ANY($1)`,
        [[shared, own]],
      ),
    ).toEqual([{ appealId: shared }]);
  });

  // The failed-deliveries queue acts on an answer's delivery too: a roads clerk marked the housing ministry's
  // interrupted answer delivered (the citizen may never have had it) and sent it again.
  it("leaves another organisation's answer delivery alone: no retry, no «доставлено»", async () => {
    const shared = await phoneAppeal([org.minzhkh, org.mintrans]);
    const draft = (await json(
      call('POST', `/api/v1/appeals/${shared}/answers`, staff.housingClerk, { text: 'Горячая вода подана.' }),
    )) as { id: string };
    const answer = `/api/v1/appeals/${shared}/answers/${draft.id}`;
    expect(await status(call('POST', `${answer}/approve`, staff.housingColleague))).toEqual([204, undefined]);
    expect(await status(call('POST', `${answer}/send`, staff.housingClerk))).toEqual([204, undefined]);
    // Its delivery was interrupted: held as failed until someone finds out whether the citizen has it.
    // (TypeORM answers an UPDATE with [rows, count].)
    const [[message]] = (await t.stack.db.dataSource.query(
      `UPDATE outbound_messages SET status = 'failed', send_interrupted_at = now() WHERE answer_id = $1 RETURNING id`,
      [draft.id],
    )) as [{ id: string }[], number];
    const deliveries = `/api/v1/appeals/${shared}/deliveries/${message.id}`;
    // The queue lists it for the housing ministry, not for the roads ministry, whose part it is not.
    const queued = async (who: typeof staff.roadsClerk) =>
      ((await json(call('GET', '/api/v1/deliveries/failed', who))) as { id: string }[]).some(
        (m) => m.id === message.id,
      );
    expect([await queued(staff.housingClerk), await queued(staff.roadsClerk)]).toEqual([true, false]);
    const other = 'Ответ другой организации: его отправляет организация, давшая ответ';
    for (const action of ['mark-delivered', 'retry'])
      expect([action, ...(await status(call('POST', `${deliveries}/${action}`, staff.roadsClerk)))]).toEqual([
        action,
        403,
        other,
      ]);
    const denied = (await t.stack.db.dataSource.query(
      `SELECT action FROM audit_log WHERE user_id = $1 AND entity_id = $2 AND outcome = 'denied' ORDER BY id`,
      [staff.roadsClerk.userId, shared],
    )) as { action: string }[];
    expect(denied.map((d) => d.action)).toEqual(['mark-delivered', 'retry-delivery']);
    const [state] = (await t.stack.db.dataSource.query(`SELECT status FROM outbound_messages WHERE id = $1`, [
      message.id,
    ])) as { status: string }[];
    expect(state.status).toBe('failed');
    // The housing ministry, whose answer it is, marks it delivered.
    expect(await status(call('POST', `${deliveries}/mark-delivered`, staff.housingClerk))).toEqual([
      204,
      undefined,
    ]);
  });
});

/**
 * Gaps in the knowledge base from the appeals (R8): repeated questions that the topic owner's KB does not
 * answer are grouped and suggested; a clerk's answer "worth adding" becomes a request with an FAQ draft
 * (the applicant's salutation left out) and the appeal linked; appeals outside the scope never show.
 */
describe('knowledge base gaps', () => {
  restoreEnvironmentAfterBlock();
  const t = staffStack({
    organisations: { minzhkh: 'minzhkh', mintrans: 'mintrans' },
    topics: { housing: 'housing', roads: 'roads' },
    staff: {
      operator: [Role.Operator, 'cur'],
      housingClerk: [Role.Clerk, 'minzhkh'],
      housingHead: [Role.Head, 'minzhkh'],
      roadsClerk: [Role.Clerk, 'mintrans'],
      admin: [Role.Admin, 'region'],
    },
  });
  const { ids: org, staff, call } = t;

  async function register(subject: string, text: string, topicId: string): Promise<string> {
    const res = await call('POST', '/api/v1/appeals', staff.operator, {
      medium: 'phone',
      surname: 'Соколова',
      firstName: 'Анна',
      patronymic: 'Игоревна',
      phone: '+7 913 777-66-55',
      subject,
      text,
      topicId,
    });
    expect(res.status).toBe(201);
    return (await json(res)).id;
  }

  it("suggests repeated questions the owner has no article for, within the caller's scope", async () => {
    const ids: string[] = [];
    for (const street of ['Ленина, 5', 'Гоголя, 3', 'Мира, 12']) {
      ids.push(
        await register(
          'Перерасчёт платы за отопление',
          `Дом по ул. ${street}: всю зиму в квартире холодно. Положен ли перерасчёт платы за отопление и как его получить?`,
          org.housing,
        ),
      );
    }
    await register(
      'Яма на дороге',
      'На ул. Ленина яма на проезжей части, машины пробивают колёса.',
      org.roads,
    );

    const groups = await json(call('GET', '/api/v1/knowledge/gaps/repeated', staff.operator));
    expect(groups).toEqual([
      expect.objectContaining({
        reason: 'no-article-for-topic',
        organisationId: org.minzhkh,
        topicId: org.housing,
        count: 3,
        suggestedSubject: 'ЖКХ: Перерасчёт платы за отопление',
      }),
    ]);
    expect([...groups[0].appealIds].sort()).toEqual([...ids].sort());
    // The roads clerk's scope holds none of them.
    expect(await json(call('GET', '/api/v1/knowledge/gaps/repeated', staff.roadsClerk))).toEqual([]);

    // One click: a request from the appeals stream, with the appeals linked; they are no longer suggested.
    const request = await json(
      call('POST', '/api/v1/knowledge/requests', staff.operator, {
        organisationId: org.minzhkh,
        subject: groups[0].suggestedSubject,
        appealIds: groups[0].appealIds,
        fromAppealsStream: true,
      }),
    );
    expect(request).toMatchObject({ origin: 'appeals-stream', status: 'sent', organisationId: org.minzhkh });
    expect(await json(call('GET', '/api/v1/knowledge/gaps/repeated', staff.operator))).toEqual([]);
    // The department head may approve it in the responsible person's stead, with the text written now.
    const approved = await json(
      call('POST', `/api/v1/knowledge/requests/${request.id}/approve`, staff.housingHead, {
        proposed: {
          kind: 'faq',
          title: 'Перерасчёт за некачественное отопление',
          question: 'Положен ли перерасчёт платы за отопление, если в квартире холодно?',
          body: 'Да: по акту замера температуры плата снижается на 0,15 % за каждый градус ниже нормы за каждый час.',
          topicId: org.housing,
        },
      }),
    );
    // The organisation had no section for the topic: one named after it holds the new article.
    expect(approved).toMatchObject({ status: 'approved', sectionTitle: 'ЖКХ' });
  });

  it('turns an answer worth adding into a request with an FAQ draft, the appeal linked', async () => {
    const appealId = await register(
      'Когда включат отопление',
      'Когда в нашем доме включат отопление? На улице уже холодно.',
      org.housing,
    );
    expect(
      (
        await call('POST', `/api/v1/appeals/${appealId}/escalate`, staff.operator, {
          organisationIds: [org.minzhkh],
        })
      ).status,
    ).toBe(204);
    const { id: answerId } = await json(
      call('POST', `/api/v1/appeals/${appealId}/answers`, staff.housingClerk, {
        text: 'Уважаемая Анна Игоревна!\nОтопительный период начинается после пяти дней со среднесуточной температурой ниже +8 °C.',
      }),
    );
    // Another organisation's clerk cannot offer this appeal's answer.
    expect(
      (
        await call('POST', `/api/v1/knowledge/appeals/${appealId}/worth-adding`, staff.roadsClerk, {
          answerId,
        })
      ).status,
    ).toBe(404);
    const res = await call('POST', `/api/v1/knowledge/appeals/${appealId}/worth-adding`, staff.housingClerk, {
      answerId,
      comment: 'Часто спрашивают осенью',
    });
    expect(res.status).toBe(201);
    const request = await json(res);
    expect(request).toMatchObject({
      origin: 'worth-adding',
      status: 'sent',
      organisationId: org.minzhkh,
      appealIds: [appealId],
      proposed: {
        kind: 'faq',
        question: 'Когда включат отопление',
        body: 'Отопительный период начинается после пяти дней со среднесуточной температурой ниже +8 °C.',
      },
    });
    expect(request.details).toContain('Часто спрашивают осенью');
    // On an appeal both departments hold, the other one's clerk may not offer this department's answer: refused,
    // and on record as denied with the answering organisation.
    const shared = await register(
      'Холодно в квартире',
      'В квартире холодно, а во дворе яма на дороге.',
      org.housing,
    );
    await call('POST', `/api/v1/appeals/${shared}/escalate`, staff.operator, {
      organisationIds: [org.minzhkh, org.mintrans],
    });
    const { id: housingAnswer } = await json(
      call('POST', `/api/v1/appeals/${shared}/answers`, staff.housingClerk, { text: 'Ответ по отоплению.' }),
    );
    expect(
      (
        await call('POST', `/api/v1/knowledge/appeals/${shared}/worth-adding`, staff.roadsClerk, {
          answerId: housingAnswer,
        })
      ).status,
    ).toBe(403);
    expect(
      await t.stack.db.dataSource.query(
        `SELECT entity_id AS "entityId", details FROM audit_log
          WHERE user_id = $1 AND action = 'kb-worth-adding' AND outcome = 'denied' ORDER BY id`,
        [staff.roadsClerk.userId],
      ),
    ).toEqual([
      { entityId: appealId, details: {} },
      { entityId: shared, details: { organisationId: org.minzhkh } },
    ]);
    // Once is enough while the request is open.
    expect(
      (
        await call('POST', `/api/v1/knowledge/appeals/${appealId}/worth-adding`, staff.housingClerk, {
          answerId,
        })
      ).status,
    ).toBe(409);
  });

  it("shows an administrator a request from an answer without the applicant's name, phone or e-mail", async () => {
    const appealId = await register(
      'Не вывозят мусор',
      'Третью неделю не вывозят мусор во дворе.',
      org.housing,
    );
    await call('POST', `/api/v1/appeals/${appealId}/escalate`, staff.operator, {
      organisationIds: [org.minzhkh],
    });
    // The answer as its clerk wrote it, the applicant's name and phone in it; the request proposes it until cleaned.
    const text =
      'График вывоза восстановлен. Соколова Анна, по вопросам звоните +7 913 777-66-55 или пишите sokolova@example.ru.';
    const { id: answerId } = await json(
      call('POST', `/api/v1/appeals/${appealId}/answers`, staff.housingClerk, { text }),
    );
    const created = await json(
      call('POST', `/api/v1/knowledge/appeals/${appealId}/worth-adding`, staff.housingClerk, { answerId }),
    );
    const personal = ['Соколова', '777-66-55', 'sokolova@example.ru'];
    const leaks = (value: unknown) => personal.filter((p) => JSON.stringify(value).includes(p));
    // Its organisation's staff read it whole (they clean it) …
    expect(
      leaks(await json(call('GET', `/api/v1/knowledge/requests/${created.id}`, staff.housingClerk))),
    ).toEqual(personal);
    // … an administrator, as the inbox, masked: before, the list and the request gave all three.
    const one = await json(call('GET', `/api/v1/knowledge/requests/${created.id}`, staff.admin));
    expect(one.proposed.body).toBe(
      'График вывоза восстановлен. [имя скрыто], по вопросам звоните [телефон скрыт] или пишите [e-mail скрыт]',
    );
    expect(leaks(await json(call('GET', '/api/v1/knowledge/requests', staff.admin)))).toEqual([]);
  });
});

/**
 * Issue 12, build items 1, 6 and 8: an incomplete card is completed (not refused after the fact), search
 * finds anything within the scope and is audited, and clocks tell the truth.
 */
describe('complete card, search, honest clocks (e2e)', () => {
  restoreEnvironmentAfterBlock();
  const t = staffStack({
    env: { ESCALATION_CLOCK_CHANNELS: 'operator,telegram' },
    organisations: { minzhkh: 'minzhkh', mintrans: 'mintrans' },
    topics: { housing: 'housing' },
    staff: {
      operator: [Role.Operator, 'cur'],
      housingClerk: [Role.Clerk, 'minzhkh'],
      roadsClerk: [Role.Clerk, 'mintrans'],
      admin: [Role.Admin, 'cur'],
      centreHead: [Role.Head, 'cur'],
    },
  });
  const { ids: org, staff, call } = t;

  /** A Telegram message as it arrives: a display name, no patronymic, no phone, no subject. */
  async function fromTelegram(overrides: Parameters<typeof inboundItem>[0] = {}) {
    const [stored] = await t.stack.api.get(InboundStore).store(
      [
        inboundItem({
          channel: Channel.Telegram,
          externalId: `tg-${randomUUID()}`,
          regime: 'appeal',
          author: { externalId: `tg-user-${randomUUID()}`, displayName: 'Андрей', firstName: 'Андрей' },
          text: 'Во дворе дома 5 по ул. Ленина третий день не вывозят мусор, контейнеры переполнены.',
          ...overrides,
        }),
      ],
      { enqueue: false },
    );
    const outcome = await t.stack.api.get(AppealRegistrar).registerInboundItem(stored.inboundItemId);
    if (outcome.kind !== 'registered') throw new Error(outcome.kind);
    return outcome;
  }

  /** Line 1 passes the appeal to both ministries, completing the applicant's data. */
  async function toBothMinistries(appealId: string, applicant: Record<string, string>) {
    const escalated = await call('POST', `/api/v1/appeals/${appealId}/escalate`, staff.operator, {
      organisationIds: [org.minzhkh, org.mintrans],
      topicId: org.housing,
      subject: 'Мусор',
      applicant,
    });
    expect(escalated.status).toBe(204);
  }

  it('asks for what escalation lacks, takes it on the card or with the escalation, with history and audit', async () => {
    const appeal = await fromTelegram();
    const card = await json(call('GET', `/api/v1/appeals/${appeal.appealId}`, staff.operator));
    expect(card.escalationRequires).toEqual({
      topicId: 'Укажите тему обращения',
      subject: 'Укажите суть вопроса',
      'applicant.patronymic': 'В карточке нет отчества заявителя',
      'applicant.phone': 'В карточке нет телефона заявителя',
    });

    const updated = await call('PATCH', `/api/v1/appeals/${appeal.appealId}/card`, staff.operator, {
      subject: 'Не вывозят мусор',
      applicant: { surname: 'Кузнецов', patronymic: 'Петрович', phone: '8 (913) 555-44-33' },
    });
    expect(updated.status).toBe(200);
    expect(await json(updated)).toEqual({
      fields: ['applicant.surname', 'applicant.patronymic', 'applicant.phone', 'subject'],
    });
    const bad = await call('PATCH', `/api/v1/appeals/${appeal.appealId}/card`, staff.operator, {
      applicant: { phone: 'позвонить' },
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors['applicant.phone']).toBeDefined();

    const completed = await json(call('GET', `/api/v1/appeals/${appeal.appealId}`, staff.operator));
    expect(completed.applicant).toMatchObject({
      surname: 'Кузнецов',
      patronymic: 'Петрович',
      phone: '+79135554433',
    });
    expect(completed.subject).toBe('Не вывозят мусор');
    expect(completed.escalationRequires).toEqual({ topicId: 'Укажите тему обращения' });
    const event = completed.history.find((e: { type: string }) => e.type === 'card-updated');
    expect(event.data.fields).toContain('applicant.phone');
    expect(JSON.stringify(event.data)).not.toContain('5554433');
    const [audit] = (await t.stack.db.dataSource.query(
      `SELECT outcome FROM audit_log WHERE user_id = $1 AND action = 'update-card' AND entity_id = $2`,
      [staff.operator.userId, appeal.appealId],
    )) as { outcome: string }[];
    expect(audit).toEqual({ outcome: 'ok' });

    // The last missing piece comes with the escalation itself.
    const other = await fromTelegram();
    const escalated = await call('POST', `/api/v1/appeals/${other.appealId}/escalate`, staff.operator, {
      organisationIds: [org.minzhkh],
      topicId: org.housing,
      subject: 'Мусор',
      applicant: { patronymic: 'Сергеевич', phone: '+7 913 000-11-22' },
    });
    expect(escalated.status).toBe(204);
    // A clerk of another organisation cannot touch the card.
    expect(
      (await call('PATCH', `/api/v1/appeals/${other.appealId}/card`, staff.roadsClerk, { subject: 'Чужое' }))
        .status,
    ).toBe(404);
  });

  it("lets only line 1 and the lead organisation change the applicant's contacts, said in the history without them", async () => {
    const appeal = await fromTelegram({
      author: { externalId: `tg-user-${randomUUID()}`, firstName: 'Ольга', email: 'olga@example.test' },
    });
    await toBothMinistries(appeal.appealId, { patronymic: 'Ивановна', phone: '+7 913 700-11-22' });
    const patch = async (who: SignedIn, body: unknown) => {
      const res = await call('PATCH', `/api/v1/appeals/${appeal.appealId}/card`, who, body);
      return { status: res.status, message: ((await res.json()) as { message?: string }).message };
    };
    const refused = {
      status: 403,
      message:
        'Контакты заявителя (телефон, e-mail, почтовый адрес) меняют 1-я линия и ведущая обращение организация',
    };
    /** What the card tells each viewer they may do with the contacts: the screen offers no more. */
    const mayChange = async (who: SignedIn) =>
      (await json(call('GET', `/api/v1/appeals/${appeal.appealId}`, who))).access.mayChangeContacts;
    expect(await mayChange(staff.operator)).toBe(true);
    expect(await mayChange(staff.housingClerk)).toBe(false);
    expect(await mayChange(staff.roadsClerk)).toBe(false);
    expect(await mayChange(staff.admin)).toBe(false);
    // A co-executing ministry and the administrator may not redirect where the answer goes.
    expect(await patch(staff.housingClerk, { applicant: { email: 'evil@example.test' } })).toEqual(refused);
    expect(await patch(staff.roadsClerk, { applicant: { phone: '+79990001122' } })).toEqual(refused);
    expect(await patch(staff.admin, { applicant: { email: 'evil@example.test' } })).toEqual(refused);
    // The postal address is where a letter goes: the same rule.
    const letterTo = { applicant: { postalAddress: 'г. Новосибирск, ул. Чужая, 1' } };
    expect(await patch(staff.housingClerk, letterTo)).toEqual(refused);
    expect(await patch(staff.admin, letterTo)).toEqual(refused);
    const [{ denied }] = (await t.stack.db.dataSource.query(
      `SELECT count(*)::int AS denied FROM audit_log WHERE action = 'update-card' AND entity_id = $1 AND outcome = 'denied'`,
      [appeal.appealId],
    )) as { denied: number }[];
    expect(denied).toBe(5);
    // The rest of the card stays theirs to complete; the same phone again is no change of contacts.
    expect((await patch(staff.housingClerk, { subject: 'Не вывозят мусор' })).status).toBe(200);
    expect((await patch(staff.housingClerk, { applicant: { phone: '+79137001122' } })).status).toBe(200);
    // Line 1 may; the history says the contacts changed, not what they were or are.
    expect((await patch(staff.operator, { applicant: { email: 'olga.new@example.test' } })).status).toBe(200);
    const ownAddress = { applicant: { postalAddress: 'г. Новосибирск, ул. Ленина, 5, кв. 12' } };
    expect((await patch(staff.operator, ownAddress)).status).toBe(200);
    // So may the lead organisation's clerk (here the ministry leads the appeal).
    await t.stack.db.dataSource.query(`UPDATE appeals SET organisation_id = $2 WHERE id = $1`, [
      appeal.appealId,
      org.minzhkh,
    ]);
    expect(await mayChange(staff.housingClerk)).toBe(true);
    expect(await mayChange(staff.roadsClerk)).toBe(false);
    expect((await patch(staff.housingClerk, { applicant: { phone: '+79137003344' } })).status).toBe(200);
    expect((await patch(staff.roadsClerk, { applicant: { phone: '+79990001122' } })).status).toBe(403);
    const card = await json(call('GET', `/api/v1/appeals/${appeal.appealId}`, staff.operator));
    expect(card.applicant).toMatchObject({
      email: 'olga.new@example.test',
      phone: '+79137003344',
      postalAddress: ownAddress.applicant.postalAddress,
    });
    const changes = card.history.filter((e: { type: string }) => e.type === 'contacts-changed');
    // Added with the escalation, changed by line 1 (twice), changed by the lead organisation.
    expect(changes.map((e: { data: { fields: string[] } }) => e.data.fields.join()).sort()).toEqual([
      'applicant.email',
      'applicant.phone',
      'applicant.phone',
      'applicant.postalAddress',
    ]);
    expect(JSON.stringify(card.history)).not.toMatch(/olga|7001122|7003344|Ленина, 5|Чужая/);
  });

  it('offers the hand-over to line 2 only to those the command lets hand it over', async () => {
    const appeal = await fromTelegram();
    const mayEscalate = async (who: SignedIn) =>
      (await json(call('GET', `/api/v1/appeals/${appeal.appealId}`, who))).access.mayEscalate;
    expect(await mayEscalate(staff.operator)).toBe(true);
    // An administrator keeps accounts and settings, not appeals: the hand-over is not theirs either.
    expect(await mayEscalate(staff.admin)).toBe(false);
    // A head saw «Передать на 2-ю линию» and got a 403 for pressing it.
    expect(await mayEscalate(staff.centreHead)).toBe(false);
    const escalate = await call('POST', `/api/v1/appeals/${appeal.appealId}/escalate`, staff.centreHead, {
      organisationIds: [org.minzhkh],
    });
    expect(escalate.status).toBe(403);
  });

  it("offers each of the card's actions to the roles whose command allows it, and a message no 59-ФЗ extension", async () => {
    const appeal = await fromTelegram();
    await toBothMinistries(appeal.appealId, { patronymic: 'Андреевич', phone: '+7 913 700-55-66' });
    const supervisor = await signInAs(t.stack.api, t.stack.baseUrl, Role.Supervisor, 'region');
    const access = async (who: SignedIn) =>
      (await json(call('GET', `/api/v1/appeals/${appeal.appealId}`, who))).access;
    const roles = { admin: staff.admin, supervisor, head: staff.centreHead, clerk: staff.housingClerk };
    const offered: Record<string, string[]> = {};
    for (const [role, who] of Object.entries({ ...roles, operator: staff.operator }))
      offered[role] = Object.entries(await access(who))
        .filter(([name, may]) => name !== 'readOnly' && may === true)
        .map(([name]) => name)
        .sort();
    // Line 1 and the region's supervisor: everything but a line-2 part's own actions.
    const whole = [
      'mayAnswer',
      'mayAssign',
      'mayChangeContacts',
      'mayClose',
      'mayEscalate',
      'mayExtendAppeal',
      'mayRate',
      'mayRedirect',
      'mayTake',
    ];
    expect(offered).toEqual({
      // An administrator's card offered «Взять в работу», the answer form, then the hand-over, the assignment and
      // the 59-ФЗ extension, none of which is theirs: they run the system.
      admin: [],
      supervisor: whole,
      // The centre's head: the appeal is line 1's (the centre's) to lead; the head does not hand it to line 2.
      head: whole.filter((may) => may !== 'mayEscalate' && may !== 'mayRate'),
      clerk: [
        'mayAnswer',
        'mayAssign',
        'mayClose',
        'mayExtendAppeal',
        'mayExtendLine2',
        'mayReturn',
        'mayTake',
      ],
      operator: whole,
    });
    // What is not offered is refused, in Russian; what is offered is done.
    const take = await call('POST', `/api/v1/appeals/${appeal.appealId}/take`, staff.admin);
    expect([take.status, (await json(take)).message]).toEqual([
      403,
      expect.stringMatching(/^Администратор не/),
    ]);
    const close = await call('POST', `/api/v1/appeals/${appeal.appealId}/close`, staff.admin, {});
    expect(close.status).toBe(403);
    const draft = await call('POST', `/api/v1/appeals/${appeal.appealId}/answers`, staff.admin, {
      text: 'Ответ',
    });
    expect(draft.status).toBe(403);
    // Nor registering, handing to line 2, assigning, extending or approving: each refused, the appeal unchanged.
    const adminTries = {
      register: call('POST', '/api/v1/appeals', staff.admin, {
        medium: 'phone',
        surname: 'Орлов',
        firstName: 'Пётр',
        subject: 'Мусор',
        text: 'Звонок: не вывозят мусор.',
      }),
      escalate: call('POST', `/api/v1/appeals/${appeal.appealId}/escalate`, staff.admin, {
        organisationIds: [org.minzhkh],
      }),
      assign: call('POST', `/api/v1/appeals/${appeal.appealId}/assign`, staff.admin, {
        userId: staff.housingClerk.userId,
      }),
      extend: call('POST', `/api/v1/appeals/${appeal.appealId}/extend`, staff.admin, {
        kind: 'appeal',
        days: 30,
        reason: 'Запрошены сведения',
      }),
    };
    for (const [action, res] of Object.entries(adminTries))
      expect([action, (await res).status]).toEqual([action, 403]);
    const clerkDraft = (await json(
      call('POST', `/api/v1/appeals/${appeal.appealId}/answers`, staff.housingClerk, {
        text: 'Мусор вывезен.',
      }),
    )) as { id: string };
    const approve = await call(
      'POST',
      `/api/v1/appeals/${appeal.appealId}/answers/${clerkDraft.id}/approve`,
      staff.admin,
    );
    expect([approve.status, (await json(approve)).message]).toEqual([
      403,
      expect.stringMatching(/^Администратор не/),
    ]);
    const after = await json(call('GET', `/api/v1/appeals/${appeal.appealId}`, staff.operator));
    expect([
      after.status,
      after.deadlines.extended,
      after.history.map((e: { type: string }) => e.type),
    ]).toEqual(['escalated', false, expect.not.arrayContaining(['assigned', 'answer-approved'])]);
    for (const who of [supervisor, staff.housingClerk])
      expect((await call('POST', `/api/v1/appeals/${appeal.appealId}/take`, who)).status).toBe(204);
    const line2 = (who: SignedIn) =>
      call('POST', `/api/v1/appeals/${appeal.appealId}/extend`, who, {
        kind: 'line2',
        until: new Date(Date.now() + 86_400_000).toISOString(),
        reason: 'Запрошены сведения',
      });
    // The supervisor's organisation holds no line-2 part: the line-2 term is not hers.
    expect((await line2(supervisor)).status).toBe(409);

    // A message outside 59-ФЗ (a private Telegram chat): no 59-ФЗ term for anyone, said before and refused.
    const message = await fromTelegram({ regime: 'message' });
    for (const who of [staff.admin, supervisor, staff.centreHead, staff.operator])
      expect(
        (await json(call('GET', `/api/v1/appeals/${message.appealId}`, who))).access.mayExtendAppeal,
      ).toBe(false);
    const preview = await json(call('GET', `/api/v1/appeals/${message.appealId}/extension`, staff.operator));
    expect(preview.refusal).toMatch(/^Это сообщение, а не обращение по 59-ФЗ/);
    expect((await call('POST', `/api/v1/appeals/${message.appealId}/take`, staff.operator)).status).toBe(204);
    const extend = await call('POST', `/api/v1/appeals/${message.appealId}/extend`, staff.operator, {
      kind: 'appeal',
      days: 10,
      reason: 'Запрошены сведения',
    });
    expect([extend.status, (await json(extend)).message]).toEqual([
      409,
      expect.stringMatching(/^Это сообщение, а не обращение по 59-ФЗ/),
    ]);
  });

  it('lets only line 1 and the lead organisation redirect the whole appeal; a co-executor returns its part', async () => {
    const appeal = await fromTelegram();
    await toBothMinistries(appeal.appealId, { patronymic: 'Андреевич', phone: '+7 913 700-55-66' });
    const mayRedirect = async (who: SignedIn) =>
      (await json(call('GET', `/api/v1/appeals/${appeal.appealId}`, who))).access.mayRedirect;
    const redirect = (who: SignedIn) =>
      call('POST', `/api/v1/appeals/${appeal.appealId}/redirect`, who, {
        body: 'Федеральное агентство',
        reason: 'Вопрос федеральной компетенции',
      });
    expect(await mayRedirect(staff.operator)).toBe(true);
    expect(await mayRedirect(staff.housingClerk)).toBe(false);
    expect(await mayRedirect(staff.admin)).toBe(false);
    // Once the term was extended (a status the appeal may be redirected from), a co-executing ministry could send
    // the whole appeal away, the citizen told so, over line 1's head.
    await t.stack.db.dataSource.query(`UPDATE appeals SET status = 'extended' WHERE id = $1`, [
      appeal.appealId,
    ]);
    const refusedRedirect = await redirect(staff.roadsClerk);
    expect(refusedRedirect.status).toBe(403);
    expect((await json(refusedRedirect)).message).toMatch(/соисполнитель возвращает своё поручение/);
    expect((await redirect(staff.admin)).status).toBe(403);
    const [{ status }] = (await t.stack.db.dataSource.query(`SELECT status FROM appeals WHERE id = $1`, [
      appeal.appealId,
    ])) as { status: string }[];
    expect(status).toBe('extended');
    // The lead organisation may forward it (its clerk sees the button the command allows).
    await t.stack.db.dataSource.query(`UPDATE appeals SET organisation_id = $2 WHERE id = $1`, [
      appeal.appealId,
      org.minzhkh,
    ]);
    expect(await mayRedirect(staff.housingClerk)).toBe(true);
    expect(await mayRedirect(staff.roadsClerk)).toBe(false);
    expect((await redirect(staff.housingClerk)).status).toBe(204);
    const card = await json(call('GET', `/api/v1/appeals/${appeal.appealId}`, staff.operator));
    expect(card.status).toBe('redirected');
  });

  it('finds an appeal by its number, a fragment of it, the surname, the phone and the e-mail, within the scope only', async () => {
    const appeal = await fromTelegram({
      author: {
        externalId: `tg-user-${randomUUID()}`,
        surname: 'Зарецкая',
        firstName: 'Ольга',
        phone: '+79137001122',
        email: 'zaretskaya@example.test',
      },
    });
    await call('POST', `/api/v1/appeals/${appeal.appealId}/escalate`, staff.operator, {
      organisationIds: [org.minzhkh],
      topicId: org.housing,
      subject: 'Мусор',
      applicant: { patronymic: 'Ивановна' },
    });
    const find = async (who: SignedIn, q: string) =>
      (await json(call('GET', `/api/v1/appeals?q=${encodeURIComponent(q)}`, who))).items.map(
        (i: { id: string }) => i.id,
      ) as string[];
    const fragment = appeal.registrationNumber.split('-')[1].replace(/^0+/, '');
    for (const q of [
      appeal.registrationNumber,
      fragment,
      'Зарецкая',
      'зарецкая',
      '8 913 700-11-22',
      '+79137001122',
      'ZARETSKAYA@example.test',
    ]) {
      expect({ q, found: (await find(staff.housingClerk, q)).includes(appeal.appealId) }).toEqual({
        q,
        found: true,
      });
      expect({ q, found: (await find(staff.roadsClerk, q)).includes(appeal.appealId) }).toEqual({
        q,
        found: false,
      });
    }
    expect(await find(staff.housingClerk, 'Незнакомова')).not.toContain(appeal.appealId);
    const audited = (await t.stack.db.dataSource.query(
      `SELECT details FROM audit_log WHERE user_id = $1 AND action = 'search-appeals' ORDER BY id`,
      [staff.housingClerk.userId],
    )) as { details: { found: string[] } }[];
    expect(audited.length).toBeGreaterThanOrEqual(7);
    expect(audited[0].details.found).toContain(appeal.appealId);
  });

  it('starts the escalation clock only for items that begin on line 1, and lists an appeal with a broken term as overdue, not at risk', async () => {
    const atCentre = await fromTelegram();
    const atDepartment = await fromTelegram({ addressee: { code: 'minzhkh' } });
    const rows = (await t.stack.db.dataSource.query(
      `SELECT id, escalation_due_at FROM appeals WHERE id = ANY($1)`,
      [[atCentre.appealId, atDepartment.appealId]],
    )) as { id: string; escalation_due_at: Date | null }[];
    const due = Object.fromEntries(rows.map((r) => [r.id, r.escalation_due_at]));
    expect(due[atCentre.appealId]).not.toBeNull();
    expect(due[atDepartment.appealId]).toBeNull();

    // An appeal with an overdue escalation and its answer term at risk is overdue, as the dashboard counts it:
    // the at-risk queue holds the appeals with no term broken yet, each appeal in one of the two.
    await t.stack.db.dataSource.query(
      `INSERT INTO clock_marks (appeal_id, organisation_id, clock, kind, due_at) VALUES
         ($1, $2, 'escalation', 'overdue', now()), ($1, $2, 'answer', 'at-risk', now() + interval '1 day')`,
      [atCentre.appealId, atCentre.organisationId],
    );
    const atRisk = await json(call('GET', `/api/v1/appeals?clock=at-risk&limit=200`, staff.operator));
    expect(atRisk.items.map((i: { id: string }) => i.id)).not.toContain(atCentre.appealId);
    const overdue = await json(call('GET', `/api/v1/appeals?clock=overdue&limit=200`, staff.operator));
    expect(overdue.items.map((i: { id: string }) => i.id)).toContain(atCentre.appealId);
  });

  it('reports by organisation count every organisation that held a part, and refuse an impossible date', async () => {
    const supervisor = await signInAs(t.stack.api, t.stack.baseUrl, Role.Supervisor, 'region');
    const appeal = await fromTelegram();
    await toBothMinistries(appeal.appealId, { patronymic: 'Петрович', phone: '+79130001122' });
    const report = await json(call('GET', '/api/v1/reports/handled?groupBy=organisation', supervisor));
    const held = Object.fromEntries(
      (report.rows as { key: string; received: number }[]).map((r) => [r.key, r.received]),
    );
    expect(held[org.minzhkh]).toBeGreaterThanOrEqual(1);
    expect(held[org.mintrans]).toBeGreaterThanOrEqual(1);
    // A clerk sees only their own organisation's row.
    const roads = await json(call('GET', '/api/v1/reports/handled?groupBy=organisation', staff.roadsClerk));
    expect((roads.rows as { key: string }[]).map((r) => r.key)).toEqual([org.mintrans]);

    const bad = await call('GET', '/api/v1/reports/handled?from=2026-02-30', supervisor);
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors).toEqual({ from: 'Дата в формате ГГГГ-ММ-ДД' });
  });
});

/**
 * Issue 12, build item 7: one assignee per part; a department head approves answers and grants the 59-ФЗ
 * extension (nobody approves their own draft, supervisors included); drafts edited, discarded and sent back
 * with a comment; internal notes; staff notifications through the API.
 */
describe('who does what (e2e)', () => {
  restoreEnvironmentAfterBlock();
  const t = staffStack({
    organisations: { minzhkh: 'minzhkh', mintrans: 'mintrans' },
    topics: { housing: 'housing' },
    staff: {
      operator: [Role.Operator, 'cur'],
      clerk: [Role.Clerk, 'minzhkh'],
      colleague: [Role.Clerk, 'minzhkh'],
      head: [Role.Head, 'minzhkh'],
      supervisor: [Role.Supervisor, 'region'],
      roadsClerk: [Role.Clerk, 'mintrans'],
      roadsColleague: [Role.Clerk, 'mintrans'],
      otherOperator: [Role.Operator, 'cur'],
      roadsHead: [Role.Head, 'mintrans'],
      districtHead: [Role.Head, 'omsk-district'],
    },
  });
  const { ids: org, staff, call } = t;

  async function escalated(organisationIds = [org.minzhkh, org.mintrans]): Promise<string> {
    const created = await json(
      call('POST', '/api/v1/appeals', staff.operator, {
        medium: 'phone',
        surname: 'Соколова',
        firstName: 'Анна',
        patronymic: 'Игоревна',
        phone: '+79137776655',
        subject: 'Нет отопления',
        text: 'С 20 ноября в квартире холодные батареи, управляющая компания не отвечает.',
        topicId: org.housing,
      }),
    );
    expect(
      (await call('POST', `/api/v1/appeals/${created.id}/escalate`, staff.operator, { organisationIds }))
        .status,
    ).toBe(204);
    return created.id as string;
  }

  it('gives each part its own clerk, and routes approval and the 59-ФЗ extension through the head', async () => {
    const id = await escalated();
    expect((await call('POST', `/api/v1/appeals/${id}/take`, staff.clerk)).status).toBe(204);
    expect(
      (
        await call('POST', `/api/v1/appeals/${id}/assign`, staff.operator, {
          userId: staff.roadsClerk.userId,
        })
      ).status,
    ).toBe(204);
    const card = await json(call('GET', `/api/v1/appeals/${id}`, staff.supervisor));
    const parts = Object.fromEntries(
      (card.organisations as { code: string; assigneeId: string | null }[]).map((p) => [
        p.code,
        p.assigneeId,
      ]),
    );
    expect(parts).toMatchObject({ minzhkh: staff.clerk.userId, mintrans: staff.roadsClerk.userId });
    const mine = await json(call('GET', `/api/v1/appeals?assigneeId=me`, staff.clerk));
    expect(mine.items.map((i: { id: string }) => i.id)).toContain(id);
    // Given work by line 1, the roads clerk is told; the clerk who took it is not.
    const number = card.registrationNumber as string;
    expect(
      (await json(call('GET', '/api/v1/notifications?unread=true', staff.roadsClerk))).filter(
        (n: { appealId: string }) => n.appealId === id,
      ),
    ).toEqual([expect.objectContaining({ kind: 'assigned', text: `Вам назначено обращение № ${number}` })]);
    expect(
      (await json(call('GET', '/api/v1/notifications', staff.clerk))).filter(
        (n: { appealId: string }) => n.appealId === id,
      ),
    ).toEqual([]);

    const draft = await json(
      call('POST', `/api/v1/appeals/${id}/answers`, staff.clerk, { text: 'Проект ответа' }),
    );
    // The organisation has a head: a colleague no longer approves, the author never does.
    expect(
      (await call('POST', `/api/v1/appeals/${id}/answers/${draft.id}/approve`, staff.colleague)).status,
    ).toBe(403);
    expect(
      (await call('POST', `/api/v1/appeals/${id}/answers/${draft.id}/approve`, staff.clerk)).status,
    ).toBe(403);
    expect((await call('POST', `/api/v1/appeals/${id}/answers/${draft.id}/approve`, staff.head)).status).toBe(
      204,
    );

    // Nobody approves their own draft, supervisors included.
    const own = await json(
      call('POST', `/api/v1/appeals/${id}/answers`, staff.supervisor, { text: 'Сам написал' }),
    );
    const selfApproval = await call(
      'POST',
      `/api/v1/appeals/${id}/answers/${own.id}/approve`,
      staff.supervisor,
    );
    expect(selfApproval.status).toBe(403);
    expect((await json(selfApproval)).message).toBe('Нельзя согласовать собственный проект ответа');

    // The 59-ФЗ extension: the head's decision, not a clerk's — and the clerk's dialog says so on opening.
    const preview = async (user: typeof staff.clerk) =>
      json(call('GET', `/api/v1/appeals/${id}/extension?days=10`, user));
    expect((await preview(staff.clerk)).refusal).toBe(
      'Продление срока по 59-ФЗ предоставляет руководитель подразделения',
    );
    expect(await preview(staff.head)).not.toHaveProperty('refusal');
    const byClerk = await call('POST', `/api/v1/appeals/${id}/extend`, staff.clerk, {
      kind: 'appeal',
      days: 30,
      reason: 'Запрошены документы',
    });
    expect(byClerk.status).toBe(403);
    expect(
      (
        await call('POST', `/api/v1/appeals/${id}/extend`, staff.head, {
          kind: 'appeal',
          days: 30,
          reason: 'Запрошены документы',
        })
      ).status,
    ).toBe(204);
  });

  it('edits, sends back with a comment (the author is notified), and discards drafts; keeps internal notes', async () => {
    const id = await escalated();
    const draft = await json(
      call('POST', `/api/v1/appeals/${id}/answers`, staff.clerk, { text: 'Черновик' }),
    );
    expect(
      (
        await call('POST', `/api/v1/appeals/${id}/answers/${draft.id}/send-back`, staff.head, {
          comment: 'Укажите срок устранения',
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await call('PATCH', `/api/v1/appeals/${id}/answers/${draft.id}`, staff.colleague, {
          text: 'Чужая правка',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call('PATCH', `/api/v1/appeals/${id}/answers/${draft.id}`, staff.clerk, {
          text: 'Устраним до 1 декабря',
        })
      ).status,
    ).toBe(204);
    const answers = await json(call('GET', `/api/v1/appeals/${id}/answers`, staff.clerk));
    expect(answers[0]).toMatchObject({
      text: 'Устраним до 1 декабря',
      sentBackComment: 'Укажите срок устранения',
      sentBackBy: staff.head.userId,
      editedAt: expect.any(String),
    });

    const notifications = await json(call('GET', '/api/v1/notifications?unread=true', staff.clerk));
    const sentBack = notifications.find((n: { kind: string }) => n.kind === 'answer-sent-back');
    expect(sentBack.text).toContain('Укажите срок устранения');
    expect((await call('POST', `/api/v1/notifications/${sentBack.id}/read`, staff.clerk)).status).toBe(204);
    expect((await call('POST', `/api/v1/notifications/${sentBack.id}/read`, staff.colleague)).status).toBe(
      404,
    );
    const unread = await json(call('GET', '/api/v1/notifications?unread=true', staff.clerk));
    expect(unread.map((n: { id: string }) => n.id)).not.toContain(sentBack.id);

    const other = await json(
      call('POST', `/api/v1/appeals/${id}/answers`, staff.clerk, { text: 'Лишний проект' }),
    );
    expect(
      (await call('POST', `/api/v1/appeals/${id}/answers/${other.id}/discard`, staff.clerk)).status,
    ).toBe(204);
    expect(
      (await json(call('GET', `/api/v1/appeals/${id}/answers`, staff.clerk))).map(
        (a: { id: string }) => a.id,
      ),
    ).not.toContain(other.id);
    expect((await call('POST', `/api/v1/appeals/${id}/answers/${other.id}/approve`, staff.head)).status).toBe(
      409,
    );

    expect(
      (
        await call('POST', `/api/v1/appeals/${id}/notes`, staff.clerk, {
          text: 'Звонила в УК, обещали к пятнице',
        })
      ).status,
    ).toBe(201);
    const notes = await json(call('GET', `/api/v1/appeals/${id}/notes`, staff.supervisor));
    expect(notes).toEqual([
      expect.objectContaining({ text: 'Звонила в УК, обещали к пятнице', authorId: staff.clerk.userId }),
    ]);
    // Internal: the citizen's status page never has it, and another organisation's clerk cannot read it.
    const outsider = await signInAs(t.stack.api, t.stack.baseUrl, Role.Clerk, 'omsk-district');
    expect((await call('GET', `/api/v1/appeals/${id}/notes`, outsider)).status).toBe(404);

    // A returned part tells line 1.
    expect((await call('POST', `/api/v1/appeals/${id}/take`, staff.operator)).status).toBe(204);
    expect(
      (await call('POST', `/api/v1/appeals/${id}/return`, staff.roadsClerk, { reason: 'Не дорожный вопрос' }))
        .status,
    ).toBe(204);
    const forOperator = await json(call('GET', '/api/v1/notifications', staff.operator));
    expect(forOperator).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'part-returned', appealId: id })]),
    );
  });

  const partAssignees = async (id: string) =>
    Object.fromEntries(
      (
        (await json(call('GET', `/api/v1/appeals/${id}`, staff.operator))).organisations as {
          code: string;
          assigneeId: string | null;
        }[]
      ).map((p) => [p.code, p.assigneeId]),
    );

  // Each organisation holding a part sees the appeal, neither runs the other's part: a clerk of one could
  // reassign the other's part (or the appeal to a line-1 operator), the assignee only had to hold the appeal.
  // One rating per answer: a rating the organisation recorded for its own answer took the applicant's place, and
  // with a poor one its re-routing to the superior organisation (S3) and the quality figures.
  it('records the rating an applicant gave by phone through line 1, never through the organisation that answered', async () => {
    const id = await escalated([org.minzhkh]);
    const answer = `/api/v1/appeals/${id}/answers`;
    const draft = await json(call('POST', answer, staff.clerk, { text: 'Отопление восстановлено.' }));
    expect((await call('POST', `${answer}/${draft.id}/approve`, staff.head)).status).toBe(204);
    expect((await call('POST', `${answer}/${draft.id}/send`, staff.clerk)).status).toBe(204);
    const handover = { medium: 'phone' };
    expect((await call('POST', `${answer}/${draft.id}/handed-over`, staff.clerk, handover)).status).toBe(204);
    for (const who of [staff.clerk, staff.head]) {
      const res = await call('POST', `/api/v1/appeals/${id}/ratings`, who, {
        answered: true,
        satisfaction: 'satisfied',
      });
      expect([res.status, ((await res.json()) as { message: string }).message]).toEqual([
        403,
        'Оценку со слов заявителя вносит первая линия (ЕКЦ/ЦУР) или руководство региона, а не организация, давшая ответ',
      ]);
    }
    const ratings = () =>
      t.stack.db.dataSource.query(`SELECT count(*)::int AS n FROM ratings WHERE appeal_id = $1`, [id]);
    expect(await ratings()).toEqual([{ n: 0 }]);
    // Line 1 records what the applicant said: not satisfied — and the appeal goes up a level.
    const poor = await call('POST', `/api/v1/appeals/${id}/ratings`, staff.operator, {
      answered: false,
      satisfaction: 'not-satisfied',
    });
    expect(poor.status).toBeLessThan(300);
    expect(await json(poor)).toMatchObject({ duplicate: false, poor: true });
    expect(await ratings()).toEqual([{ n: 1 }]);
  });

  it("refuses a clerk or head assigning another organisation's staff; the organisation and line 1 still may", async () => {
    const id = await escalated();
    expect((await call('POST', `/api/v1/appeals/${id}/take`, staff.roadsClerk)).status).toBe(204);
    const assign = (who: (typeof staff)['clerk'], userId: string) =>
      call('POST', `/api/v1/appeals/${id}/assign`, who, { userId });

    for (const who of [staff.clerk, staff.head]) {
      const res = await assign(who, staff.roadsColleague.userId);
      expect(res.status).toBe(403);
      expect((await json(res)).errors).toEqual({
        userId: 'Сотрудник организации вне вашей области видимости',
      });
      expect((await assign(who, staff.otherOperator.userId)).status).toBe(403);
    }
    expect((await partAssignees(id)).mintrans).toBe(staff.roadsClerk.userId);
    // Each refusal of scope is audited as denied, with whom it named (ids only).
    const denied = (await t.stack.db.dataSource.query(
      `SELECT user_id AS "userId", details FROM audit_log
        WHERE action = 'assign' AND entity_id = $1 AND outcome = 'denied' ORDER BY id`,
      [id],
    )) as { userId: string; details: Record<string, string> }[];
    expect(denied).toEqual([
      {
        userId: staff.clerk.userId,
        details: { assigneeId: staff.roadsColleague.userId, organisationId: org.mintrans },
      },
      {
        userId: staff.clerk.userId,
        details: expect.objectContaining({ assigneeId: staff.otherOperator.userId }),
      },
      {
        userId: staff.head.userId,
        details: { assigneeId: staff.roadsColleague.userId, organisationId: org.mintrans },
      },
      {
        userId: staff.head.userId,
        details: expect.objectContaining({ assigneeId: staff.otherOperator.userId }),
      },
    ]);

    // The organisation reassigns its own part; line 1 assigns anyone's staff, as before.
    expect((await assign(staff.roadsClerk, staff.roadsColleague.userId)).status).toBe(204);
    expect((await partAssignees(id)).mintrans).toBe(staff.roadsColleague.userId);
    expect((await assign(staff.head, staff.clerk.userId)).status).toBe(204);
    expect((await assign(staff.operator, staff.roadsClerk.userId)).status).toBe(204);
    expect(await partAssignees(id)).toMatchObject({
      minzhkh: staff.clerk.userId,
      mintrans: staff.roadsClerk.userId,
    });
  });

  // An incident groups appeals of several organisations; its title was made from the appeal that started it,
  // subject and address, and shown to every organisation with a part of the incident.
  it("titles an incident for a department from its own appeals, never another organisation's", async () => {
    const appeal = (surname: string, address: string) =>
      json(
        call('POST', '/api/v1/appeals', staff.operator, {
          medium: 'phone',
          surname,
          firstName: 'Анна',
          patronymic: 'Игоревна',
          phone: '+79137776655',
          address,
          subject: 'Прорвало трубу у дома, вода на дороге',
          text: 'Во дворе прорвало трубу, вода течёт на проезжую часть и заливает подвал, никто не приезжает.',
          topicId: org.housing,
        }),
      ) as Promise<{ id: string }>;
    const housing = await appeal('Первая', 'ул. Щегловская, д. 13, кв. 77');
    const roads = [await appeal('Вторая', 'ул. Дорожная, 5'), await appeal('Третья', 'ул. Дорожная, 7')];
    const escalate = (id: string, organisationId: string) =>
      call('POST', `/api/v1/appeals/${id}/escalate`, staff.operator, { organisationIds: [organisationId] });
    expect((await escalate(housing.id, org.minzhkh)).status).toBe(204);
    for (const r of roads) expect((await escalate(r.id, org.mintrans)).status).toBe(204);
    await t.stack.api.get(ClassificationPipeline).processPending(100);
    await t.stack.api.get(Incidents).clusterPending(100);

    const whole = await json(call('GET', '/api/v1/incidents', staff.operator));
    const incident = whole.items.find((i: { appealsCount: number }) => i.appealsCount === 3);
    // Each department reads the title its own first appeal makes, and nothing of the other's appeal.
    const subject = 'Прорвало трубу у дома, вода на дороге';
    for (const [who, own, other, appeals] of [
      [staff.roadsHead, `${subject} — ул. Дорожная, 5`, 'Щегловская', roads],
      [staff.head, `${subject} — ул. Щегловская, д. 13, кв. 77`, 'Дорожная', [housing]],
    ] as const) {
      const list = await json(call('GET', '/api/v1/incidents', who));
      expect(list.items.find((i: { id: string }) => i.id === incident.id).title).toBe(own);
      const detail = await json(call('GET', `/api/v1/incidents/${incident.id}`, who));
      expect(detail.title).toBe(own);
      expect(detail.addressKey).toBeNull();
      expect(detail.appeals.map((a: { id: string }) => a.id).sort()).toEqual(appeals.map((a) => a.id).sort());
      expect(JSON.stringify([list, detail]).toLowerCase()).not.toContain(other.toLowerCase());
    }
    // Line 1 sees the whole incident as it was titled.
    expect(incident.title).toMatch(/Щегловская|Дорожная/);

    // A head of an organisation with no appeal in the incident cannot reach it by its id: not read, not drafted
    // (the draft was claimed, and then refused, 409), not approved (409 told whether it was drafted) — each a 404
    // as for an incident that does not exist, on record (the read too), the incident untouched.
    const outsider = staff.districtHead;
    expect((await call('GET', `/api/v1/incidents/${incident.id}`, outsider)).status).toBe(404);
    for (const [step, body] of [
      ['draft', { text: 'Трубу заменят до конца недели.' }],
      ['approve', undefined],
    ] as const) {
      const res = await call('POST', `/api/v1/incidents/${incident.id}/${step}`, outsider, body);
      expect([step, res.status, ((await res.json()) as { message: string }).message]).toEqual([
        step,
        404,
        'Инцидент не найден',
      ]);
    }
    expect(await json(call('GET', `/api/v1/incidents/${incident.id}`, staff.operator))).toMatchObject({
      status: 'open',
      draftText: null,
      draftedBy: null,
    });
    const denied = (await t.stack.db.dataSource.query(
      `SELECT action FROM audit_log WHERE user_id = $1 AND entity_id = $2 AND outcome = 'denied' ORDER BY id`,
      [outsider.userId, incident.id],
    )) as { action: string }[];
    expect(denied.map((d) => d.action)).toEqual([
      'incident.read',
      'incident.draft-answer',
      'incident.approve-answer',
    ]);

    // A department answering the incident answers its own part; the other organisation's appeals are not named
    // back to it, not even by id.
    const drafted = await call('POST', `/api/v1/incidents/${incident.id}/draft`, staff.roadsHead, {
      text: 'Аварийная бригада устранила порыв, проезд открыт.',
    });
    const result = await json(drafted);
    expect(drafted.status).toBe(200);
    expect(result.drafted).toBe(2);
    expect(JSON.stringify(result)).not.toContain(housing.id);

    // Each department reads its own part: its appeals' times and its own draft, never the other's; the roads
    // draft neither blocks the housing department nor is shown to it as the incident's answer.
    const view = (who: typeof staff.head) => json(call('GET', `/api/v1/incidents/${incident.id}`, who));
    const roadsText = 'Аварийная бригада устранила порыв, проезд открыт.';
    const housingView = await view(staff.head);
    const housingAt = housingView.appeals[0].registeredAt as string;
    expect(housingView).toMatchObject({
      status: 'open',
      draftText: null,
      draftedBy: null,
      draftedAt: null,
      draftAwaitsApproval: false,
      awaitingDraft: 1,
      firstAt: housingAt,
      lastAt: housingAt,
      answeredAt: null,
    });
    const roadsView = await view(staff.roadsHead);
    const roadsAt = (roadsView.appeals as { registeredAt: string }[]).map((a) => a.registeredAt);
    expect(roadsView).toMatchObject({
      draftText: roadsText,
      draftedBy: staff.roadsHead.userId,
      draftAwaitsApproval: true,
      awaitingDraft: 0,
      firstAt: roadsAt[0],
      lastAt: roadsAt[1],
    });
    // The roads part approved: the incident stays open for the housing department, whose appeal waits.
    const roadsAnswer = await json(
      call('POST', `/api/v1/incidents/${incident.id}/approve`, staff.supervisor),
    );
    expect(roadsAnswer).toMatchObject({ answered: 2, failed: [] });
    expect((await view(staff.roadsHead)).status).toBe('answered');
    expect(await view(staff.operator)).toMatchObject({ status: 'open', answeredAt: null });
    expect(await view(staff.head)).toMatchObject({ status: 'open', draftText: null, awaitingDraft: 1 });
    const openFor = async (who: typeof staff.head) =>
      (await json(call('GET', '/api/v1/incidents?status=open', who))).items.map((i: { id: string }) => i.id);
    expect(await openFor(staff.head)).toContain(incident.id);
    expect(await openFor(staff.roadsHead)).not.toContain(incident.id);
    const housingText = 'Трубу во дворе заменили, подвал осушен.';
    const housingDraft = await call('POST', `/api/v1/incidents/${incident.id}/draft`, staff.head, {
      text: housingText,
    });
    expect([housingDraft.status, (await json(housingDraft)).drafted]).toEqual([200, 1]);
    expect(await view(staff.roadsHead)).toMatchObject({ draftText: roadsText, draftAwaitsApproval: false });
    expect(await view(staff.head)).toMatchObject({ draftText: housingText, draftAwaitsApproval: true });
    // Its own draft is not the head's to approve; the supervisor's approval answers the whole incident.
    expect((await call('POST', `/api/v1/incidents/${incident.id}/approve`, staff.head)).status).toBe(403);
    expect(
      await json(call('POST', `/api/v1/incidents/${incident.id}/approve`, staff.supervisor)),
    ).toMatchObject({ answered: 1, failed: [] });
    expect(await view(staff.operator)).toMatchObject({ status: 'answered' });
    expect((await view(staff.head)).status).toBe('answered');
  });
});
