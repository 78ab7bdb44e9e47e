import { createHash, randomBytes } from 'node:crypto';
import { Role } from '@inbox/access';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { type SentRecord, TelegramFake } from '../fakes/telegram/telegram-fake';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import { answerAppeal } from './feed-helpers';

/** A tiny but real JPEG (SOI, JFIF APP0, EOI): what the citizen's phone sends as a photo. */
const PHOTO = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');

/**
 * The worker registers its history consumers at boot; from then on every event is queued for them (a fresh
 * install does not notify about the past): wait for it, so that the first appeal's notices are not missed.
 */
async function hooksLive(stack: TestStack): Promise<void> {
  await eventually(async () => {
    const rows = await stack.db.dataSource.query(
      `SELECT 1 FROM event_consumers WHERE name = 'citizen-notices:telegram'`,
    );
    return rows.length ? true : undefined;
  });
}

/**
 * Issue 4 end to end for Telegram, through the real api + worker and the local Bot API fake: the bot's
 * consent dialogue, a photo appeal registered with its file, the answer in the same chat, rating buttons, a
 * poor rating reopened upward; duplicates, a 429, and webhooks with a forged secret.
 */
describe('Telegram channel (e2e)', () => {
  describe('long polling', () => {
    let fake: TelegramFake;
    let stack: TestStack;
    let operator: SignedIn;
    let housingClerk: SignedIn;
    let housingColleague: SignedIn;
    let supervisor: SignedIn;
    let org: Record<string, string>;
    const chat = 700_000_001;
    let appealId = '';
    let number = '';
    let photoMessageId = 0;

    beforeAll(async () => {
      fake = await TelegramFake.start();
      stack = await startTestStack({
        worker: true,
        env: {
          ...fake.pollingEnv(),
        },
      });
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
      await hooksLive(stack);
    });
    afterAll(async () => {
      await stack?.close();
      await fake?.stop();
    });

    const post = (path: string, who: SignedIn, body: unknown = {}) =>
      fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: who.headers, body: JSON.stringify(body) });
    const card = (id: string) =>
      json(fetch(`${stack.baseUrl}/api/v1/appeals/${id}`, { headers: supervisor.headers }));
    const sent = (chatId: number, match: (text: string) => boolean) =>
      eventually(async () => fake.sentTo(chatId).find((m) => m.text !== undefined && match(m.text)));
    const query = (sql: string, params: unknown[] = []) => stack.db.dataSource.query(sql, params);

    it('greets with the consent notice, holds a message until consent, then registers it with its photo', async () => {
      // Polling needs no webhook: the worker removed any left behind.
      await eventually(async () => (fake.callsOf('deleteWebhook').length > 0 ? true : undefined));

      fake.enqueue(fake.textUpdate(chat, '/start'));
      const greeting = await sent(chat, (t) => t.includes('152-ФЗ'));
      expect(greeting.text).toContain('Здравствуйте');
      expect(greeting.replyMarkup?.inline_keyboard).toEqual([
        [{ text: 'Согласен на обработку персональных данных', callback_data: 'consent:accept' }],
      ]);

      // Before consent the message is kept whole but not registered (152-ФЗ).
      const photo = fake.photoUpdate(
        chat,
        PHOTO,
        'Во дворе дома 5 по ул. Ленина третий день прорвана труба, вода заливает подвал.',
      ) as { message: { message_id: number } };
      photoMessageId = photo.message.message_id;
      fake.enqueue(photo);
      await eventually(async () => {
        const [row] = await query(
          `SELECT status FROM inbound_items WHERE channel = 'telegram' AND external_id = $1`,
          [`${chat}:${photoMessageId}`],
        );
        return row?.status === 'awaiting-consent' ? row : undefined;
      });
      expect(await query(`SELECT id FROM appeals WHERE channel = 'telegram'`)).toEqual([]);
      // Asked a moment ago: the bot does not repeat the notice for every message.
      expect(fake.sentTo(chat).filter((m) => m.text?.includes('152-ФЗ'))).toHaveLength(1);

      const press = fake.callbackUpdate(chat, 'consent:accept', greeting.messageId) as {
        callback_query: { id: string };
      };
      fake.enqueue(press);
      await sent(chat, (t) =>
        t.startsWith('Спасибо, согласие получено. Сообщения, отправленные вами раньше'),
      );
      expect(fake.callbackAnswers).toContainEqual(
        expect.objectContaining({ callbackQueryId: press.callback_query.id, text: 'Согласие получено' }),
      );
      expect(
        await query(
          `SELECT notice_version FROM channel_consents WHERE channel = 'telegram' AND author_external_id = $1`,
          [String(chat)],
        ),
      ).toEqual([{ notice_version: expect.stringMatching(/^pd-notice-/) }]);

      const [appeal] = await eventually(async () => {
        const rows = await query(`SELECT id, registration_number FROM appeals WHERE channel = 'telegram'`);
        return rows.length ? rows : undefined;
      });
      appealId = appeal.id;
      number = appeal.registration_number;
      const registered = await sent(chat, (t) => t.startsWith(`Обращение зарегистрировано, № ${number}`));
      const c = await card(appealId);
      // No phone from a messenger: under the number, the one-press "share my number" button (S0 needs it).
      expect(registered.text).toBe(
        `Обращение зарегистрировано, № ${number}.\nСрок рассмотрения — 30 дней со дня регистрации, ` +
          `ответ будет направлен не позднее ${c.answerDueDate.split('-').reverse().join('.')}.\n` +
          'Узнать, как идёт рассмотрение, можно командой /my.\n' +
          'Если вы хотите, чтобы специалист мог позвонить вам по обращению, нажмите кнопку ' +
          '«Поделиться номером телефона» внизу экрана.',
      );
      expect(registered.replyMarkup).toMatchObject({
        keyboard: [[{ text: 'Поделиться номером телефона', request_contact: true }]],
        one_time_keyboard: true,
      });
      expect(registered.replyToMessageId).toBe(photoMessageId);
      expect(c).toMatchObject({
        channel: 'telegram',
        status: 'registered',
        text: expect.stringContaining('прорвана труба'),
        applicant: { displayName: 'Пётр Орлов' },
      });
      const [applicant] = await query(
        `SELECT p.external_id FROM appeals a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = $1`,
        [appealId],
      );
      expect(applicant.external_id).toBe(String(chat));

      // The photo was only a file_id: the worker downloads it through getFile and stores it by hash.
      const stored = await eventually(async () => {
        const x = await card(appealId);
        return x.attachments[0]?.status === 'stored' ? x.attachments : undefined;
      });
      expect(stored).toEqual([
        expect.objectContaining({
          contentType: 'image/jpeg',
          size: PHOTO.length,
          sha256: createHash('sha256').update(PHOTO).digest('hex'),
          status: 'stored',
        }),
      ]);
      const [content] = await query(`SELECT content FROM attachment_contents WHERE sha256 = $1`, [
        stored[0].sha256,
      ]);
      expect(Buffer.compare(content.content, PHOTO)).toBe(0);
    });

    it('answers /my and /status with the citizen’s own appeals only', async () => {
      fake.enqueue(fake.textUpdate(chat, '/my'));
      const mine = await sent(chat, (t) => t.startsWith('Ваши обращения:'));
      expect(mine.text).toMatch(
        new RegExp(`№ ${number} от \\d\\d\\.\\d\\d\\.\\d{4} — Зарегистрировано, срок ответа до`),
      );

      fake.enqueue(fake.textUpdate(chat, `/status ${number}`));
      await sent(chat, (t) => t.startsWith(`Обращение № ${number} от`) && t.includes('Зарегистрировано'));

      // Someone else's number is "not found", however real it is.
      fake.enqueue(fake.textUpdate(chat + 1, `/status ${number}`));
      await sent(chat + 1, (t) => t.startsWith(`Обращение № ${number} не найдено среди ваших обращений`));

      fake.enqueue(fake.textUpdate(chat, '/help'));
      await sent(chat, (t) => t.startsWith('Что умеет бот:'));
    });

    it('notes on the appeal that the citizen blocked the bot, and that they unblocked it', async () => {
      const bot = { id: 5_000_000_001, is_bot: true, first_name: 'Бот' };
      const membership = (status: string, before: string, date: number) => ({
        my_chat_member: {
          chat: { id: chat, first_name: 'Иван', type: 'private' },
          from: { id: chat, is_bot: false, first_name: 'Иван' },
          date,
          old_chat_member: { user: bot, status: before },
          new_chat_member: { user: bot, status, ...(status === 'kicked' ? { until_date: 0 } : {}) },
        },
      });
      const notes = async () =>
        ((await card(appealId)).history as { type: string }[])
          .map((e) => e.type)
          .filter((type) => type.startsWith('dialogue-'))
          .sort();
      const now = Math.floor(Date.now() / 1000);
      fake.enqueue(membership('kicked', 'member', now));
      await eventually(async () => ((await notes()).length === 1 ? true : undefined));
      fake.enqueue(membership('member', 'kicked', now + 60));
      await eventually(async () => ((await notes()).length === 2 ? true : undefined));
      expect(await notes()).toEqual(['dialogue-closed', 'dialogue-reopened']);
    });

    it('answers in the same chat, asks for a rating with buttons and reopens a poor one upward', async () => {
      // S0 needs the applicant's name, patronymic and phone to escalate, which no messenger gives. The citizen
      // presses the contact button (someone else's contact forwarded first changes nothing); line 1 completes
      // the rest of the card.
      fake.enqueue(fake.contactUpdate(chat, '+7 913 000-00-09', 42));
      fake.enqueue(fake.contactUpdate(chat, '+7 913 000-00-01'));
      const withPhone = await eventually(async () => {
        const x = await card(appealId);
        return x.applicant.phone ? x : undefined;
      });
      expect(withPhone.applicant.phone).toBe('+79130000001');
      expect(Object.keys(withPhone.escalationRequires)).not.toContain('applicant.phone');
      expect(withPhone.history.map((e: { type: string }) => e.type)).toContain('card-updated');
      expect(
        (
          await fetch(`${stack.baseUrl}/api/v1/appeals/${appealId}/card`, {
            method: 'PATCH',
            headers: operator.headers,
            body: JSON.stringify({ applicant: { firstName: 'Андрей', patronymic: 'Петрович' } }),
          })
        ).status,
      ).toBe(200);
      const escalated = await post(`/api/v1/appeals/${appealId}/escalate`, operator, {
        organisationIds: [org.minzhkh],
        topicId: org.housing,
        subject: 'Прорыв трубы, затоплен подвал',
      });
      expect(escalated.status).toBe(204);
      await sent(
        chat,
        (t) => t === `Обращение № ${number} передано на рассмотрение: Министерство ЖКХ и энергетики.`,
      );

      const answerText = 'Управляющей компании выдано предписание: трубу заменят до пятницы, подвал осушат.';
      const draft = await json(
        post(`/api/v1/appeals/${appealId}/answers`, housingClerk, { text: answerText }),
      );
      expect(
        (await post(`/api/v1/appeals/${appealId}/answers/${draft.id}/approve`, housingColleague)).status,
      ).toBe(204);
      expect((await post(`/api/v1/appeals/${appealId}/answers/${draft.id}/send`, housingClerk)).status).toBe(
        204,
      );

      const answer = await sent(chat, (t) => t === answerText);
      expect(answer.replyToMessageId).toBe(photoMessageId);
      const request: SentRecord = await sent(chat, (t) =>
        t.startsWith(`Пожалуйста, оцените ответ на обращение № ${number}`),
      );
      expect(request.messageId).toBeGreaterThan(answer.messageId);
      const buttons = request.replyMarkup!.inline_keyboard!.flat().map((b) => b.callback_data);
      expect(buttons).toEqual([
        `rate:${number}:answered:yes`,
        `rate:${number}:answered:no`,
        `rate:${number}:sat:satisfied`,
        `rate:${number}:sat:partially`,
        `rate:${number}:sat:not-satisfied`,
      ]);

      const answered = fake.callbackUpdate(chat, `rate:${number}:answered:no`, request.messageId) as {
        callback_query: { id: string };
      };
      const satisfied = fake.callbackUpdate(chat, `rate:${number}:sat:not-satisfied`, request.messageId) as {
        callback_query: { id: string };
      };
      // A stranger who knows the number presses a forged button in their own chat: refused, nothing recorded.
      const stranger = fake.callbackUpdate(chat + 9, `rate:${number}:sat:not-satisfied`) as {
        callback_query: { id: string };
      };
      fake.enqueue(stranger);
      const refusal = await eventually(async () =>
        fake.callbackAnswers.find((a) => a.callbackQueryId === stranger.callback_query.id),
      );
      expect(refusal.text).toBe('Оценить ответ может только автор обращения');
      expect(await query(`SELECT id FROM ratings WHERE appeal_id = $1`, [appealId])).toEqual([]);

      fake.enqueue(answered);
      fake.enqueue(satisfied);
      const reopened = await eventually(async () => {
        const x = await card(appealId);
        return x.status === 'reopened' ? x : undefined;
      });
      expect(reopened.organisationId).toBe(org.region);
      await eventually(async () =>
        fake.callbackAnswers.filter((a) =>
          [answered, satisfied].some((p) => p.callback_query.id === a.callbackQueryId),
        ).length === 2
          ? true
          : undefined,
      );
      expect(
        fake.callbackAnswers.find((a) => a.callbackQueryId === answered.callback_query.id)?.text,
      ).toMatch(/^Спасибо за оценку/);
      expect(
        await query(
          `SELECT answered, satisfaction, poor FROM ratings WHERE appeal_id = $1 ORDER BY received_at`,
          [appealId],
        ),
      ).toEqual(
        expect.arrayContaining([
          { answered: false, satisfaction: null, poor: true },
          { answered: null, satisfaction: 'not-satisfied', poor: true },
        ]),
      );
      await sent(chat, (t) =>
        t.startsWith(
          `Обращение № ${number} направлено на повторное рассмотрение: Правительство Северной области.`,
        ),
      );
    });

    it('takes a rating typed as digits with the reason after them, as OK does, and thanks in the chat', async () => {
      const typist = 700_000_003;
      fake.enqueue(fake.callbackUpdate(typist, 'consent:accept'));
      await sent(typist, (t) => t.startsWith('Спасибо, согласие получено'));
      fake.enqueue(fake.textUpdate(typist, 'На ул. Садовой, 3 не вывозят мусор вторую неделю.'));
      const [appeal] = await eventually(async () => {
        const rows = await query(
          `SELECT a.id, a.registration_number FROM appeals a JOIN applicants p ON p.id = a.applicant_id
            WHERE p.channel = 'telegram' AND p.external_id = $1`,
          [String(typist)],
        );
        return rows.length ? rows : undefined;
      });
      await query(
        `UPDATE applicants SET surname = 'Ершов', first_name = 'Олег', patronymic = 'Ильич', phone = '+79130000011'
          WHERE id = (SELECT applicant_id FROM appeals WHERE id = $1)`,
        [appeal.id],
      );
      expect(
        (
          await post(`/api/v1/appeals/${appeal.id}/escalate`, operator, {
            organisationIds: [org.minzhkh],
            topicId: org.housing,
            subject: 'Не вывозят мусор',
          })
        ).status,
      ).toBe(204);
      await answerAppeal(stack, appeal.id, housingClerk, housingColleague, 'Вывоз возобновлён.');
      await sent(typist, (t) =>
        t.startsWith(`Пожалуйста, оцените ответ на обращение № ${appeal.registration_number}`),
      );
      await eventually(async () => {
        const [m] = await query(
          `SELECT status FROM outbound_messages WHERE appeal_id = $1 AND kind = 'rating-request'`,
          [appeal.id],
        );
        return m?.status === 'sent' ? true : undefined;
      });

      fake.enqueue(fake.textUpdate(typist, '2 3 мусор так и лежит'));
      await sent(
        typist,
        (t) =>
          t ===
          `Спасибо за оценку ответа на обращение № ${appeal.registration_number}. Мы рассмотрим его повторно.`,
      );
      expect(
        await query(`SELECT answered, satisfaction, comment FROM ratings WHERE appeal_id = $1`, [appeal.id]),
      ).toEqual([{ answered: false, satisfaction: 'not-satisfied', comment: 'мусор так и лежит' }]);
      expect((await card(appeal.id)).status).toBe('reopened');
    });

    it('makes one appeal of an update delivered twice, and sends once through a 429', async () => {
      const other = 700_000_002;
      // No /start: the first message itself brings the notice with the consent button.
      const update = fake.textUpdate(other, 'Не вывозят мусор с контейнерной площадки на ул. Мира, 7.');
      fake.enqueue(update);
      fake.enqueue(update);
      const notice = await sent(other, (t) => t.startsWith('Ваше сообщение получено и сохранено'));
      expect(notice.text).toContain('152-ФЗ');
      fake.enqueue(fake.callbackUpdate(other, 'consent:accept', notice.messageId));
      const [appeal] = await eventually(async () => {
        const rows = await query(
          `SELECT a.id, a.registration_number FROM appeals a JOIN applicants p ON p.id = a.applicant_id
            WHERE p.channel = 'telegram' AND p.external_id = $1`,
          [String(other)],
        );
        return rows.length ? rows : undefined;
      });
      await sent(other, (t) => t.startsWith(`Обращение зарегистрировано, № ${appeal.registration_number}`));
      const message = (update as { message: { message_id: number } }).message;
      expect(
        await query(
          `SELECT count(*)::int AS n FROM inbound_items WHERE channel = 'telegram' AND external_id = $1`,
          [`${other}:${message.message_id}`],
        ),
      ).toEqual([{ n: 1 }]);
      await new Promise((r) => setTimeout(r, 1500));
      expect(
        await query(
          `SELECT count(*)::int AS n FROM appeals a JOIN applicants p ON p.id = a.applicant_id
            WHERE p.channel = 'telegram' AND p.external_id = $1`,
          [String(other)],
        ),
      ).toEqual([{ n: 1 }]);

      // Telegram answers the next send 429 "retry after 1": it goes out once, a second later.
      fake.setScenario('rate-limited', { count: 1, retryAfter: 1, methods: ['sendMessage'] });
      expect((await post(`/api/v1/appeals/${appeal.id}/take`, operator)).status).toBe(204);
      expect(
        (
          await post(`/api/v1/appeals/${appeal.id}/redirect`, operator, {
            body: 'Администрация района',
            reason: 'Вопрос ведения района',
          })
        ).status,
      ).toBe(204);
      await sent(other, (t) => t.includes('передано'));
      const limited = fake.calls.filter((c) => c.method === 'sendMessage' && c.status === 429);
      expect(limited).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 1500));
      expect(fake.sentTo(other).filter((m) => m.text?.includes('передано'))).toHaveLength(1);
      expect(
        await query(
          `SELECT status, attempts FROM outbound_messages WHERE appeal_id = $1 AND kind = 'status-notice'`,
          [appeal.id],
        ),
      ).toEqual([{ status: 'sent', attempts: 2 }]);
    });
  });

  describe('webhook', () => {
    let fake: TelegramFake;
    let stack: TestStack;
    const secret = `wh_${randomBytes(12).toString('hex')}`;
    const publicUrl = 'https://inbox.region.test/api/v1/webhooks/telegram';
    let url = '';

    beforeAll(async () => {
      fake = await TelegramFake.start();
      stack = await startTestStack({
        worker: true,
        env: {
          TELEGRAM_BOT_TOKEN: fake.token,
          TELEGRAM_API_ROOT: fake.apiRoot,
          TELEGRAM_WEBHOOK_URL: publicUrl,
          TELEGRAM_WEBHOOK_SECRET: secret,
        },
      });
      url = `${stack.baseUrl}/api/v1/webhooks/telegram`;
      await hooksLive(stack);
    });
    afterAll(async () => {
      await stack?.close();
      await fake?.stop();
    });

    const count = async (table: string) =>
      (await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

    it('registers the webhook with its secret at start-up and takes updates through it', async () => {
      const webhook = await eventually(async () => fake.webhook ?? undefined);
      expect(webhook).toMatchObject({ url: publicUrl, secretToken: secret });
      expect(webhook.allowedUpdates).toEqual([
        'message',
        'edited_message',
        'callback_query',
        'business_message',
        'edited_business_message',
        'deleted_business_messages',
        'my_chat_member',
      ]);

      const chat = 700_000_003;
      const consent = await fake.pushToWebhook(fake.callbackUpdate(chat, 'consent:accept'), { url });
      expect(consent.status).toBe(200);
      await eventually(async () =>
        fake.sentTo(chat).find((m) => m.text?.startsWith('Спасибо, согласие получено')),
      );

      const update = fake.textUpdate(chat, 'На остановке «Школа № 12» разбито стекло павильона.');
      expect((await fake.pushToWebhook(update, { url })).status).toBe(200);
      // Telegram re-sends an update it thinks was not delivered: the same message, another update_id.
      expect((await fake.pushToWebhook(update, { url })).status).toBe(200);
      const notice = await eventually(async () =>
        fake.sentTo(chat).find((m) => m.text?.startsWith('Обращение зарегистрировано, №')),
      );
      const [{ n }] = await stack.db.dataSource.query(
        `SELECT count(*)::int AS n FROM appeals a JOIN applicants p ON p.id = a.applicant_id
          WHERE p.channel = 'telegram' AND p.external_id = $1`,
        [String(chat)],
      );
      expect(n).toBe(1);
      expect(notice.replyToMessageId).toBe(
        (update as { message: { message_id: number } }).message.message_id,
      );
    });

    it('refuses a forged webhook (wrong or missing secret) and stores nothing', async () => {
      const before = { items: await count('inbound_items'), events: await count('inbound_events') };
      const wrong = await fake.pushToWebhook(fake.textUpdate(700_000_004, 'Поддельное обращение'), {
        url,
        secret: 'not-the-secret',
      });
      const missing = await fake.pushToWebhook(fake.callbackUpdate(700_000_004, 'consent:accept'), {
        url,
        secret: null,
      });
      expect(wrong.status).toBe(403);
      expect(missing.status).toBe(401);
      await new Promise((r) => setTimeout(r, 500));
      expect({ items: await count('inbound_items'), events: await count('inbound_events') }).toEqual(before);
      expect(fake.sentTo(700_000_004)).toEqual([]);
    });
  });
});
