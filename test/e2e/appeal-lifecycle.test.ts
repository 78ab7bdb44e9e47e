import { Role } from '@inbox/access';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';

/**
 * Issue 12 "Must show", per channel, through the real api + worker: an item arrives incomplete, staff
 * complete the card, escalate to two organisations, one returns its part (and can then change nothing), the
 * other answers, the operator re-sends to a third which answers; the citizen receives both answers in the
 * channel of origin; the citizen rates one answer poorly twice over two rounds and the appeal climbs two
 * levels; a stranger's rating, and a rating before any answer, are refused.
 */

interface Arrival {
  appealId: string;
  registrationNumber: string;
}

/** How a channel brings an appeal in, brings answers back to the citizen, and takes the citizen's rating. */
interface ChannelDriver {
  name: string;
  arrive(): Promise<Arrival>;
  /** The answers' texts as the citizen has them so far. */
  received(a: Arrival): Promise<string[]>;
  /** Where the channel needs staff to finish the delivery (a call, a visit, a letter), they do. */
  deliver?(a: Arrival, answerId: string): Promise<void>;
  /** The applicant's poor rating; resolves with the HTTP status. */
  ratePoorly(a: Arrival): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Someone else tries to rate; resolves true when refused. */
  strangerRefused(a: Arrival): Promise<boolean>;
}

