import { Role, StaffUsers } from '@inbox/access';
import { partsChangedReason } from '@inbox/delivery';
import { signInAs, type SignedIn } from '../factories/staff';
import { TelegramFake } from '../fakes/telegram/telegram-fake';
import { staffPages } from '../support/staff-pages';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import { answerAppeal } from './feed-helpers';

/**
 * Issue 12, Build 5: failed deliveries are a queue staff can see and retry. A citizen blocked the bot, so
 * the registration notice fails for good at the Telegram fake (403 "bot was blocked by the user"); the
 * operator sees it in the failed-deliveries queue (a department outside the appeal does not), the citizen
 * unblocks the bot, the operator retries, and the notice reaches the chat; the retry is in the history and
 * the audit log; an out-of-scope retry is a 404 with a denied audit row.
 */
describe('failed deliveries queue (e2e)', () => {
  let telegram: TelegramFake;
  let stack: TestStack;
  let operator: SignedIn;
  let roads: SignedIn;
  const chat = 700_200_001;
  const pages = staffPages();

  beforeAll(async () => {
    telegram = await TelegramFake.start();
    stack = await startTestStack({
      worker: true,
      env: {
        ...telegram.pollingEnv(),
        // Permanent failures fail at once; two attempts keep a temporary one short.
        JOB_ATTEMPTS: '2',
      },
    });
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    roads = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'mintrans');
    await eventually(async () => {
      const rows = (await stack.db.dataSource.query(
        `SELECT 1 FROM event_consumers WHERE name = 'citizen-notices:telegram'`,
      )) as unknown[];
      return rows.length ? true : undefined;
    });
  });
  afterAll(async () => {
    await stack?.close();
    await telegram?.stop();
  });

  const failed = async (who: SignedIn) =>
    (await json(fetch(`${stack.baseUrl}/api/v1/deliveries/failed`, { headers: who.headers }))) as {
      id: string;
      appealId: string;
      registrationNumber: string;
      channel: string;
      kind: string;
      lastError: string;
      partsSent: number;
      partsTotal: number | null;
      interrupted: boolean;
    }[];
  const retry = (who: SignedIn, appealId: string, messageId: string) =>
    fetch(`${stack.baseUrl}/api/v1/appeals/${appealId}/deliveries/${messageId}/retry`, {
      method: 'POST',
      headers: who.headers,
    });

  it('lists a failed notice within scope, and a retry delivers it once the citizen unblocked the bot', async () => {
    telegram.enqueue(telegram.callbackUpdate(chat, 'consent:accept'));
    await eventually(async () =>
      telegram.sentTo(chat).find((m) => m.text?.startsWith('Спасибо, согласие получено')),
    );
    telegram.blockChat(chat);
    telegram.enqueue(telegram.textUpdate(chat, 'У дома 3 по ул. Мира не горят фонари уже неделю.'));

    const [item] = await eventually(async () => {
      const rows = await failed(operator);
      return rows.length ? rows : undefined;
    });
    expect(item).toMatchObject({ channel: 'telegram', kind: 'registration-notice' });
    expect(item.lastError).toContain('blocked');
    expect(telegram.sentTo(chat).filter((m) => m.text?.startsWith('Обращение зарегистрировано'))).toEqual([]);
    // Outside the appeal's organisations: not in the queue, and a retry is "not found", audited.
    expect(await failed(roads)).toEqual([]);
    expect((await retry(roads, item.appealId, item.id)).status).toBe(404);
    const denied = (await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE user_id = $1 AND action = 'retry-delivery' AND outcome = 'denied'`,
      [roads.userId],
    )) as { n: number }[];
    expect(denied[0].n).toBe(1);

    telegram.unblockChat(chat);
    expect((await retry(operator, item.appealId, item.id)).status).toBe(204);
    await eventually(async () =>
      telegram
        .sentTo(chat)
        .find((m) => m.text?.startsWith(`Обращение зарегистрировано, № ${item.registrationNumber}`)),
    );
    // The receipt is stored right after Telegram answered.
    await eventually(async () => {
      const [row] = (await stack.db.dataSource.query(`SELECT status FROM outbound_messages WHERE id = $1`, [
        item.id,
      ])) as { status: string }[];
      return row.status === 'sent' ? row : undefined;
    });
    expect(await failed(operator)).toEqual([]);
    const history = (await stack.db.dataSource.query(
      `SELECT type, actor, data FROM appeal_events WHERE appeal_id = $1 AND type IN ('delivery-failed', 'delivery-retried', 'delivered') ORDER BY id`,
      [item.appealId],
    )) as { type: string; actor: string; data: Record<string, unknown> }[];
    expect(history.map((h) => h.type)).toEqual(['delivery-failed', 'delivery-retried', 'delivered']);
    // The refusal names the connector, so the card says «Пользователь заблокировал бота …», not Telegram's words.
    expect(history[0].data).toMatchObject({
      channel: 'telegram',
      reason: expect.stringMatching(/^NotFound: /),
    });
    expect(history[1].actor).toBe(operator.userId);
    // A sent message is no longer a failed one: retrying it again is "not found", nothing is re-sent.
    expect((await retry(operator, item.appealId, item.id)).status).toBe(404);
  });

  /**
   * A long answer goes to Telegram as several messages, and Telegram drops no repeat. Each part is on record as it
   * goes, so a failure after the first sends only the rest when retried: a 502 on the second part (down mid-answer)
   * is retried by the queue, a refusal of the second part (the citizen blocked the bot) waits in «Недоставленные»
   * saying what went out, and the clerk's «Повторить» sends only the rest. The first part reaches the citizen once
   * either way (it was held for a person on the 502, and a retry of the whole sent the first part again).
   */
  it('resumes a long answer whose second part Telegram failed: each part reaches the citizen once', async () => {
    // A citizen who gave consent writes: their appeal.
    const appealOf = async (citizen: number, text: string) => {
      telegram.enqueue(telegram.callbackUpdate(citizen, 'consent:accept'));
      await eventually(async () =>
        telegram.sentTo(citizen).find((m) => m.text?.startsWith('Спасибо, согласие')),
      );
      telegram.enqueue(telegram.textUpdate(citizen, text));
      const [{ id }] = await eventually(async () => {
        const rows = (await stack.db.dataSource.query(
          `SELECT a.id FROM appeals a JOIN inbound_items i ON i.id = a.inbound_item_id
            WHERE i.channel = 'telegram' AND i.external_id LIKE $1`,
          [`${citizen}:%`],
        )) as { id: string }[];
        return rows.length ? rows : undefined;
      });
      // The registration notice first, as the citizen reads them.
      await eventually(async () =>
        telegram.sentTo(citizen).find((m) => m.text?.startsWith('Обращение зарегистрировано')),
      );
      return id;
    };
    const supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'cur');
    // The answer's delivery events.
    const events = async (appealId: string) =>
      (await stack.db.dataSource.query(
        `SELECT e.type, e.data FROM appeal_events e JOIN outbound_messages m ON m.id::text = e.data->>'outboundMessageId'
          WHERE e.appeal_id = $1 AND m.kind = 'answer'
            AND e.type IN ('delivery-failed', 'delivery-retried', 'delivered')
          ORDER BY e.id`,
        [appealId],
      )) as { type: string; data: Record<string, unknown> }[];
    const parts = (citizen: number, opening: string) => {
      const sent = telegram.sentTo(citizen);
      // The answer's last sending (its first part, then the next message).
      const first = sent.map((m) => m.text?.startsWith(opening)).lastIndexOf(true);
      return first < 0 ? [] : sent.slice(first, first + 2).map((m) => m.text ?? '');
    };
    // Past Telegram's 4096 characters: two messages.
    const longAnswer = (opening: string) =>
      `${opening} ${'Работы выполнены подрядчиком в срок, качество принято комиссией. '.repeat(80)}`;

    // Telegram down for the second part: the queue's retry sends it, and only it.
    const citizen = 700_200_002;
    const pothole = await appealOf(
      citizen,
      'Во дворе дома 5 по ул. Ленина яма на проезде, машины бьют колёса.',
    );
    const opening = 'Яма на проезде у дома 5 заделана.';
    telegram.beforeAnswering = async (method, params) => {
      if (method === 'sendMessage' && String(params.text).startsWith(opening))
        telegram.setScenario('server-error', { count: 1, methods: ['sendMessage'], status: 502 });
    };
    await answerAppeal(stack, pothole, operator, supervisor, longAnswer(opening), { take: true });
    await eventually(async () =>
      (await events(pothole)).some((e) => e.type === 'delivered') ? true : undefined,
    );
    telegram.beforeAnswering = undefined;
    expect(telegram.sentTo(citizen).filter((m) => m.text?.startsWith(opening))).toHaveLength(1);
    expect(parts(citizen, opening).join(' ')).toBe(longAnswer(opening).trim());
    const delivered = (await events(pothole)).find((e) => e.type === 'delivered')!;
    expect(delivered.data).toMatchObject({ resumed: { sent: 1, total: 2 } });
    // Every part's id: a reply to either joins the appeal.
    expect(String(delivered.data.remoteId).split(',')).toHaveLength(2);

    // The citizen blocks the bot as the first part arrives: held, saying what went out; unblocked and retried, only
    // the second part goes.
    const neighbour = 700_200_003;
    const lamps = await appealOf(neighbour, 'На улице Мира у дома 9 не горят фонари, вечером темно.');
    const lampsOpening = 'Фонари на улице Мира у дома 9 исправлены.';
    telegram.beforeAnswering = async (method, params) => {
      if (method === 'sendMessage' && String(params.text).startsWith(lampsOpening))
        telegram.blockChat(neighbour);
    };
    await answerAppeal(stack, lamps, operator, supervisor, longAnswer(lampsOpening), { take: true });
    const held = await eventually(async () =>
      (await failed(operator)).find((m) => m.appealId === lamps && m.kind === 'answer'),
    );
    telegram.beforeAnswering = undefined;
    expect(held).toMatchObject({ channel: 'telegram', partsSent: 1, partsTotal: 2 });
    expect(held.lastError).toMatch(/^NotFound: /);
    expect((await events(lamps)).map((e) => [e.type, e.data.partsSent])).toEqual([
      ['delivery-failed', { sent: 1, total: 2 }],
    ]);
    // The part out is a thread key of the appeal already (a reply to it joins the appeal), as a delivered one's is.
    const [firstPart] = telegram.sentTo(neighbour).filter((m) => m.text?.startsWith(lampsOpening));
    await eventually(async () => {
      const rows = (await stack.db.dataSource.query(
        `SELECT 1 FROM appeal_threads WHERE appeal_id = $1 AND channel = 'telegram' AND thread_key LIKE $2`,
        [lamps, `%sent:${neighbour}:${firstPart.messageId}`],
      )) as unknown[];
      return rows.length ? true : undefined;
    });
    // As the clerk reads it in Chromium: «Недоставленные» says what the citizen has, the card's history as well.
    const password = 'pw-resume-1';
    const login = `operator-parts-${Date.now()}`;
    const organisationId = (
      (await stack.db.dataSource.query(`SELECT id FROM organisations WHERE code = 'cur'`)) as {
        id: string;
      }[]
    )[0].id;
    await stack.api
      .get(StaffUsers)
      .create({ login, password, fullName: 'Оператор Частей', role: Role.Operator, organisationId });
    const page = await pages.open(() => stack.baseUrl, { login, password }, '/deliveries');
    await page
      .getByTestId('delivery-parts')
      .filter({ hasText: 'Гражданину уже ушла часть 1 из 2; повторная отправка отправит только остальные' })
      .waitFor();
    await page.goto(`${stack.baseUrl}/app/appeals/${pothole}`);
    await page
      .getByLabel('История')
      .getByText(
        'Доставлено после сбоя: часть 1 из 2 ушла раньше, отправлены только остальные — без повторов',
      )
      .waitFor();
    await page.goto(`${stack.baseUrl}/app/appeals/${lamps}`);
    await page
      .getByLabel('История')
      .getByText(
        'Пользователь заблокировал бота или удалил переписку: свяжитесь с заявителем иначе. ' +
          'Гражданину уже ушла часть 1 из 2; повторная отправка отправит только остальные',
      )
      .waitFor();
    expect(pages.problems.get(page)).toEqual([]);

    telegram.unblockChat(neighbour);
    expect((await retry(operator, lamps, held.id)).status).toBe(204);
    await eventually(async () =>
      (await events(lamps)).some((e) => e.type === 'delivered') ? true : undefined,
    );
    expect(telegram.sentTo(neighbour).filter((m) => m.text?.startsWith(lampsOpening))).toHaveLength(1);
    expect(parts(neighbour, lampsOpening).join(' ')).toBe(longAnswer(lampsOpening).trim());
    expect((await events(lamps)).map((e) => e.type)).toEqual([
      'delivery-failed',
      'delivery-retried',
      'delivered',
    ]);

    // The rest cannot follow the part out when the message no longer splits as it did (an OK answer's file link,
    // made anew for each attempt, came out longer; here its count of parts is changed as if so): nothing goes, it is
    // held saying why, and a second «Повторить» sends it whole — it waited in «Повторить» refused for ever before.
    const third = 700_200_004;
    const bench = await appealOf(third, 'Во дворе дома 11 по улице Мира сломана скамейка у подъезда.');
    const benchOpening = 'Скамейка у дома 11 по улице Мира заменена.';
    telegram.beforeAnswering = async (method, params) => {
      if (method === 'sendMessage' && String(params.text).startsWith(benchOpening)) telegram.blockChat(third);
    };
    await answerAppeal(stack, bench, operator, supervisor, longAnswer(benchOpening), { take: true });
    const refused = await eventually(async () =>
      (await failed(operator)).find((m) => m.appealId === bench && m.kind === 'answer'),
    );
    telegram.beforeAnswering = undefined;
    telegram.unblockChat(third);
    await stack.db.dataSource.query(`UPDATE outbound_messages SET parts_total = 3 WHERE id = $1`, [
      refused.id,
    ]);
    expect((await retry(operator, bench, refused.id)).status).toBe(204);
    const changed = await eventually(async () =>
      (await failed(operator)).find((m) => m.id === refused.id && m.interrupted),
    );
    expect(changed).toMatchObject({ lastError: partsChangedReason(1, 3), partsSent: 0, partsTotal: null });
    expect(telegram.sentTo(third).filter((m) => m.text?.startsWith(benchOpening))).toHaveLength(1);
    expect((await retry(operator, bench, refused.id)).status).toBe(204);
    await eventually(async () =>
      (await events(bench)).some((e) => e.type === 'delivered') ? true : undefined,
    );
    expect(telegram.sentTo(third).filter((m) => m.text?.startsWith(benchOpening))).toHaveLength(2);
    expect(parts(third, benchOpening).join(' ')).toBe(longAnswer(benchOpening).trim());
  });
});
