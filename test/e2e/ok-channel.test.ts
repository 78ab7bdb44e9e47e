import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Role } from '@inbox/access';
import { idOf } from '../factories/directory';
import { attachToAnswer, signInAs, type SignedIn } from '../factories/staff';
import { type OkFake, type SentOkMessage } from '../fakes/ok/ok-fake';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { watchProblems } from '../support/page-problems';
import { refuseInserts } from '../support/database-faults';
import { okText as textOf, startOkStack, type OkStack } from '../support/ok-stack';
import { eventually, json, type TestStack } from '../support/test-stack';
import { answerAppeal } from './feed-helpers';

const PHOTO = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');

/**
 * The worker registers its history consumers at boot; from then on every event is queued for them (a fresh
 * install does not notify about the past): wait for it, so that the first appeal's notices are not missed.
 */
async function hooksLive(stack: TestStack): Promise<void> {
  await eventually(async () => {
    const rows = await stack.db.dataSource.query(
      `SELECT 1 FROM event_consumers WHERE name = 'citizen-notices:ok'`,
    );
    return rows.length ? true : undefined;
  });
}

/**
 * Issue 4 end to end for an OK group, through the real api + worker and the local OK fake. OK has no buttons:
 * consent is the word «Согласен» and the rating is two digits, typed in reply; everything else as in Telegram
 * and VK — a photo appeal, the answer in the same chat, a poor rating reopened upward, duplicates, a 429 and a
 * forged webhook.
 */
