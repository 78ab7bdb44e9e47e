import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Role } from '@inbox/access';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { type DovecotInstance, startDovecot } from '../fakes/email/dovecot';
import { type SmtpReceiver, startSmtpReceiver } from '../fakes/email/smtp-receiver';
import { binaryFile, documentPackage, FakeMedoGateway, OUR_ORGANISATION, OUR_UID } from '../fakes/medo';
import { OkFake, type SentOkMessage } from '../fakes/ok/ok-fake';
import { PosFake } from '../fakes/pos/pos-fake';
import { TelegramFake } from '../fakes/telegram/telegram-fake';
import { VkFake, type VkUpdate } from '../fakes/vk/vk-fake';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import { answerAndRatingLinks, EMAIL_ENV, feedTools, mailHeader, readMail } from './feed-helpers';
import { publicRating, publicStatus } from '../support/citizen';

/**
 * Issue 12 "Must show", once per channel, through the real api + worker and each channel's fake at the network
 * (or file-exchange) boundary: an item arrives incomplete, staff complete the card, escalate to two
 * organisations, one returns its part (and can then change nothing), the other answers, the operator re-sends
 * to a third which answers; the citizen receives both answers in the channel of origin (read at the channel's
 * fake, in its wire shape); the citizen rates one answer poorly twice over two rounds and the appeal climbs two
 * levels; a stranger's rating, and a rating before any answer, are refused.
 *
 * E-mail: each answer letter carries a personal rating link; the citizen follows the one in the latest letter
 * (the page, then the API it calls), and a stranger has only forged or altered links, and an expired one. A
 * link comes only with an answer, so the rating before any answer is the one the citizen writes back in a
 * letter, which staff try to record (refused). МЭДО has no rating path of its own: the rating the sender writes
 * back is recorded by staff (POST /appeals/{id}/ratings), as for a phone call; its "stranger" is anyone without
 * a staff session. OK has no buttons: two typed digits count as a rating only after our rating request, so
 * before any answer, and after the rating window closed, the digits are an ordinary message — those two
 * checks do not apply to OK, and the table says so.
 */

interface Arrival {
  appealId: string;
  registrationNumber: string;
}

/** What became of a rating: recorded, refused before any answer, or refused as this answer's second. */
type RateOutcome = 'recorded' | 'no-answer' | 'already-rated';

/** How a channel brings an appeal in, brings answers back to the citizen, and takes the citizen's rating. */
interface ChannelDriver {
  name: string;
  arrive(): Promise<Arrival>;
  /** Texts the citizen has in the channel so far (answers among them). */
  received(a: Arrival): Promise<string[]>;
  /** Where the channel needs staff to finish the delivery (a call, a visit, a letter), they do. */
  deliver?(a: Arrival, answerId: string): Promise<void>;
  /** The applicant's poor rating of the latest answer. */
  ratePoorly(a: Arrival): Promise<RateOutcome>;
  /** Someone else tries to rate; resolves true when refused and nothing was recorded. */
  strangerRefused(a: Arrival): Promise<boolean>;
  /** Why a rating before the answer, or a second one of the same answer, cannot even be attempted here. */
  noEarlyOrRepeatRating?: string;
  /** The applicant's attempt to rate before any answer, where it takes another way than ratePoorly. */
  rateEarly?(a: Arrival): Promise<RateOutcome>;
}

const FIRST = 'Ответ Минжкх: управляющей компании выдано предписание.';
const SECOND = 'Ответ ГЖИ: проведена проверка, подача воды восстановлена.';
const THIRD = 'Повторный ответ Минжкх: проверка назначена.';
const OURS = 'obrashcheniya@region.test';
const b64 = (text: string) => Buffer.from(text).toString('base64');
/** The personal key of a rating link, which rides in its fragment. */
const keyOf = (link: string) => new URLSearchParams(new URL(link).hash.slice(1)).get('t')!;