describe('the whole lifecycle, once per channel (e2e)', () => {
  let stack: TestStack;
  let operator: SignedIn;
  const clerks: Record<string, SignedIn[]> = {};
  let org: Record<string, string>;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    const ds = stack.db.dataSource;
    // A third level under the housing ministry, so that two poor ratings climb two levels.
    await ds.query(
      `INSERT INTO organisations (code, name, short_name, kind, parent_id, time_zone, working_hours)
       SELECT 'housing-inspection', 'Государственная жилищная инспекция', 'ГЖИ', kind, id, time_zone, working_hours
         FROM organisations WHERE code = 'minzhkh'`,
    );
    org = {
      region: await idOf(ds, 'organisations', 'region'),
      minzhkh: await idOf(ds, 'organisations', 'minzhkh'),
      mintrans: await idOf(ds, 'organisations', 'mintrans'),
      inspection: await idOf(ds, 'organisations', 'housing-inspection'),
      housing: await idOf(ds, 'topics', 'housing'),
    };
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    for (const code of ['minzhkh', 'mintrans', 'housing-inspection', 'region']) {
      clerks[code] = [
        await signInAs(stack.api, stack.baseUrl, Role.Clerk, code),
        await signInAs(stack.api, stack.baseUrl, Role.Clerk, code),
      ];
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  const call = (method: string, path: string, who: SignedIn, body?: unknown) =>
    fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: who.headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const card = (id: string, who: SignedIn = operator) => json(call('GET', `/api/v1/appeals/${id}`, who));

  /** A clerk drafts, a colleague approves, the clerk sends; returns the answer's id. */
  async function answer(appealId: string, code: string, text: string): Promise<string> {
    const [clerk, colleague] = clerks[code];
    const draft = await json(call('POST', `/api/v1/appeals/${appealId}/answers`, clerk, { text }));
    expect(
      (await call('POST', `/api/v1/appeals/${appealId}/answers/${draft.id}/approve`, colleague)).status,
    ).toBe(204);
    expect((await call('POST', `/api/v1/appeals/${appealId}/answers/${draft.id}/send`, clerk)).status).toBe(
      204,
    );
    return draft.id as string;
  }

  const website: ChannelDriver & { codes: Map<string, string> } = {
    name: 'website form',
    codes: new Map(),
    async arrive() {
      // No patronymic, no subject, a phone only (no e-mail: the answer lives on the status page).
      const body = new FormData();
      body.append('surname', 'Кузнецова');
      body.append('firstName', 'Ольга');
      body.append('phone', '8 913 555-12-34');
      body.append(
        'text',
        'Третий день нет горячей воды в доме по ул. Ленина, 15, управляющая компания молчит.',
      );
      body.append('consent', 'true');
      const res = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, { method: 'POST', body });
      expect(res.status).toBe(201);
      const created = (await res.json()) as { registrationNumber: string; accessCode: string };
      const [row] = await eventually(async () => {
        const rows = (await stack.db.dataSource.query(
          `SELECT id FROM appeals WHERE registration_number = $1`,
          [created.registrationNumber],
        )) as { id: string }[];
        return rows.length ? rows : undefined;
      });
      this.codes.set(created.registrationNumber, created.accessCode);
      return { appealId: row.id, registrationNumber: created.registrationNumber };
    },
    async received(a) {
      const status = await json(
        fetch(
          `${stack.baseUrl}/api/v1/public/appeals/${a.registrationNumber}?code=${this.codes.get(a.registrationNumber)}`,
        ),
      );
      return (status.answers as { text: string }[]).map((x) => x.text);
    },
    async ratePoorly(a) {
      const res = await fetch(
        `${stack.baseUrl}/api/v1/public/appeals/${a.registrationNumber}/rating?code=${this.codes.get(a.registrationNumber)}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ answered: false, satisfaction: 'not-satisfied' }),
        },
      );
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async strangerRefused(a) {
      const res = await fetch(
        `${stack.baseUrl}/api/v1/public/appeals/${a.registrationNumber}/rating?code=AAAAAAAA`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ answered: false, satisfaction: 'not-satisfied' }),
        },
      );
      return res.status === 404;
    },
  };

  const operatorCall: ChannelDriver = {
    name: 'operator-registered call',
    async arrive() {
      const res = await call('POST', '/api/v1/appeals', operator, {
        medium: 'phone',
        surname: 'Орлов',
        firstName: 'Пётр',
        subject: 'Нет горячей воды',
        text: 'Звонок: в доме по ул. Мира, 8 неделю нет горячей воды, управляющая компания не отвечает.',
      });
      expect(res.status).toBe(201);
      const created = await json(res);
      return { appealId: created.id, registrationNumber: created.registrationNumber };
    },
    async deliver(a, answerId) {
      // No e-mail: the operator reads the answer out by phone and says so.
      const rows = (await stack.db.dataSource.query(
        `SELECT delivery_state FROM outbound_messages WHERE answer_id = $1`,
        [answerId],
      )) as { delivery_state: string }[];
      expect(rows).toEqual([{ delivery_state: 'awaiting-handover' }]);
      expect(
        (
          await call('POST', `/api/v1/appeals/${a.appealId}/answers/${answerId}/handed-over`, operator, {
            medium: 'phone',
          })
        ).status,
      ).toBe(204);
    },
    async received(a) {
      const rows = (await stack.db.dataSource.query(
        `SELECT m.text FROM outbound_messages m WHERE m.appeal_id = $1 AND m.kind = 'answer'
            AND m.status = 'sent' AND m.delivery_state = 'handed-over:phone' ORDER BY m.sent_at`,
        [a.appealId],
      )) as { text: string }[];
      return rows.map((r) => r.text);
    },
    async ratePoorly(a) {
      // The applicant says it on the phone; the operator records it.
      const res = await call('POST', `/api/v1/appeals/${a.appealId}/ratings`, operator, {
        answered: false,
        satisfaction: 'not-satisfied',
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async strangerRefused(a) {
      // Nobody outside the staff can rate a phone appeal: an unauthenticated call is refused.
      const res = await fetch(`${stack.baseUrl}/api/v1/appeals/${a.appealId}/ratings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answered: false }),
      });
      return res.status === 401;
    },
  };

  it.each([website, operatorCall] as ChannelDriver[])('$name', async (channel) => {
    const a = await channel.arrive();

    // A rating before any answer is refused with a clear message.
    const early = await channel.ratePoorly(a);
    expect(early.status).toBe(409);
    expect(early.body.message).toContain('Ответ по обращению ещё не дан');

    // The card says what escalation lacks; staff complete it.
    const incomplete = await card(a.appealId);
    expect(Object.keys(incomplete.escalationRequires)).toEqual(
      expect.arrayContaining(['topicId', 'applicant.patronymic']),
    );
    expect(
      (
        await call('PATCH', `/api/v1/appeals/${a.appealId}/card`, operator, {
          subject: 'Нет горячей воды',
          applicant: { patronymic: 'Ивановна', phone: '+7 913 555-12-34' },
        })
      ).status,
    ).toBe(200);

    // Escalated to two organisations; the roads ministry returns its part and can then change nothing.
    expect(
      (
        await call('POST', `/api/v1/appeals/${a.appealId}/escalate`, operator, {
          organisationIds: [org.minzhkh, org.mintrans],
          topicId: org.housing,
        })
      ).status,
    ).toBe(204);
    const [roads] = clerks.mintrans;
    expect(
      (await call('POST', `/api/v1/appeals/${a.appealId}/return`, roads, { reason: 'Не дорожный вопрос' }))
        .status,
    ).toBe(204);
    expect((await call('POST', `/api/v1/appeals/${a.appealId}/take`, roads)).status).toBe(403);
    expect(
      (await call('POST', `/api/v1/appeals/${a.appealId}/answers`, roads, { text: 'Чужой ответ' })).status,
    ).toBe(403);
    const roadsView = await card(a.appealId, roads);
    expect(roadsView.access.readOnly).toBe(true);
    expect(roadsView.applicant).toBeNull();

    // The housing ministry answers its part: the appeal still waits for the returned part to be re-routed.
    const first = await answer(
      a.appealId,
      'minzhkh',
      'Ответ Минжкх: управляющей компании выдано предписание.',
    );
    await channel.deliver?.(a, first);
    expect((await card(a.appealId)).status).toBe('escalated');

    // The operator re-sends the returned part to a third organisation, which answers.
    expect(
      (
        await call('POST', `/api/v1/appeals/${a.appealId}/escalate`, operator, {
          organisationIds: [org.inspection],
        })
      ).status,
    ).toBe(204);
    const second = await answer(
      a.appealId,
      'housing-inspection',
      'Ответ ГЖИ: проведена проверка, подача воды восстановлена.',
    );
    await channel.deliver?.(a, second);
    const answered = await card(a.appealId);
    expect(answered.status).toBe('answered');
    const parts = Object.fromEntries(
      (answered.organisations as { code: string; state: string }[]).map((p) => [p.code, p.state]),
    );
    expect(parts).toMatchObject({
      minzhkh: 'answered',
      mintrans: 'closed',
      'housing-inspection': 'answered',
    });

    // The citizen has both answers in the channel of origin.
    const texts = await eventually(async () => {
      const got = await channel.received(a);
      return got.length >= 2 ? got : undefined;
    });
    expect(texts).toEqual([expect.stringContaining('Ответ Минжкх'), expect.stringContaining('Ответ ГЖИ')]);

    // A stranger cannot rate.
    expect(await channel.strangerRefused(a)).toBe(true);

    // Round 1: a poor rating of the inspection's answer reopens the appeal at its superior (Минжкх).
    const round1 = await channel.ratePoorly(a);
    expect(round1.status).toBeLessThan(300);
    let c = await card(a.appealId);
    expect(c).toMatchObject({ status: 'reopened', organisationId: org.minzhkh });
    // The same answer is not rated twice.
    const again = await channel.ratePoorly(a);
    expect(again.body).toMatchObject(
      'accepted' in again.body ? { accepted: false } : { refused: 'already-rated' },
    );

    // Round 2: Минжкх answers again, is rated poorly, and the appeal climbs to the region.
    const third = await answer(a.appealId, 'minzhkh', 'Повторный ответ Минжкх: проверка назначена.');
    await channel.deliver?.(a, third);
    expect((await channel.ratePoorly(a)).status).toBeLessThan(300);
    c = await card(a.appealId);
    expect(c).toMatchObject({ status: 'reopened', organisationId: org.region });
    const records = (await stack.db.dataSource.query(
      `SELECT organisation_id, superior_organisation_id FROM poor_rating_records WHERE appeal_id = $1 ORDER BY id`,
      [a.appealId],
    )) as { organisation_id: string; superior_organisation_id: string }[];
    expect(records).toEqual([
      { organisation_id: org.inspection, superior_organisation_id: org.minzhkh },
      { organisation_id: org.minzhkh, superior_organisation_id: org.region },
    ]);
  });
});
