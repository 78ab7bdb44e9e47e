import { randomBytes } from 'node:crypto';
import { Role } from '@inbox/access';
import { signInAs, type SignedIn } from '../factories/staff';
import { TelegramFake } from '../fakes/telegram/telegram-fake';
import { VkFake } from '../fakes/vk/vk-fake';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import { answerAppeal } from './feed-helpers';

/**
 * Issue 13 (every real message kept) through the real api + worker and the local Telegram and VK fakes:
 * an authentic notification we cannot read is kept for staff instead of being refused and lost; a group chat
 * is left alone; a citizen's edit of a registered message joins its appeal as their correction.
 */
describe('channel intake keeps every real message (e2e)', () => {
  let telegram: TelegramFake;
  let vk: VkFake;
  let stack: TestStack;
  let operator: SignedIn;
  let supervisor: SignedIn;
  let clerk: SignedIn;
  let admin: SignedIn;
  const secret = `wh_${randomBytes(12).toString('hex')}`;
  let tgUrl = '';
  let vkUrl = '';

  beforeAll(async () => {
    telegram = await TelegramFake.start();
    vk = await new VkFake().start();
    stack = await startTestStack({
      worker: true,
      env: {
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        TELEGRAM_WEBHOOK_URL: 'https://inbox.region.test/api/v1/webhooks/telegram',
        TELEGRAM_WEBHOOK_SECRET: secret,
        VK_GROUP_ID: String(vk.groupId),
        VK_GROUP_TOKEN: vk.token,
        VK_API_BASE_URL: vk.apiBaseUrl,
        VK_CALLBACK_SECRET: vk.callbackSecret,
        VK_CONFIRMATION_CODE: vk.confirmationCode,
      },
    });
    tgUrl = `${stack.baseUrl}/api/v1/webhooks/telegram`;
    vkUrl = `${stack.baseUrl}/api/v1/webhooks/vk`;
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'region');
    clerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
    admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'region');
  });
  afterAll(async () => {
    await stack?.close();
    await telegram?.stop();
    await vk?.stop();
  });

  const query = (sql: string, params: unknown[] = []) => stack.db.dataSource.query(sql, params);
  const quarantine = (who: SignedIn, qs = '') =>
    fetch(`${stack.baseUrl}/api/v1/channel-quarantine${qs}`, { headers: who.headers });

  it('keeps an authentic notification it cannot read for staff, answers the channel 200, and stores nothing else', async () => {
    // VK: our secret, a known type, but no peer_id — and a half emoji and a NUL that jsonb would refuse.
    const brokenVk = {
      type: 'message_new',
      group_id: vk.groupId,
      event_id: 'ev-broken-1',
      object: { message: { from_id: 310000077, text: 'Сломанный смайл \ud83d и \u0000 конец' } },
    };
    const vkAnswer = await vk.postCallback(vkUrl, brokenVk);
    expect(vkAnswer).toEqual({ status: 200, text: 'ok' });
    // Telegram: our secret header, a body cut mid-way.
    const cut = '{"update_id": 90001, "message": {"message_id": 5, "text": "Прошу помочь';
    const tgAnswer = await telegram.pushToWebhook(null, { url: tgUrl, secret, rawBody: cut });
    expect(tgAnswer.status).toBe(200);
    // A forged one is still refused and kept nowhere.
    const forged = await telegram.pushToWebhook(null, { url: tgUrl, secret: 'wrong', rawBody: cut });
    expect(forged.status).toBe(403);

    const listed = await json(quarantine(operator));
    // The list says what happened and where; what the channel sent (personal data) is not in it.
    expect(listed.items).toEqual([
      {
        source: 'input',
        id: expect.any(String),
        channel: 'telegram',
        accountName: 'bot',
        externalId: null,
        // A reason in Russian is the clerk's summary as it is.
        summary: 'Обновление Telegram не удалось прочитать (Telegram webhook: body is not JSON)',
        reason: 'Обновление Telegram не удалось прочитать (Telegram webhook: body is not JSON)',
        at: expect.any(String),
      },
      {
        source: 'input',
        id: expect.any(String),
        channel: 'vk',
        accountName: `group-${vk.groupId}`,
        externalId: 'event:ev-broken-1',
        summary:
          'Событие VK не удалось прочитать (VK message_new: message_new without peer_id, from_id or id)',
        reason:
          'Событие VK не удалось прочитать (VK message_new: message_new without peer_id, from_id or id)',
        at: expect.any(String),
      },
    ]);
    // One entry at a time, with the input whole.
    const [tgEntry, vkEntry] = listed.items as { source: string; id: string }[];
    expect(await json(quarantine(operator, `/${tgEntry.source}/${tgEntry.id}`))).toEqual({
      ...listed.items[0],
      raw: cut,
    });
    expect(await json(quarantine(supervisor, `/${vkEntry.source}/${vkEntry.id}`))).toMatchObject({
      id: vkEntry.id,
      raw: {
        ...brokenVk,
        secret: vk.callbackSecret,
        object: { message: { from_id: 310000077, text: 'Сломанный смайл \uFFFD и \uFFFD конец' } },
      },
    });
    expect((await quarantine(operator, `/item/${vkEntry.id}`)).status).toBe(404);
    expect((await quarantine(operator, `/input/not-a-number`)).status).toBe(404);
    expect(
      (await json(quarantine(supervisor, '?channel=vk'))).items.map((i: { id: string }) => i.id),
    ).toEqual([vkEntry.id]);
    // A department's clerk and the administrator (who sees no personal data) are refused, the entry as well.
    expect((await quarantine(clerk)).status).toBe(403);
    expect((await quarantine(admin)).status).toBe(403);
    expect((await quarantine(admin, `/${tgEntry.source}/${tgEntry.id}`)).status).toBe(403);
    expect((await quarantine(operator, '?channel=fax')).status).toBe(400);
    // Every read is in the audit log: who read the list, who opened which entry, and the refusals in scope.
    const audit = await query(
      `SELECT user_id AS "userId", action, entity_id AS "entityId", outcome
         FROM audit_log WHERE entity_type = 'channel-quarantine' ORDER BY id`,
    );
    expect(audit).toEqual([
      { userId: operator.userId, action: 'read-channel-quarantine', entityId: null, outcome: 'ok' },
      {
        userId: operator.userId,
        action: 'read-channel-quarantine-input',
        entityId: `input:${tgEntry.id}`,
        outcome: 'ok',
      },
      {
        userId: supervisor.userId,
        action: 'read-channel-quarantine-input',
        entityId: `input:${vkEntry.id}`,
        outcome: 'ok',
      },
      {
        userId: operator.userId,
        action: 'read-channel-quarantine-input',
        entityId: `item:${vkEntry.id}`,
        outcome: 'denied',
      },
      {
        userId: operator.userId,
        action: 'read-channel-quarantine-input',
        entityId: 'input:not-a-number',
        outcome: 'denied',
      },
      { userId: supervisor.userId, action: 'read-channel-quarantine', entityId: null, outcome: 'ok' },
    ]);
    // /health counts them on the accounts.
    const health = await json(fetch(`${stack.baseUrl}/health`));
    expect(JSON.stringify(health)).toContain('"itemsQuarantined":1');
    expect(await query(`SELECT id FROM inbound_items`)).toEqual([]);
  });

  it('leaves a VK group chat alone: no consent request posted into the chat, nothing stored', async () => {
    const chatPeer = 2_000_000_004;
    const event = vk.event('message-new-chat.json', (e) => {
      e.object.message.peer_id = chatPeer;
      e.object.message.date = Math.floor(Date.now() / 1000);
    });
    expect(await vk.postCallback(vkUrl, event)).toEqual({ status: 200, text: 'ok' });
    // A dialogue message sent after it is answered (the consent request): by then the chat would have been too.
    const dialoguePeer = 310_000_078;
    const dialogue = vk.event('message-new.json', (e) => {
      Object.assign(e.object.message, { peer_id: dialoguePeer, from_id: dialoguePeer, id: 9001 });
      e.object.message.conversation_message_id = 9001;
    });
    expect((await vk.postCallback(vkUrl, dialogue)).status).toBe(200);
    await eventually(async () => vk.messages.find((m) => m.peerId === dialoguePeer));
    expect(vk.messages.filter((m) => m.peerId === chatPeer)).toEqual([]);
    expect(await query(`SELECT external_id FROM inbound_items WHERE channel = 'vk'`)).toEqual([
      { external_id: `msg:${dialoguePeer}:9001` },
    ]);
  });

  it("joins a citizen's edit of a registered Telegram message to its appeal as their correction", async () => {
    const chat = 700_000_031;
    expect(
      (await telegram.pushToWebhook(telegram.callbackUpdate(chat, 'consent:accept'), { url: tgUrl })).status,
    ).toBe(200);
    await eventually(async () =>
      telegram.sentTo(chat).find((m) => m.text?.startsWith('Спасибо, согласие получено')),
    );
    const original = telegram.textUpdate(chat, 'Во дворе дома 14 по ул. Гоголя не горит фонарь.') as {
      message: { message_id: number; date: number };
    };
    expect((await telegram.pushToWebhook(original, { url: tgUrl })).status).toBe(200);
    await eventually(async () =>
      telegram.sentTo(chat).find((m) => m.text?.startsWith('Обращение зарегистрировано, №')),
    );
    const [appeal] = await query(
      `SELECT a.id, a.text FROM appeals a JOIN applicants p ON p.id = a.applicant_id
        WHERE p.channel = 'telegram' AND p.external_id = $1`,
      [String(chat)],
    );
    expect(appeal.text).toBe('Во дворе дома 14 по ул. Гоголя не горит фонарь.');

    const edit = telegram.fromSample('edited-message.json', chat, (u) => {
      u.edited_message.message_id = original.message.message_id;
      u.edited_message.date = original.message.date;
      u.edited_message.edit_date = original.message.date + 30;
      u.edited_message.text = 'Во дворе дома 14 по ул. Гоголя не горят два фонаря.';
    });
    expect((await telegram.pushToWebhook(edit, { url: tgUrl })).status).toBe(200);
    const [correction] = await eventually(async () => {
      const rows = await query(
        `SELECT data FROM appeal_events WHERE appeal_id = $1 AND type = 'follow-up-received'`,
        [appeal.id],
      );
      return rows.length ? rows : undefined;
    });
    expect(correction.data).toMatchObject({
      channel: 'telegram',
      text: 'Во дворе дома 14 по ул. Гоголя не горят два фонаря.',
      correctionOf: `${chat}:${original.message.message_id}`,
    });
    // The first wording stays; no second appeal.
    const appeals = await query(
      `SELECT a.text FROM appeals a JOIN applicants p ON p.id = a.applicant_id
        WHERE p.channel = 'telegram' AND p.external_id = $1`,
      [String(chat)],
    );
    expect(appeals).toEqual([{ text: 'Во дворе дома 14 по ул. Гоголя не горит фонарь.' }]);
  });

  /** Consent given in `chat`, then `update` pushed: the appeal it registers (id, text). */
  async function telegramAppeal(chat: number, update: Record<string, unknown>) {
    await telegram.pushToWebhook(telegram.callbackUpdate(chat, 'consent:accept'), { url: tgUrl });
    await eventually(async () =>
      telegram.sentTo(chat).find((m) => m.text?.startsWith('Спасибо, согласие получено')),
    );
    expect((await telegram.pushToWebhook(update, { url: tgUrl })).status).toBe(200);
    const [appeal] = await eventually(async () => {
      const rows = await query(
        `SELECT a.id, a.text FROM appeals a JOIN applicants p ON p.id = a.applicant_id
          WHERE p.channel = 'telegram' AND p.external_id = $1`,
        [String(chat)],
      );
      return rows.length ? rows : undefined;
    });
    return appeal as { id: string; text: string };
  }
  const filesOf = (appealId: string) =>
    query(`SELECT file_name, status FROM attachments WHERE appeal_id = $1 ORDER BY created_at`, [appealId]);
  const followUps = (appealId: string, count: number) =>
    eventually(async () => {
      const rows = await query(
        `SELECT data FROM appeal_events WHERE appeal_id = $1 AND type = 'follow-up-received' ORDER BY id`,
        [appealId],
      );
      return rows.length >= count ? rows : undefined;
    });

  it('does not attach a photo again when the citizen edits its caption, but takes a photo they replaced', async () => {
    const chat = 700_000_034;
    const jpeg = (tail: string) => Buffer.from(`ffd8ffe000104a46494600010100000100010000${tail}ffd9`, 'hex');
    const original = telegram.photoUpdate(chat, jpeg('01'), 'Яма на дороге у дома 3.') as {
      message: Record<string, unknown> & { date: number; photo: unknown[] };
    };
    const appeal = await telegramAppeal(chat, original);
    expect(await filesOf(appeal.id)).toHaveLength(1);

    // The caption edited: Telegram sends the whole message again, the same photo (same file_unique_id) with it.
    const captionEdit = {
      edited_message: {
        ...original.message,
        caption: 'Яма на дороге у дома 3, глубиной 20 см.',
        edit_date: original.message.date + 30,
      },
    };
    expect((await telegram.pushToWebhook(captionEdit, { url: tgUrl })).status).toBe(200);
    const [correction] = await followUps(appeal.id, 1);
    expect(correction.data).toMatchObject({ text: 'Яма на дороге у дома 3, глубиной 20 см.' });
    expect(await filesOf(appeal.id)).toHaveLength(1);

    // The photo replaced by another: that one is new to the appeal and is attached.
    const other = telegram.photoUpdate(chat, jpeg('02')) as { message: { photo: unknown[] } };
    const photoEdit = {
      edited_message: {
        ...original.message,
        photo: other.message.photo,
        edit_date: original.message.date + 60,
      },
    };
    expect((await telegram.pushToWebhook(photoEdit, { url: tgUrl })).status).toBe(200);
    await followUps(appeal.id, 2);
    const files = await eventually(async () => {
      const rows = await filesOf(appeal.id);
      return rows.length === 2 && rows.every((r: { status: string }) => r.status === 'stored')
        ? rows
        : undefined;
    });
    expect(new Set(files.map((f: { file_name: string }) => f.file_name)).size).toBe(2);
  });

  it('shows a message quoted from another chat in the appeal, with its photo', async () => {
    const chat = 700_000_035;
    const post = telegram.photoUpdate(
      chat,
      Buffer.from('ffd8ffe000104a464946000101000001000100000003ffd9', 'hex'),
    ) as {
      message: { photo: unknown[] };
    };
    const reply = telegram.textUpdate(chat, 'Это у нас во дворе, дом 7. Когда уберут?') as {
      message: Record<string, unknown>;
    };
    reply.message.external_reply = {
      origin: {
        type: 'channel',
        chat: { id: -100555, title: 'Новости района', type: 'channel' },
        message_id: 9,
        date: 1,
      },
      chat: { id: -100555, title: 'Новости района', type: 'channel' },
      message_id: 9,
      photo: post.message.photo,
    };
    reply.message.quote = { text: 'Свалка мусора у контейнерной площадки', position: 0, is_manual: true };
    const appeal = await telegramAppeal(chat, reply);
    expect(appeal.text).toBe(
      'Это у нас во дворе, дом 7. Когда уберут?\nОтвет на сообщение из другого чата (Новости района):\n' +
        '«Свалка мусора у контейнерной площадки»\nСодержит: фото',
    );
    await eventually(async () => {
      const rows = await filesOf(appeal.id);
      return rows.length === 1 && rows[0].status === 'stored' ? rows : undefined;
    });
  });

  it("joins a reply to the bot's answer to the answered appeal, not a new one", async () => {
    const chat = 700_000_032;
    await telegram.pushToWebhook(telegram.callbackUpdate(chat, 'consent:accept'), { url: tgUrl });
    await eventually(async () =>
      telegram.sentTo(chat).find((m) => m.text?.startsWith('Спасибо, согласие получено')),
    );
    await telegram.pushToWebhook(
      telegram.textUpdate(chat, 'Не работает светофор на пересечении Ленина и Гоголя.'),
      {
        url: tgUrl,
      },
    );
    const [appeal] = await eventually(async () => {
      const rows = await query(
        `SELECT a.id FROM appeals a JOIN applicants p ON p.id = a.applicant_id
          WHERE p.channel = 'telegram' AND p.external_id = $1`,
        [String(chat)],
      );
      return rows.length ? rows : undefined;
    });
    const text = 'Светофор отремонтирован 12 марта.';
    const take = await fetch(`${stack.baseUrl}/api/v1/appeals/${appeal.id}/take`, {
      method: 'POST',
      headers: operator.headers,
    });
    expect(take.status).toBe(204);
    await answerAppeal(stack, appeal.id, operator, supervisor, text);
    const answer = await eventually(async () => telegram.sentTo(chat).find((m) => m.text === text));
    // Once delivered, the bot's answer is a thread key of the appeal.
    await eventually(async () => {
      const keys = await query(
        `SELECT 1 FROM appeal_threads WHERE channel = 'telegram' AND thread_key = $1`,
        [`sent:${chat}:${answer.messageId}`],
      );
      return keys.length ? true : undefined;
    });
    expect((await query(`SELECT status FROM appeals WHERE id = $1`, [appeal.id]))[0].status).toBe('answered');

    const reply = telegram.textUpdate(chat, 'Светофор снова не работает.') as {
      message: Record<string, unknown>;
    };
    reply.message.reply_to_message = {
      message_id: answer.messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chat, type: 'private' },
      text,
    };
    expect((await telegram.pushToWebhook(reply, { url: tgUrl })).status).toBe(200);
    await eventually(async () => {
      const rows = await query(
        `SELECT data FROM appeal_events WHERE appeal_id = $1 AND type = 'follow-up-received'`,
        [appeal.id],
      );
      return rows.some((r: { data: { text: string } }) => r.data.text === 'Светофор снова не работает.')
        ? true
        : undefined;
    });
    const appeals = await query(
      `SELECT a.id FROM appeals a JOIN applicants p ON p.id = a.applicant_id
        WHERE p.channel = 'telegram' AND p.external_id = $1`,
      [String(chat)],
    );
    expect(appeals).toEqual([{ id: appeal.id }]);
  });

  it("joins a VK reply to the community's answer to the answered appeal", async () => {
    const peer = 310_000_091;
    let localId = 500;
    const message = (fields: Record<string, unknown>) =>
      vk.event('message-new.json', (e) => {
        localId += 1;
        Object.assign(e.object.message, {
          peer_id: peer,
          from_id: peer,
          id: localId,
          conversation_message_id: localId,
          date: Math.floor(Date.now() / 1000),
          attachments: [],
          ...fields,
        });
      });
    const sent = (match: (text: string) => boolean) =>
      eventually(async () => vk.messages.find((m) => m.peerId === peer && match(m.message)));
    await vk.postCallback(vkUrl, message({ text: 'Начать', payload: '{"command":"start"}' }));
    const greeting = await sent((t) => t.includes('152-ФЗ'));
    const consent = (greeting.keyboard as { buttons: { action: { label: string; payload: string } }[][] })
      .buttons[0][0].action;
    await vk.postCallback(vkUrl, message({ text: consent.label, payload: consent.payload }));
    await sent((t) => t.startsWith('Спасибо, согласие получено'));
    await vk.postCallback(vkUrl, message({ text: 'Во дворе дома 3 по ул. Мира яма на проезде.' }));
    const [appeal] = await eventually(async () => {
      const rows = await query(
        `SELECT a.id FROM appeals a JOIN applicants p ON p.id = a.applicant_id
          WHERE p.channel = 'vk' AND p.external_id = $1`,
        [String(peer)],
      );
      return rows.length ? rows : undefined;
    });
    const take = await fetch(`${stack.baseUrl}/api/v1/appeals/${appeal.id}/take`, {
      method: 'POST',
      headers: operator.headers,
    });
    expect(take.status).toBe(204);
    const text = 'Яма заделана 14 марта.';
    await answerAppeal(stack, appeal.id, operator, supervisor, text);
    const answer = await sent((t) => t === text);
    await eventually(async () => {
      const keys = await query(`SELECT 1 FROM appeal_threads WHERE channel = 'vk' AND thread_key = $1`, [
        `sent:${peer}:${answer.id}`,
      ]);
      return keys.length ? true : undefined;
    });

    const reply = message({
      text: 'Яма снова появилась.',
      reply_message: { id: answer.id, from_id: -vk.groupId, peer_id: peer, text, date: 1 },
    });
    expect((await vk.postCallback(vkUrl, reply)).status).toBe(200);
    await eventually(async () => {
      const rows = await query(
        `SELECT data FROM appeal_events WHERE appeal_id = $1 AND type = 'follow-up-received'`,
        [appeal.id],
      );
      return rows.some((r: { data: { text: string } }) => r.data.text === 'Яма снова появилась.')
        ? true
        : undefined;
    });
    const appeals = await query(
      `SELECT a.id, a.status FROM appeals a JOIN applicants p ON p.id = a.applicant_id
        WHERE p.channel = 'vk' AND p.external_id = $1`,
      [String(peer)],
    );
    expect(appeals).toEqual([{ id: appeal.id, status: 'answered' }]);
  });
});