describe('the whole lifecycle, once per channel (e2e)', () => {
  let stack: TestStack;
  let operator: SignedIn;
  const clerks: Record<string, SignedIn[]> = {};
  let org: Record<string, string>;
  let telegram: TelegramFake;
  let vk: VkFake;
  let ok: OkFake;
  let pos: PosFake;
  let medo: FakeMedoGateway;
  let dovecot: DovecotInstance;
  let smtp: SmtpReceiver;
  let tools: ReturnType<typeof feedTools>;

  beforeAll(async () => {
    // One after another: a start that fails must not leave another running unseen by afterAll.
    telegram = await TelegramFake.start();
    vk = await new VkFake().start();
    ok = await new OkFake().start();
    pos = new PosFake();
    await pos.start();
    medo = await FakeMedoGateway.create();
    dovecot = await startDovecot();
    smtp = await startSmtpReceiver();
    stack = await startTestStack({
      worker: true,
      env: {
        ...telegram.pollingEnv(),
        ...vk.env,
        ...ok.env,
        POS_BASE_URL: pos.baseUrl,
        POS_USERNAME: pos.credentials.username,
        POS_PASSWORD: pos.credentials.password,
        POS_CLIENT_ID: pos.credentials.clientId,
        POS_CLIENT_SECRET: pos.credentials.clientSecret,
        POS_REGION_ID: String(pos.regionId),
        POS_OPA_IDS: '220511,220512',
        POS_ORGANISATIONS: 'minzhkh=220511,mintrans=220512',
        POS_TIMEOUT_MS: '5000',
        POS_PULL_EVERY_MS: '3600000',
        MEDO_INBOUND_DIR: medo.inboundDir,
        MEDO_OUTBOUND_DIR: medo.outboundDir,
        MEDO_QUARANTINE_DIR: medo.quarantineDir,
        MEDO_PROCESSED_DIR: medo.processedDir,
        MEDO_PARTICIPANT_UID: OUR_UID,
        MEDO_ORGANISATION_NAME: OUR_ORGANISATION,
        MEDO_TIME_ZONE: 'Asia/Novosibirsk',
        MEDO_SETTLE_MS: '0',
        MEDO_PULL_EVERY_MS: '3600000',
        ...EMAIL_ENV(dovecot, smtp, OURS),
      },
    });
    tools = feedTools(stack);
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
    // The worker registers its history consumers at boot; the first appeal's notices must not be missed.
    await eventually(async () => {
      const rows = (await ds.query(
        `SELECT count(*)::int AS n FROM event_consumers
          WHERE name IN ('citizen-notices:telegram', 'citizen-notices:vk', 'citizen-notices:ok')`,
      )) as { n: number }[];
      return rows[0].n === 3 ? true : undefined;
    });
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([
      telegram?.stop(),
      vk?.stop(),
      ok?.stop(),
      pos?.stop(),
      medo?.close(),
      dovecot?.stop(),
      smtp?.stop(),
    ]);
  });

  const call = (method: string, path: string, who: SignedIn, body?: unknown) =>
    fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: who.headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const card = (id: string, who: SignedIn = operator) => json(call('GET', `/api/v1/appeals/${id}`, who));
  const query = (sql: string, params: unknown[] = []) => stack.db.dataSource.query(sql, params);
  const ratingCount = async (appealId: string) =>
    (
      (await query(`SELECT count(*)::int AS n FROM ratings WHERE appeal_id = $1`, [appealId])) as {
        n: number;
      }[]
    )[0].n;
  /** The appeal an applicant of a messenger channel has, once registered. */
  const appealOf = (channel: string, externalId: string) =>
    eventually(async () => {
      const [row] = (await query(
        `SELECT a.id AS "appealId", a.registration_number AS "registrationNumber"
           FROM appeals a JOIN applicants p ON p.id = a.applicant_id
          WHERE p.channel = $1 AND p.external_id = $2`,
        [channel, externalId],
      )) as Arrival[];
      return row;
    });
  /** How a channel's rating event was handled (inbound_events.outcome), as a RateOutcome. */
  const ratingOutcome = async (channel: string, externalId: string): Promise<RateOutcome | string> => {
    const outcome = await eventually(async () => {
      const [row] = (await query(
        `SELECT outcome FROM inbound_events WHERE channel = $1 AND external_id = $2`,
        [channel, externalId],
      )) as { outcome: string | null }[];
      return row?.outcome ?? undefined;
    });
    return outcome === 'poor' || outcome === 'ok' ? 'recorded' : outcome;
  };
  /** A rating the applicant gave staff (by phone, or in a letter): recorded through the staff API. */
  const staffRating = async (a: Arrival): Promise<RateOutcome> => {
    const res = await call('POST', `/api/v1/appeals/${a.appealId}/ratings`, operator, {
      answered: false,
      satisfaction: 'not-satisfied',
    });
    const body = (await res.json()) as { refused?: string; message?: string };
    if (res.status === 409) {
      expect(body.message).toContain('Ответ по обращению ещё не дан');
      return 'no-answer';
    }
    expect(res.status).toBeLessThan(300);
    return body.refused === 'already-rated' ? 'already-rated' : 'recorded';
  };
  /** Nobody outside the staff can rate where only staff record ratings: an unauthenticated call is refused. */
  const anonymousRefused = async (a: Arrival) => {
    const res = await fetch(`${stack.baseUrl}/api/v1/appeals/${a.appealId}/ratings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answered: false }),
    });
    return res.status === 401;
  };

  /**
   * A rating link from a letter, followed as the citizen's browser does: the page opens, its script reads what the
   * link rates, then sends the rating (the key in the request's body). The first refusal, or the rating's answer.
   */
  const followRatingLink = async (
    link: string,
    rating: { answered: boolean; satisfaction: string },
  ): Promise<{ status: number; body: { accepted?: boolean; message?: string } }> => {
    const url = new URL(link);
    expect(url.pathname).toBe('/rate.html');
    // The key only in the fragment, which the browser keeps to itself: the page's request carries none.
    expect(url.search).toBe('');
    const page = await fetch(`${stack.baseUrl}${url.pathname}${url.search}`);
    expect([page.status, (await page.text()).includes('Оценить ответ на обращение')]).toEqual([200, true]);
    const token = keyOf(link);
    const post = (path: string, body: unknown) =>
      fetch(`${stack.baseUrl}/api/v1/public/rating-links/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const read = await post('read', { token });
    if (read.status !== 200)
      return { status: read.status, body: (await read.json()) as { message?: string } };
    const rated = await post('rating', { token, ...rating });
    return { status: rated.status, body: (await rated.json()) as { accepted?: boolean; message?: string } };
  };

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
        const rows = (await query(`SELECT id FROM appeals WHERE registration_number = $1`, [
          created.registrationNumber,
        ])) as { id: string }[];
        return rows.length ? rows : undefined;
      });
      this.codes.set(created.registrationNumber, created.accessCode);
      return { appealId: row.id, registrationNumber: created.registrationNumber };
    },
    async received(a) {
      const status = await json(
        publicStatus(stack.baseUrl, a.registrationNumber, this.codes.get(a.registrationNumber)!),
      );
      return (status.answers as { text: string }[]).map((x) => x.text);
    },
    async ratePoorly(a) {
      const res = await publicRating(
        stack.baseUrl,
        a.registrationNumber,
        this.codes.get(a.registrationNumber)!,
        {
          answered: false,
          satisfaction: 'not-satisfied',
        },
      );
      const body = (await res.json()) as { accepted?: boolean; message?: string };
      if (res.status === 409) {
        expect(body.message).toContain('Ответ по обращению ещё не дан');
        return 'no-answer';
      }
      expect(res.status).toBeLessThan(300);
      return body.accepted === false ? 'already-rated' : 'recorded';
    },
    async strangerRefused(a) {
      const res = await publicRating(stack.baseUrl, a.registrationNumber, 'AAAAAAAA', {
        answered: false,
        satisfaction: 'not-satisfied',
      });
      return res.status === 404 && (await ratingCount(a.appealId)) === 0;
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
      const rows = (await query(`SELECT delivery_state FROM outbound_messages WHERE answer_id = $1`, [
        answerId,
      ])) as { delivery_state: string }[];
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
      const rows = (await query(
        `SELECT m.text FROM outbound_messages m WHERE m.appeal_id = $1 AND m.kind = 'answer'
            AND m.status = 'sent' AND m.delivery_state = 'handed-over:phone' ORDER BY m.sent_at`,
        [a.appealId],
      )) as { text: string }[];
      return rows.map((r) => r.text);
    },
    ratePoorly: staffRating,
    strangerRefused: anonymousRefused,
  };

  const email: ChannelDriver & { address: string; links(a: Arrival): Promise<string[]> } = {
    name: 'e-mail',
    address: 'kuznetsova@mail.example',
    async arrive() {
      const id = `lifecycle.${randomUUID()}@mail.example`;
      await dovecot.deliver(
        dovecot.users[0].user,
        [
          `From: =?UTF-8?B?${b64('Кузнецова Мария')}?= <${this.address}>`,
          `To: ${OURS}`,
          `Subject: =?UTF-8?B?${b64('Горячая вода')}?=`,
          'Date: Mon, 16 Nov 2026 09:30:00 +0700',
          `Message-ID: <${id}>`,
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: base64',
          '',
          b64('Третий день нет горячей воды в доме по ул. Ленина, 17, управляющая компания молчит.'),
          '',
        ].join('\r\n'),
      );
      expect(await tools.pull('email')).toMatchObject({ items: 1 });
      const { id: appealId, registrationNumber } = await tools.appeal('email', id);
      return { appealId, registrationNumber };
    },
    async received() {
      // Letters to the citizen that are not automatic notices, read as their mail client would.
      const answers = smtp
        .accepted()
        .filter((m) => m.to.includes(this.address) && !mailHeader(m, 'Auto-Submitted'));
      return Promise.all(answers.map(async (m) => (await readMail(m, this.address)).text));
    },
    /** The rating link under each answer letter, in the order the letters came. */
    async links(a) {
      return (await this.received(a)).map((text) => {
        const { links } = answerAndRatingLinks(text);
        expect(links).toHaveLength(1);
        return links[0];
      });
    },
    // Before any answer there is no link: the citizen writes the rating in a letter, and staff try to record it.
    rateEarly: staffRating,
    async ratePoorly(a) {
      // The link in the latest answer letter, followed as the citizen's browser does.
      const links = await this.links(a);
      const { status, body } = await followRatingLink(links[links.length - 1], {
        answered: false,
        satisfaction: 'not-satisfied',
      });
      expect(status).toBe(200);
      return body.accepted ? 'recorded' : 'already-rated';
    },
    async strangerRefused(a) {
      const before = await ratingCount(a.appealId);
      const [first, second] = await this.links(a);
      const poorly = { answered: false, satisfaction: 'not-satisfied' } as const;
      // A link nobody made, and the citizen's own link with one character of its key changed.
      const forged = second.replace(/t=[^&]+$/, `t=${randomBytes(32).toString('base64url')}`);
      const token = keyOf(second);
      const tampered = second.replace(
        token,
        token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21),
      );
      const invalid =
        'Ссылка для оценки недействительна. Откройте её из письма с ответом целиком, без изменений.';
      for (const link of [forged, tampered]) {
        expect(await followRatingLink(link, poorly)).toEqual({
          status: 404,
          body: expect.objectContaining({ message: invalid }),
        });
      }
      // A real link past its term (as if RATING_LINK_DAYS had gone by since the first answer).
      const firstToken = keyOf(first);
      await query(
        `UPDATE public_answer_links SET expires_at = now() - interval '1 minute' WHERE token_hash = $1`,
        [createHash('sha256').update(firstToken).digest('hex')],
      );
      expect(await followRatingLink(first, poorly)).toEqual({
        status: 410,
        body: expect.objectContaining({
          message:
            'Срок действия ссылки для оценки истёк. Чтобы оценить ответ, ответьте на письмо с ответом и напишите в ' +
            'нём свою оценку. Если обращение подано на портале и у вас есть код доступа, оценить ответ можно и на ' +
            'странице «Проверить статус обращения».',
        }),
      });
      return (await ratingCount(a.appealId)) === before;
    },
  };

  const telegramChat: ChannelDriver & { chat: number } = {
    name: 'Telegram',
    chat: 700_100_001,
    async arrive() {
      telegram.enqueue(telegram.callbackUpdate(this.chat, 'consent:accept'));
      await eventually(async () =>
        telegram.sentTo(this.chat).find((m) => m.text?.startsWith('Спасибо, согласие получено')),
      );
      telegram.enqueue(
        telegram.textUpdate(this.chat, 'Третий день нет горячей воды в доме по ул. Ленина, 19, УК молчит.'),
      );
      return appealOf('telegram', String(this.chat));
    },
    async received() {
      return telegram.sentTo(this.chat).flatMap((m) => (m.text === undefined ? [] : [m.text]));
    },
    async ratePoorly(a) {
      // The button of the rating request under each answer (pressing it before any answer: the same data).
      const press = telegram.callbackUpdate(this.chat, `rate:${a.registrationNumber}:sat:not-satisfied`) as {
        callback_query: { id: string };
      };
      telegram.enqueue(press);
      return (await ratingOutcome('telegram', press.callback_query.id)) as RateOutcome;
    },
    async strangerRefused(a) {
      const before = await ratingCount(a.appealId);
      const forged = telegram.callbackUpdate(
        this.chat + 9,
        `rate:${a.registrationNumber}:sat:not-satisfied`,
      ) as {
        callback_query: { id: string };
      };
      telegram.enqueue(forged);
      const outcome = await ratingOutcome('telegram', forged.callback_query.id);
      return outcome === 'not-applicant' && (await ratingCount(a.appealId)) === before;
    },
  };

  let vkLocalId = 1000;
  const vkUrl = () => `${stack.baseUrl}/api/v1/webhooks/vk`;
  const vkMessage = (peerId: number, fields: Record<string, unknown>): VkUpdate =>
    vk.event('message-new.json', (e) => {
      vkLocalId += 1;
      Object.assign(e.object.message, {
        peer_id: peerId,
        from_id: peerId,
        id: vkLocalId,
        conversation_message_id: vkLocalId,
        date: Math.floor(Date.now() / 1000),
        attachments: [],
        ...fields,
      });
    });
  /** A rating button pressed in the VK dialogue (the payload our rating keyboard carries). */
  const vkRate = async (peerId: number, registrationNumber: string) => {
    const update = vkMessage(peerId, {
      text: 'Не удовлетворён',
      payload: JSON.stringify({ rate: registrationNumber, sat: 'no' }),
    });
    expect((await vk.postCallback(vkUrl(), update)).status).toBe(200);
    return ratingOutcome('vk', `rate:${peerId}:${vkLocalId}`);
  };

  const vkDialogue: ChannelDriver & { peer: number } = {
    name: 'VK',
    peer: 310_100_001,
    async arrive() {
      const text = 'Третий день нет горячей воды в доме по ул. Ленина, 21, управляющая компания молчит.';
      expect((await vk.postCallback(vkUrl(), vkMessage(this.peer, { text }))).status).toBe(200);
      // Held until consent: the bot's notice carries the consent button, which the citizen presses.
      const notice = await eventually(async () =>
        vk.messages.find((m) => m.peerId === this.peer && m.message.includes('152-ФЗ') && m.keyboard),
      );
      const consent = (notice.keyboard as { buttons: { action: { label: string; payload: string } }[][] })
        .buttons[0][0].action;
      expect(
        (
          await vk.postCallback(
            vkUrl(),
            vkMessage(this.peer, { text: consent.label, payload: consent.payload }),
          )
        ).status,
      ).toBe(200);
      return appealOf('vk', String(this.peer));
    },
    async received() {
      return vk.messages.filter((m) => m.peerId === this.peer).map((m) => m.message);
    },
    async ratePoorly(a) {
      return (await vkRate(this.peer, a.registrationNumber)) as RateOutcome;
    },
    async strangerRefused(a) {
      const before = await ratingCount(a.appealId);
      const outcome = await vkRate(this.peer + 9, a.registrationNumber);
      return outcome === 'not-applicant' && (await ratingCount(a.appealId)) === before;
    },
  };

  const okText = (m: SentOkMessage) => String((m.body.message as { text?: string }).text ?? '');
  const okUrl = () => `${stack.baseUrl}/api/v1/webhooks/ok?secret=${encodeURIComponent(ok.webhookSecret)}`;
  const okSay = async (chatId: string, userId: string, text: string) => {
    const body = ok.webhookMessage((m) => {
      m.sender.user_id = userId;
      m.sender.name = 'Мария Кузнецова';
      m.recipient.chat_id = chatId;
      m.message.text = text;
    });
    expect((await ok.postWebhook(okUrl(), body)).status).toBe(200);
  };

  const okChat: ChannelDriver & { user: string; chat: string } = {
    name: 'OK',
    user: 'user:580000100001',
    chat: 'chat:C58bb0001',
    noEarlyOrRepeatRating:
      'OK has no buttons: typed digits are a rating only within the window our rating request opens',
    async arrive() {
      await okSay(this.chat, this.user, 'Третий день нет горячей воды в доме по ул. Ленина, 23, УК молчит.');
      await eventually(async () =>
        ok.messages.find((m) => m.chatId === this.chat && okText(m).includes('152-ФЗ')),
      );
      await okSay(this.chat, this.user, 'Согласен');
      return appealOf('ok', this.user);
    },
    async received() {
      return ok.messages.filter((m) => m.chatId === this.chat).map(okText);
    },
    async ratePoorly(a) {
      // The rating request under the latest answer asks for two digits: «2» (no answer), «3» (not satisfied).
      // The citizen types them after reading the request, which follows the answer.
      await eventually(async () => {
        const texts = ok.messages.filter((m) => m.chatId === this.chat).map(okText);
        const answers = texts.filter((t) => [FIRST, SECOND, THIRD].includes(t)).length;
        const requests = texts.filter((t) => t.startsWith('Пожалуйста, оцените ответ')).length;
        return answers > 0 && requests === answers ? true : undefined;
      });
      const before = await ratingCount(a.appealId);
      await okSay(this.chat, this.user, '2 3');
      await eventually(async () => ((await ratingCount(a.appealId)) > before ? true : undefined));
      return 'recorded';
    },
    async strangerRefused(a) {
      // Someone else types the digits in their own chat: no rating request of theirs is open, so nothing is
      // rated (the digits are held as an ordinary message until that person consents).
      const before = await ratingCount(a.appealId);
      const strangerChat = 'chat:C58bb0009';
      await okSay(strangerChat, 'user:580000100009', '2 3');
      await eventually(async () =>
        ok.messages.find((m) => m.chatId === strangerChat && okText(m).includes('152-ФЗ')),
      );
      return (await ratingCount(a.appealId)) === before;
    },
  };

  const posItem: ChannelDriver & { posId: number; ratedAt: number } = {
    name: 'ПОС',
    posId: 0,
    ratedAt: Date.parse('2026-12-01T00:00:00Z'),
    async arrive() {
      // Gosuslugi passed on no patronymic and no phone.
      const message = pos.addMessage({
        regime: 'APPEAL',
        applicant: { epguId: 1000299777, surname: 'Смирнова', name: 'Ольга', email: 'o.smirnova@example.ru' },
      });
      this.posId = message.posId;
      expect(await tools.pull('pos')).toMatchObject({ items: 1 });
      const { id, registrationNumber } = await tools.appeal('pos', String(message.posId));
      return { appealId: id, registrationNumber };
    },
    async received() {
      // What ПОС recorded as our responses to the message (SEND_RESPONSE events, in order).
      return pos.events
        .filter((e) => e.posId === this.posId && e.body.eventType === 'SEND_RESPONSE')
        .map((e) => String((e.body.answer as { comment?: string }).comment));
    },
    async ratePoorly() {
      // The citizen gives one star on Gosuslugi; it comes with the next pull of the feed.
      this.ratedAt += 60_000;
      const ratedAt = new Date(this.ratedAt).toISOString();
      pos.rateMessage(this.posId, { value: 1, answered: false, ratedAt });
      await tools.pull('pos');
      return (await ratingOutcome('pos', `rating:${this.posId}:${ratedAt}`)) as RateOutcome;
    },
    async strangerRefused(a) {
      // ПОС authenticates the citizen through Gosuslugi and rates only the portal's own message, so no
      // stranger reaches it there; what remains is our staff API, refused without a session.
      return anonymousRefused(a);
    },
  };

  const medoDocument: ChannelDriver & { documents: string[] } = {
    name: 'МЭДО',
    documents: [],
    async arrive() {
      const headerUid = randomUUID();
      const source = {
        uid: '7c0f5d2e-1a4b-4c3d-8e9f-0a1b2c3d4e5f',
        organisation: 'Министерство строительства и ЖКХ Российской Федерации',
      };
      await medo.deliverFolder(
        `${headerUid}_${source.uid}`,
        documentPackage({
          version: '2.6',
          encoding: 'windows-1251',
          headerUid,
          documentUid: randomUUID(),
          source,
          kind: 'Письмо',
          number: '12-3/И/4-567',
          date: '2026-11-12',
          annotation: 'О направлении обращения Кузнецовой О. по вопросу отсутствия горячей воды',
          addressee: { uid: OUR_UID, organisation: OUR_ORGANISATION },
          files: [{ name: 'Обращение.pdf', data: binaryFile('appeal'), group: 'Текст документа' }],
        }),
      );
      expect(await tools.pull('medo')).toMatchObject({ items: 1 });
      const { id, registrationNumber } = await tools.appeal('medo', headerUid);
      return { appealId: id, registrationNumber };
    },
    async received(a) {
      // Our «Документ» packages in the outbound folder, the answer's text in answer.txt (UTF-8 with BOM), in
      // the order we sent them (a package is named by its message's remote id).
      const order = (
        (await query(
          `SELECT remote_id FROM outbound_messages WHERE appeal_id = $1 AND kind = 'answer' AND status = 'sent'
            ORDER BY sent_at`,
          [a.appealId],
        )) as { remote_id: string }[]
      ).map((r) => r.remote_id);
      const packages = (await medo.outbound()).filter((p) => p.passport.includes('xdms:type="Документ"'));
      return order.flatMap((remoteId) => {
        const p = packages.find((x) => x.name === `${remoteId}_${OUR_UID}`);
        return p
          ? [
              p.files
                .get('answer.txt')!
                .toString('utf8')
                .replace(/^\uFEFF/, ''),
            ]
          : [];
      });
    },
    ratePoorly: staffRating,
    strangerRefused: anonymousRefused,
  };

  it.each([
    website,
    operatorCall,
    email,
    telegramChat,
    vkDialogue,
    okChat,
    posItem,
    medoDocument,
  ] as ChannelDriver[])('$name', async (channel) => {
    const a = await channel.arrive();

    // A rating before any answer is refused with a clear message.
    if (!channel.noEarlyOrRepeatRating)
      expect(await (channel.rateEarly ?? channel.ratePoorly).call(channel, a)).toBe('no-answer');
    expect(await ratingCount(a.appealId)).toBe(0);

    // The card says what escalation lacks; staff complete it.
    const incomplete = await card(a.appealId);
    expect(Object.keys(incomplete.escalationRequires)).toEqual(expect.arrayContaining(['topicId']));
    expect(Object.keys(incomplete.escalationRequires).some((k) => k.startsWith('applicant.'))).toBe(true);
    expect(
      (
        await call('PATCH', `/api/v1/appeals/${a.appealId}/card`, operator, {
          subject: 'Нет горячей воды',
          applicant: {
            surname: 'Кузнецова',
            firstName: 'Ольга',
            patronymic: 'Ивановна',
            phone: '+7 913 555-12-34',
          },
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
    const first = await answer(a.appealId, 'minzhkh', FIRST);
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
    const second = await answer(a.appealId, 'housing-inspection', SECOND);
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

    // The citizen has both answers, in this order, in the channel of origin.
    const answers = (got: string[]) => got.filter((t) => [FIRST, SECOND, THIRD].some((x) => t.includes(x)));
    const texts = await eventually(async () => {
      const got = answers(await channel.received(a));
      return got.length >= 2 ? got : undefined;
    });
    expect(texts).toEqual([expect.stringContaining(FIRST), expect.stringContaining(SECOND)]);

    // A stranger cannot rate.
    expect(await channel.strangerRefused(a)).toBe(true);

    // Round 1: a poor rating of the inspection's answer reopens the appeal at its superior (Минжкх).
    expect(await channel.ratePoorly(a)).toBe('recorded');
    let c = await eventually(async () => {
      const now = await card(a.appealId);
      return now.status === 'reopened' ? now : undefined;
    });
    expect(c.organisationId).toBe(org.minzhkh);
    // The same answer is not rated twice.
    if (!channel.noEarlyOrRepeatRating) expect(await channel.ratePoorly(a)).toBe('already-rated');

    // Round 2: Минжкх answers again, is rated poorly, and the appeal climbs to the region.
    const third = await answer(a.appealId, 'minzhkh', THIRD);
    await channel.deliver?.(a, third);
    await eventually(async () => (answers(await channel.received(a)).length === 3 ? true : undefined));
    expect(await channel.ratePoorly(a)).toBe('recorded');
    c = await eventually(async () => {
      const now = await card(a.appealId);
      return now.status === 'reopened' && now.organisationId === org.region ? now : undefined;
    });
    const records = (await query(
      `SELECT organisation_id, superior_organisation_id FROM poor_rating_records WHERE appeal_id = $1 ORDER BY id`,
      [a.appealId],
    )) as { organisation_id: string; superior_organisation_id: string }[];
    expect(records).toEqual([
      { organisation_id: org.inspection, superior_organisation_id: org.minzhkh },
      { organisation_id: org.minzhkh, superior_organisation_id: org.region },
    ]);
  });
});
