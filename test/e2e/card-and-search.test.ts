import { randomUUID } from 'node:crypto';
import { Role } from '@inbox/access';
import { AppealRegistrar } from '@inbox/appeals';
import { InboundStore } from '@inbox/intake';
import { Channel } from '@inbox/integrations/contract';
import { inboundItem } from '../factories/inbound-items';
import { signInAs, type SignedIn } from '../factories/staff';
import { staffStack } from '../support/staff-stack';
import { json } from '../support/test-stack';

/**
 * Issue 12, build items 1, 6 and 8: an incomplete card is completed (not refused after the fact), search
 * finds anything within the scope and is audited, and clocks tell the truth.
 */
describe('complete card, search, honest clocks (e2e)', () => {
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
    expect(await mayEscalate(staff.admin)).toBe(true);
    // A head saw «Передать на 2-ю линию» and got a 403 for pressing it.
    expect(await mayEscalate(staff.centreHead)).toBe(false);
    const escalate = await call('POST', `/api/v1/appeals/${appeal.appealId}/escalate`, staff.centreHead, {
      organisationIds: [org.minzhkh],
    });
    expect(escalate.status).toBe(403);
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