describe('OK channel (e2e)', () => {
  let ok: OkStack;
  let fake: OkFake;
  let stack: TestStack;
  let url = '';
  let operator: SignedIn;
  let housingClerk: SignedIn;
  let housingColleague: SignedIn;
  let supervisor: SignedIn;
  let org: Record<string, string>;
  const publicUrl = 'https://inbox.region.test/api/v1/webhooks/ok';
  const user = 'user:580000000001';
  const chat = 'chat:C58aa0001';
  let appealId = '';
  let number = '';
  let browser: Browser | undefined;

  beforeAll(async () => {
    ok = await startOkStack({ OK_WEBHOOK_URL: publicUrl });
    ({ fake, stack, url } = ok);
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
    await browser?.close();
    await ok?.close();
  });

  const post = (path: string, who: SignedIn, body: unknown = {}) =>
    fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: who.headers, body: JSON.stringify(body) });
  const card = (id: string) =>
    json(fetch(`${stack.baseUrl}/api/v1/appeals/${id}`, { headers: supervisor.headers }));
  const query = (sql: string, params: unknown[] = []) => stack.db.dataSource.query(sql, params);
  const sent = (chatId: string, match: (text: string) => boolean): Promise<SentOkMessage> =>
    eventually(async () => fake.messages.find((m) => m.chatId === chatId && match(textOf(m))));
  const message = (chatId: string, userId: string, text: string) => ok.message(chatId, userId, text);
  /**
   * The fake has the rating request a moment before the worker records it sent, and the bot takes typed digits as
   * the rating only of a request recorded sent: under load, digits typed in between were an appeal.
   */
  const ratingRequestRecorded = (id: string) =>
    eventually(async () => {
      const [m] = await query(
        `SELECT status FROM outbound_messages WHERE appeal_id = $1 AND kind = 'rating-request'`,
        [id],
      );
      return m?.status === 'sent' ? true : undefined;
    });
  const say = (chatId: string, userId: string, text: string) => ok.say(chatId, userId, text);
  /**
   * `text` typed in the chat while the database refuses new rows in `table` (as while Postgres restarts), until
   * a moment after the bot consumed the message: what it carried must be handled when the database is back.
   */
  const sayWhileRefused = async (text: string, table: string) => {
    const restore = await refuseInserts(stack.db.dataSource, table);
    try {
      await say(chat, user, text);
      await eventually(async () => {
        const [item] = await query(
          `SELECT status FROM inbound_items WHERE channel = 'ok' AND payload->>'text' = $1`,
          [text],
        );
        return item?.status === 'dialogue' ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await restore();
    }
  };

  it('subscribes its webhook (with the secret) at start-up', async () => {
    const subscription = await eventually(async () => fake.subscriptions[0]);
    const subscribed = new URL(subscription.url);
    expect(`${subscribed.origin}${subscribed.pathname}`).toBe(publicUrl);
    expect(subscribed.searchParams.get('secret')).toBe(fake.webhookSecret);
  });

  it('holds a photo message until the citizen types «Согласен» (its handling broken off once), then registers it with the photo', async () => {
    const photoUrl = fake.addFile('ok-photo.jpg', PHOTO, 'image/jpeg');
    const first = fake.withAttachments(
      message(chat, user, 'Возле школы № 7 на ул. Садовой открыт канализационный колодец.'),
      [{ type: 'IMAGE', url: photoUrl }],
    );
    expect((await fake.postWebhook(url, first)).status).toBe(200);
    const notice = await sent(chat, (t) => t.startsWith('Ваше сообщение получено и сохранено'));
    expect(textOf(notice)).toContain('152-ФЗ');
    expect(textOf(notice)).toContain('ответьте на это сообщение словом «Согласен»');
    expect(await query(`SELECT status FROM inbound_items WHERE channel = 'ok'`)).toEqual([
      { status: 'awaiting-consent' },
    ]);

    // The database refuses the consent for a while (as while Postgres restarts): the typed «Согласен», consumed
    // as a reply to the bot, was the consent's only copy. It is kept until handled now, and retried.
    await sayWhileRefused('Согласен', 'channel_consents');
    await sent(chat, (t) => t.startsWith('Спасибо, согласие получено. Сообщения, отправленные вами раньше'));
    const [appeal] = await eventually(async () => {
      const rows = await query(`SELECT id, registration_number FROM appeals WHERE channel = 'ok'`);
      return rows.length ? rows : undefined;
    });
    appealId = appeal.id;
    number = appeal.registration_number;
    const c = await card(appealId);
    await sent(
      chat,
      (t) =>
        t ===
        `Обращение зарегистрировано, № ${number}.\nСрок рассмотрения — 30 дней со дня регистрации, ` +
          `ответ будет направлен не позднее ${c.answerDueDate.split('-').reverse().join('.')}.\n` +
          'Узнать, как идёт рассмотрение, можно, написав «Мои обращения».',
    );
    expect(c).toMatchObject({
      channel: 'ok',
      text: expect.stringContaining('канализационный колодец'),
      applicant: { displayName: 'Мария Кузнецова' },
    });
    // «Согласен» was a reply to the bot, not an appeal and not a follow-up.
    expect(
      await query(
        `SELECT status, count(*)::int AS n FROM inbound_items WHERE channel = 'ok' GROUP BY status ORDER BY status`,
      ),
    ).toEqual([
      { status: 'dialogue', n: 1 },
      { status: 'processed', n: 1 },
    ]);
    const stored = await eventually(async () => {
      const x = await card(appealId);
      return x.attachments[0]?.status === 'stored' ? x.attachments : undefined;
    });
    expect(stored).toEqual([
      expect.objectContaining({
        contentType: 'image/jpeg',
        size: PHOTO.length,
        sha256: createHash('sha256').update(PHOTO).digest('hex'),
      }),
    ]);
  });

  it('answers in the same chat, takes a typed rating (its handling broken off once) and reopens a poor one upward', async () => {
    // S0 needs name, patronymic and phone to escalate; OK gives a display name only: line 1 completes the card.
    await query(
      `UPDATE applicants SET first_name = 'Мария', patronymic = 'Ивановна', phone = '+79130000003'
        WHERE id = (SELECT applicant_id FROM appeals WHERE id = $1)`,
      [appealId],
    );
    expect(
      (
        await post(`/api/v1/appeals/${appealId}/escalate`, operator, {
          organisationIds: [org.minzhkh],
          topicId: org.housing,
          subject: 'Открытый колодец у школы',
        })
      ).status,
    ).toBe(204);
    const answerText = 'Колодец закрыт крышкой, подрядчику выдано предписание.';
    const draft = await json(post(`/api/v1/appeals/${appealId}/answers`, housingClerk, { text: answerText }));
    // OK carries no files: the clerk is told on the card, where files are attached, before anything is sent.
    expect((await card(appealId)).answerFilesNotice).toBe(
      'Одноклассники не передают файлы: заявитель получит текст ответа и личную ссылку, по которой скачает ' +
        'файлы этого ответа. Ссылка действует 30 дней.',
    );
    const pdf = { name: 'Акт.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n'), type: 'application/pdf' };
    expect(await attachToAnswer(stack.baseUrl, housingClerk, appealId, draft.id, pdf)).toBe(201);
    expect(
      (await post(`/api/v1/appeals/${appealId}/answers/${draft.id}/approve`, housingColleague)).status,
    ).toBe(204);
    expect((await post(`/api/v1/appeals/${appealId}/answers/${draft.id}/send`, housingClerk)).status).toBe(
      204,
    );
    // The text goes out (not a delivery failed for its file), with a personal link to the file under it.
    const answered = textOf(await sent(chat, (t) => t.startsWith(answerText)));
    const [head, how, linkLine, until] = answered.slice(answerText.length + 2).split('\n');
    expect([head, how]).toEqual([
      'К ответу приложен файл «Акт.pdf».',
      'Файлы здесь не передаются: скачайте его по ссылке',
    ]);
    expect(until).toMatch(/^Ссылка личная, не пересылайте её\. Она действует до \d+ \S+ \d{4} г\.$/);
    const link = new URL(linkLine);
    // The key rides in the fragment (never sent with the page's own GET, so in no proxy's log).
    expect([link.pathname, link.search]).toEqual(['/answer-files.html', '']);
    const token = new URLSearchParams(link.hash.slice(1)).get('t') ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Marked sent once OK has answered the send (the fake hands the message over before it answers).
    await eventually(async () => {
      const rows = (await query(
        `SELECT status FROM outbound_messages WHERE appeal_id = $1 AND kind = 'answer'`,
        [appealId],
      )) as { status: string }[];
      return rows.length === 1 && rows[0].status === 'sent' ? true : undefined;
    });
    // The key is not in the stored message, and only its hash is kept, made for files, not for rating.
    expect(
      await query(
        `SELECT count(*)::int AS n FROM outbound_messages WHERE appeal_id = $1 AND text LIKE '%' || $2 || '%'`,
        [appealId, token],
      ),
    ).toEqual([{ n: 0 }]);
    // The link opens that answer's file and nothing else: not the citizen's photo of the same appeal.
    const files = (path: string, body: unknown) =>
      fetch(`${stack.baseUrl}/api/v1/public/answer-files/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const view = await json(files('read', { token }));
    expect(view).toMatchObject({ registrationNumber: number, organisation: expect.any(String) });
    expect(view.files).toEqual([expect.objectContaining({ fileName: 'Акт.pdf', size: 15 })]);
    const file = await files('file', { token, fileId: view.files[0].id });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toBe(
      `inline; filename="___.pdf"; filename*=UTF-8''%D0%90%D0%BA%D1%82.pdf`,
    );
    expect(Buffer.from(await file.arrayBuffer()).toString()).toBe('%PDF-1.4\n%%EOF\n');
    // In the browser: the link's page lists the file, the key leaves the address, and a click saves the file (asked
    // for by POST, the key in the body), byte for byte.
    browser = await launchChromium();
    const page = await (await browser.newContext({ acceptDownloads: true, locale: 'ru-RU' })).newPage();
    await page.goto(`${stack.baseUrl}${link.pathname}${link.hash}`);
    const fileLink = page.getByRole('link', { name: 'Акт.pdf' });
    const [saved] = await Promise.all([page.waitForEvent('download'), fileLink.click()]);
    expect(page.url()).toBe(`${stack.baseUrl}/answer-files.html`);
    expect(saved.suggestedFilename()).toBe('Акт.pdf');
    expect((await readFile((await saved.path())!)).toString()).toBe('%PDF-1.4\n%%EOF\n');
    const photoId = (await card(appealId)).attachments[0].id as string;
    const photo = await files('file', { token, fileId: photoId });
    expect([photo.status, ((await photo.json()) as { message: string }).message]).toEqual([
      404,
      'Файл не найден',
    ]);
    // A key we never made (or one altered) is 404, and a files key rates nothing; an expired one is 410.
    const refused = async (body: unknown) => {
      const res = await files('read', body);
      return [res.status, ((await res.json()) as { message: string }).message];
    };
    const notValid =
      'Ссылка на файлы ответа недействительна. Откройте её из сообщения с ответом целиком, без изменений.';
    const invalid = [404, notValid];
    expect(await refused({ token: `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` })).toEqual(
      invalid,
    );
    expect((await files('file', { token: 'x'.repeat(43), fileId: view.files[0].id })).status).toBe(404);
    const asRating = await fetch(`${stack.baseUrl}/api/v1/public/rating-links/read`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(asRating.status).toBe(404);
    await query(
      `UPDATE public_answer_links SET expires_at = now() - interval '1 minute' WHERE token_hash = $1`,
      [createHash('sha256').update(token).digest('hex')],
    );
    const expired =
      'Срок действия ссылки на файлы ответа истёк. Чтобы получить файлы, напишите нам в том же чате или обратитесь ' +
      'в организацию, которая дала ответ, и назовите номер обращения.';
    expect(await refused({ token })).toEqual([410, expired]);
    expect((await files('file', { token, fileId: view.files[0].id })).status).toBe(410);
    // In the browser, the expired link's page says so as the rating page says it of its own (410 both), no list.
    const problems = watchProblems(page);
    await page.goto(`${stack.baseUrl}/answer-files.html#t=${token}`);
    await page.getByRole('alert').getByText(expired).waitFor();
    expect(await page.getByRole('link', { name: 'Акт.pdf' }).isVisible()).toBe(false);
    expect(problems.sort()).toEqual([
      expect.stringMatching(/^410: POST .*\/api\/v1\/public\/answer-files\/read$/),
      'console: Failed to load resource: the server responded with a status of 410 (Gone)',
    ]);
    // An unknown key: 404, the page says it is not valid.
    problems.length = 0;
    await page.goto(`${stack.baseUrl}/answer-files.html#t=${'x'.repeat(43)}`);
    await page.getByRole('alert').getByText(notValid).waitFor();
    expect(problems.sort()).toEqual([
      expect.stringMatching(/^404: POST .*\/api\/v1\/public\/answer-files\/read$/),
      'console: Failed to load resource: the server responded with a status of 404 (Not Found)',
    ]);
    await browser.close();
    // The card's history says the file went as a link.
    const delivered = (await card(appealId)).history.find(
      (e: { type: string; data?: Record<string, unknown> }) =>
        e.type === 'delivered' && e.data?.kind === 'answer',
    );
    expect(delivered.data.filesAsLink).toEqual({ files: ['Акт.pdf'], until: expect.any(String) });
    const request = await sent(chat, (t) =>
      t.startsWith(`Пожалуйста, оцените ответ на обращение № ${number}`),
    );
    expect(textOf(request)).toContain('Отправьте две цифры через пробел');
    // No buttons in OK: the connector sends text only.
    expect(Object.keys(request.body.message as object)).toEqual(['text']);

    // Typed after the rating window (14 days) the digits no longer count: the citizen hears why, and «1 1» is
    // no appeal (it was registered as one).
    const shiftRequest = (days: number) =>
      query(
        `UPDATE outbound_messages SET sent_at = sent_at + make_interval(days => $2)
          WHERE appeal_id = $1 AND kind = 'rating-request'`,
        [appealId, days],
      );
    await ratingRequestRecorded(appealId);
    await shiftRequest(-15);
    await say(chat, user, '1 1');
    await sent(chat, (t) => t.startsWith(`Срок оценки ответа на обращение № ${number} истёк`));
    await shiftRequest(15);

    // The database refuses the rating for a while (as while Postgres restarts): the typed digits, consumed as a
    // reply to the bot, were the rating's only copy, and it was lost. It is kept until handled now, and retried.
    await sayWhileRefused('2 3', 'ratings');
    const reopened = await eventually(async () => {
      const x = await card(appealId);
      return x.status === 'reopened' ? x : undefined;
    });
    expect(reopened.organisationId).toBe(org.region);
    expect(
      await query(`SELECT answered, satisfaction, poor FROM ratings WHERE appeal_id = $1`, [appealId]),
    ).toEqual([{ answered: false, satisfaction: 'not-satisfied', poor: true }]);
    await sent(
      chat,
      (t) => t === `Спасибо за оценку ответа на обращение № ${number}. Мы рассмотрим его повторно.`,
    );
    await sent(chat, (t) => t.startsWith(`Обращение № ${number} направлено на повторное рассмотрение`));
    // Rated: the same digits again are no second rating and no appeal; the citizen hears it was rated.
    await say(chat, user, '2 3');
    await sent(chat, (t) => t.startsWith(`Ответ на обращение № ${number} уже оценён`));
    expect(await query(`SELECT count(*)::int AS n FROM ratings WHERE appeal_id = $1`, [appealId])).toEqual([
      { n: 1 },
    ]);
    expect(await query(`SELECT count(*)::int AS n FROM appeals WHERE channel = 'ok'`)).toEqual([{ n: 1 }]);
  });

  it('answers «Мои обращения» typed as text', async () => {
    await say(chat, user, 'Мои обращения');
    const list = await sent(chat, (t) => t.startsWith('Ваши обращения:'));
    expect(textOf(list)).toContain(`№ ${number} от`);
    expect(textOf(list)).toContain('Направлено на повторное рассмотрение');
  });

  it('makes one appeal of a webhook delivered twice, and sends once through a 429', async () => {
    const otherChat = 'chat:C58aa0002';
    const otherUser = 'user:580000000002';
    await say(otherChat, otherUser, 'Согласна');
    await sent(otherChat, (t) => t.startsWith('Спасибо, согласие получено'));
    // OK re-sends a webhook not answered in 5 s: the same body, the same mid.
    const body = message(otherChat, otherUser, 'На ул. Кирова, 40 второй месяц не работает лифт.');
    expect((await fake.postWebhook(url, body)).status).toBe(200);
    expect((await fake.postWebhook(url, body)).status).toBe(200);
    const [appeal] = await eventually(async () => {
      const rows = await query(
        `SELECT a.id, a.registration_number FROM appeals a JOIN applicants p ON p.id = a.applicant_id
          WHERE p.channel = 'ok' AND p.external_id = $1`,
        [otherUser],
      );
      return rows.length ? rows : undefined;
    });
    await sent(otherChat, (t) => t.startsWith(`Обращение зарегистрировано, № ${appeal.registration_number}`));
    const mid = (body.message as { mid: string }).mid;
    expect(
      await query(`SELECT count(*)::int AS n FROM inbound_items WHERE channel = 'ok' AND external_id = $1`, [
        mid,
      ]),
    ).toEqual([{ n: 1 }]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(
      await query(
        `SELECT count(*)::int AS n FROM appeals a JOIN applicants p ON p.id = a.applicant_id
          WHERE p.channel = 'ok' AND p.external_id = $1`,
        [otherUser],
      ),
    ).toEqual([{ n: 1 }]);

    // HTTP 429 with Retry-After: 2 on the next send: one message, after the wait.
    fake.setScenario('rate-limited', { times: 1, only: 'messages', form: 'http' });
    expect((await post(`/api/v1/appeals/${appeal.id}/take`, operator)).status).toBe(204);
    expect(
      (
        await post(`/api/v1/appeals/${appeal.id}/redirect`, operator, {
          body: 'Администрация района',
          reason: 'Вопрос ведения района',
        })
      ).status,
    ).toBe(204);
    const started = Date.now();
    await sent(otherChat, (t) => t.includes('передано'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(
      fake.messages.filter((m) => m.chatId === otherChat && textOf(m).includes('передано')),
    ).toHaveLength(1);
    expect(
      await query(
        `SELECT status, attempts FROM outbound_messages WHERE appeal_id = $1 AND kind = 'status-notice'`,
        [appeal.id],
      ),
    ).toEqual([{ status: 'sent', attempts: 2 }]);
  });

  it('says a second «Согласен» is recorded already (no appeal of it), and keeps the words typed with a poor rating as its reason', async () => {
    const thirdChat = 'chat:C58aa0003';
    const thirdUser = 'user:580000000003';
    const appealsOf = async () =>
      (await query(
        `SELECT a.id, a.registration_number FROM appeals a JOIN applicants p ON p.id = a.applicant_id
          WHERE p.channel = 'ok' AND p.external_id = $1`,
        [thirdUser],
      )) as { id: string; registration_number: string }[];
    await say(thirdChat, thirdUser, 'Согласен');
    await sent(thirdChat, (t) => t.startsWith('Спасибо, согласие получено'));
    // Typed again (the citizen unsure it was taken): told it is recorded, and a one-word «appeal» is not registered.
    await say(thirdChat, thirdUser, 'Согласен.');
    await sent(thirdChat, (t) =>
      t.startsWith('Согласие на обработку персональных данных уже получено. Напишите ваше обращение'),
    );
    await say(thirdChat, thirdUser, 'Во дворе дома 5 по ул. Мира яма на проезде, машины не проходят.');
    const [appeal] = await eventually(async () => {
      const rows = await appealsOf();
      return rows.length ? rows : undefined;
    });
    await sent(thirdChat, (t) => t.startsWith(`Обращение зарегистрировано, № ${appeal.registration_number}`));
    expect(await appealsOf()).toHaveLength(1);

    await query(
      `UPDATE applicants SET surname = 'Петров', first_name = 'Пётр', patronymic = 'Петрович', phone = '+79130000005'
        WHERE id = (SELECT applicant_id FROM appeals WHERE id = $1)`,
      [appeal.id],
    );
    expect(
      (
        await post(`/api/v1/appeals/${appeal.id}/escalate`, operator, {
          organisationIds: [org.minzhkh],
          topicId: org.housing,
          subject: 'Яма во дворе',
        })
      ).status,
    ).toBe(204);
    await answerAppeal(stack, appeal.id, housingClerk, housingColleague, 'Яма будет заделана в мае.');
    await sent(thirdChat, (t) =>
      t.startsWith(`Пожалуйста, оцените ответ на обращение № ${appeal.registration_number}`),
    );
    await ratingRequestRecorded(appeal.id);

    // The digits count as the rating, the words after them are its reason: stored with it, shown on the card
    // with the rating and with the re-routing to the superior organisation, and the message goes on to
    // registration (a follow-up of the reopened appeal, not a new one).
    const reason = 'яму так и не заделали, вчера снова пробил колесо';
    await say(thirdChat, thirdUser, `2 3 ${reason}`);
    const reopened = await eventually(async () => {
      const x = await card(appeal.id);
      return x.status === 'reopened' ? x : undefined;
    });
    expect(reopened.organisationId).toBe(org.region);
    expect(
      await query(`SELECT answered, satisfaction, poor, comment FROM ratings WHERE appeal_id = $1`, [
        appeal.id,
      ]),
    ).toEqual([{ answered: false, satisfaction: 'not-satisfied', poor: true, comment: reason }]);
    const history = reopened.history as { type: string; data: Record<string, unknown> }[];
    expect(history.find((e) => e.type === 'rated')?.data).toMatchObject({ poor: true, text: reason });
    expect(history.find((e) => e.type === 'reopened')?.data).toMatchObject({
      reason: 'poor-rating',
      toOrganisationId: org.region,
      text: reason,
    });
    await sent(
      thirdChat,
      (t) =>
        t ===
        `Спасибо за оценку ответа на обращение № ${appeal.registration_number}. Мы рассмотрим его повторно.`,
    );
    const followUp = await eventually(async () => {
      const x = await card(appeal.id);
      return (x.history as { type: string; data: Record<string, unknown> }[]).find(
        (e) => e.type === 'follow-up-received',
      );
    });
    expect(String(followUp.data.text)).toContain(reason);
    expect(await appealsOf()).toHaveLength(1);
  });

  it('refuses a forged webhook (wrong or missing secret) and stores nothing', async () => {
    const count = async () => (await query(`SELECT count(*)::int AS n FROM inbound_items`))[0].n as number;
    const before = await count();
    const forged = message('chat:C58aa0009', 'user:580000000009', 'Поддельное сообщение');
    const wrong = await fake.postWebhook(`${stack.baseUrl}/api/v1/webhooks/ok?secret=guess`, forged);
    const missing = await fake.postWebhook(`${stack.baseUrl}/api/v1/webhooks/ok`, forged);
    expect([wrong.status, missing.status]).toEqual([403, 403]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await count()).toBe(before);
    expect(fake.messages.filter((m) => m.chatId === 'chat:C58aa0009')).toEqual([]);
  });
});
