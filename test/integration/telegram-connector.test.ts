import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { JsonLogger } from '@inbox/common';
import {
  Channel,
  type ChannelAccountRef,
  ConnectorError,
  ConnectorErrorCode,
  type InboundItem,
  type InteractionEvent,
  type ParseResult,
  PHONE_CHOICE_ID,
  type RatingEvent,
} from '@inbox/integrations/contract';
import { deleteWebhook, ratingChoices, setWebhook, TelegramConnector } from '@inbox/integrations/telegram';
import { readTelegramSample, TelegramFake } from '../fakes/telegram/telegram-fake';

const CHAT = 48151623;
type Json = Record<string, unknown>;
const SECRET = 'wh_Secret-2025';

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected a ConnectorError');
}

/**
 * Stands in for the API's webhook controller: raw body in, parseInbound, 401/403 on AuthFailed, 400 on
 * InvalidPayload, 200 otherwise; "stores" what it parsed.
 */
async function startWebhookReceiver(connector: TelegramConnector, account: () => ChannelAccountRef) {
  const stored: ParseResult[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      connector
        .parseInbound(account(), { headers: req.headers, body: Buffer.concat(chunks) })
        .then((result) => {
          stored.push(result);
          res.writeHead(200).end();
        })
        .catch((error: ConnectorError) => {
          const status =
            error.code === ConnectorErrorCode.AuthFailed
              ? (error.details.status ?? 403)
              : error.retryable
                ? 503
                : 400;
          res.writeHead(status).end(error.code);
        });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/telegram/tg-1`,
    stored,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** An answer to the test chat with one file. */
function answerWithFile(id: string, text: string, fileName: string, contentType: string, content: Buffer) {
  return {
    id,
    kind: 'answer' as const,
    text,
    replyAddress: { chatId: CHAT },
    attachments: [{ fileName, contentType, contentBase64: content.toString('base64') }],
  };
}

describe('TelegramConnector against the Bot API fake', () => {
  let fake: TelegramFake;
  const connector = new TelegramConnector(new JsonLogger('telegram-test', 'error'));
  const account = (settings: Record<string, unknown> = {}): ChannelAccountRef => ({
    id: 'tg-1',
    channel: Channel.Telegram,
    settings: { apiRoot: fake.apiRoot, pollTimeoutSeconds: 1, requestTimeoutMs: 5000, ...settings },
    secrets: { botToken: fake.token, webhookSecret: SECRET },
  });

  beforeAll(async () => {
    fake = await TelegramFake.start();
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(() => fake.reset());

  it('checks the token with getMe, and a wrong token is AuthFailed', async () => {
    await connector.check(account());
    const wrong = { ...account(), secrets: { botToken: '123456789:wrong-token-wrong-token-wrong' } };
    const error = await failure(connector.check(wrong));
    expect(error.code).toBe(ConnectorErrorCode.AuthFailed);
    expect(error.message).not.toContain('wrong-token');
  });

  it('long-polls a text message and does not return it again with the new cursor', async () => {
    const queued = fake.enqueue(fake.textUpdate(CHAT, 'На ул. Мира, 10 не горят фонари'));
    const first = await connector.pull(account(), null, 50);
    expect(first.items).toHaveLength(1);
    const [item] = first.items;
    expect(item).toMatchObject({
      channel: 'telegram',
      regime: 'message',
      text: 'На ул. Мира, 10 не горят фонари',
      author: { externalId: String(CHAT) },
      thread: { key: `chat:${CHAT}` },
      replyAddress: { chatId: CHAT },
    });
    expect(item.externalId).toMatch(new RegExp(`^${CHAT}:\\d+$`));
    expect(first.nextCursor).toBe(queued.update_id + 1);
    expect(first.hasMore).toBe(false);
    expect(fake.callsOf('getUpdates')[0].params).toMatchObject({
      timeout: 1,
      allowed_updates: [
        'message',
        'edited_message',
        'callback_query',
        'business_message',
        'edited_business_message',
        'deleted_business_messages',
        'my_chat_member',
      ],
    });

    const second = await connector.pull(account(), first.nextCursor, 50);
    expect(second.items).toEqual([]);
    expect(second.nextCursor).toBe(first.nextCursor);
    expect(fake.pending).toEqual([]);
  });

  it('holds the long poll until an update arrives', async () => {
    let answered = false;
    const pulling = connector
      .pull(account({ pollTimeoutSeconds: 10 }), null, 50)
      .finally(() => (answered = true));
    // The update comes only once Telegram holds the poll open (nothing was queued when it came in).
    while (!fake.holdingPoll && !answered) await new Promise((resolve) => setTimeout(resolve, 10));
    fake.enqueue(fake.textUpdate(CHAT, 'Прошу отремонтировать крыльцо'));
    const page = await pulling;
    expect(page.items.map((i) => i.text)).toEqual(['Прошу отремонтировать крыльцо']);
    // One long poll brought it: not a short poll repeated, nor a second poll after the first timed out.
    expect(fake.callsOf('getUpdates').map((c) => c.params.timeout)).toEqual([10]);
  });

  it('reads a photo and then downloads its bytes with fetchAttachment', async () => {
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    fake.enqueue(fake.photoUpdate(CHAT, bytes, 'Яма у подъезда'));
    const page = await connector.pull(account(), null, 50);
    const [item] = page.items;
    expect(item.text).toBe('Яма у подъезда');
    expect(item.attachments).toHaveLength(1);
    const [attachment] = item.attachments!;
    expect(attachment).toMatchObject({ contentType: 'image/jpeg', size: 3000 });
    expect(attachment.fileName).toMatch(/^photo-AQAD[\w-]+\.jpg$/);

    const file = await connector.fetchAttachment(account(), attachment.remoteRef!);
    expect(file.content.equals(bytes)).toBe(true);
    expect(file.contentType).toBe('image/jpeg');
    expect(file.fileName).toMatch(/^file_\d+\.jpg$/);
  });

  it('reads an album long-polled in one page as one item with every photo', async () => {
    const album = (caption?: string) => {
      const update = fake.photoUpdate(CHAT, Buffer.from(caption ?? 'второе фото'), caption) as {
        message: Record<string, unknown>;
      };
      update.message.media_group_id = '13912345678901234';
      return update;
    };
    fake.enqueue(album('Яма у подъезда, два фото'));
    fake.enqueue(album());
    const page = await connector.pull(account(), null, 50);
    expect(page.items).toHaveLength(1);
    expect(page.items[0].text).toBe('Яма у подъезда, два фото');
    expect(page.items[0].attachments).toHaveLength(2);
  });

  it('refuses a file larger than maxFileBytes, whether getFile reports the size or not', async () => {
    const declared = fake.registerFile(Buffer.alloc(5000, 1));
    const first = await failure(connector.fetchAttachment(account({ maxFileBytes: 1000 }), declared.file_id));
    expect(first.code).toBe(ConnectorErrorCode.InvalidPayload);

    const silent = fake.registerFile(Buffer.alloc(5000, 2), 'documents', { reportSize: false });
    const second = await failure(connector.fetchAttachment(account({ maxFileBytes: 1000 }), silent.file_id));
    expect(second.code).toBe(ConnectorErrorCode.InvalidPayload);
    expect(fake.callsOf('getFile')).toHaveLength(2);

    const unknown = await failure(connector.fetchAttachment(account(), 'no-such-file'));
    expect(unknown.code).toBe(ConnectorErrorCode.NotFound);
  });

  it('reads a location as coordinates and text', async () => {
    fake.enqueue(fake.locationUpdate(CHAT, 55.030204, 82.92043));
    const [item] = (await connector.pull(account(), null, 50)).items;
    expect(item).toMatchObject({
      text: 'Геопозиция: 55.030204,82.92043',
      address: '55.030204,82.92043',
      features: { location: '55.030204,82.92043' },
    });
  });

  it('reads a forwarded channel post with its source, and a live location once, not each of its moves', async () => {
    fake.enqueue(fake.fromSample('forwarded-channel-post.json', CHAT));
    const live = readTelegramSample('live-location.json') as unknown as Record<
      string,
      Record<string, Json>
    >[];
    for (const update of live) {
      const message = update.message ?? update.edited_message;
      message.chat.id = CHAT;
      message.from.id = CHAT;
      fake.enqueue(update);
    }
    const page = await connector.pull(account(), null, 50);
    expect(page.items.map((i) => i.text)).toEqual([
      'Переслано из канала «Новости Заречного района», подпись: Редакция https://t.me/zarechny_news/2417\n' +
        'В Заречном с утра нет горячей воды, аварийная служба не отвечает',
      'Геопозиция: 56.010563,92.852572',
    ]);
    expect(page.rejected).toEqual([]);
    expect(fake.pending).toHaveLength(4);
    await connector.pull(account({ pollTimeoutSeconds: 0 }), page.nextCursor, 50);
    expect(fake.pending).toEqual([]);
  });

  it('turns a rating button press into a RatingEvent and acknowledges it', async () => {
    const [answeredRow] = ratingChoices('ОГ-2025-000321');
    const queued = fake.enqueue(fake.callbackUpdate(CHAT, answeredRow[0].id, 7001));
    const page = await connector.pull(account(), null, 50);
    expect(page.items).toEqual([]);
    const callbackId = (queued.callback_query as { id: string }).id;
    expect(page.events).toEqual([
      expect.objectContaining({
        kind: 'rating',
        externalId: callbackId,
        target: { registrationNumber: 'ОГ-2025-000321', threadKey: `chat:${CHAT}` },
        answered: true,
      }),
    ]);
    await connector.acknowledgeInteraction(account(), {
      callbackId: (page.events![0] as RatingEvent).externalId,
      text: 'Спасибо за оценку!',
    });
    expect(fake.callbackAnswers).toEqual([
      { callbackQueryId: callbackId, text: 'Спасибо за оценку!', showAlert: false },
    ]);
    const stale = await failure(connector.acknowledgeInteraction(account(), { callbackId: 'never-issued' }));
    expect(stale.code).toBe(ConnectorErrorCode.NotFound);
  });

  it("answers at once a button press that brings no event (a game's «Play», no data, unreadable), else it spins", async () => {
    const game = fake.callbackUpdate(CHAT, 'unused', 7002) as { callback_query: Record<string, unknown> };
    delete game.callback_query.data;
    game.callback_query.game_short_name = 'kvest_po_gorodu';
    const bare = fake.callbackUpdate(CHAT, 'unused', 7003) as { callback_query: Record<string, unknown> };
    delete bare.callback_query.data;
    const broken = fake.callbackUpdate(CHAT, 'consent:accept', 7004) as {
      callback_query: Record<string, unknown>;
    };
    delete broken.callback_query.from;
    const pressed = fake.callbackUpdate(CHAT, 'consent:accept', 7005) as { callback_query: { id: string } };
    for (const update of [game, bare, broken, pressed]) fake.enqueue(update);
    const page = await connector.pull(account(), null, 50);
    expect(page.events).toEqual([expect.objectContaining({ callbackId: pressed.callback_query.id })]);
    expect(page.rejected).toHaveLength(1);
    // The press that brought an event is the dialogue's to answer, with its words; the others are answered here.
    expect(fake.callbackAnswers.map((a) => a.callbackQueryId)).toEqual(
      [game, bare, broken].map((u) => u.callback_query.id),
    );
    // Through the webhook too.
    const receiver = await startWebhookReceiver(connector, () => account());
    try {
      await setWebhook(account(), receiver.url);
      const again = fake.callbackUpdate(CHAT, 'unused', 7006) as { callback_query: Record<string, unknown> };
      delete again.callback_query.data;
      expect((await fake.pushToWebhook(again)).status).toBe(200);
      expect(fake.callbackAnswers.at(-1)?.callbackQueryId).toBe(again.callback_query.id);
    } finally {
      await receiver.close();
      await deleteWebhook(account());
    }
  });

  it('turns bot commands into interactions', async () => {
    fake.enqueue(fake.textUpdate(CHAT, '/start'));
    fake.enqueue(fake.textUpdate(CHAT, '/status ОГ-2025-000321'));
    fake.enqueue(fake.textUpdate(CHAT, '/my'));
    const page = await connector.pull(account(), null, 50);
    expect(page.items).toEqual([]);
    expect((page.events as InteractionEvent[]).map((e) => [e.action, e.value])).toEqual([
      ['start', undefined],
      ['appeal-status', 'ОГ-2025-000321'],
      ['list-appeals', undefined],
    ]);
  });

  it('pages with limit and reports hasMore', async () => {
    for (let i = 0; i < 3; i += 1) fake.enqueue(fake.textUpdate(CHAT, `Сообщение номер ${i + 1}`));
    const first = await connector.pull(account(), null, 2);
    expect(first.items.map((i) => i.text)).toEqual(['Сообщение номер 1', 'Сообщение номер 2']);
    expect(first.hasMore).toBe(true);
    const second = await connector.pull(account(), first.nextCursor, 2);
    expect(second.items.map((i) => i.text)).toEqual(['Сообщение номер 3']);
    expect(second.hasMore).toBe(false);
  });

  it('parses a webhook push with the right secret; a wrong or missing one is refused and stores nothing', async () => {
    const receiver = await startWebhookReceiver(connector, () => account());
    try {
      await setWebhook(account(), receiver.url);
      expect(fake.webhook).toEqual({
        url: receiver.url,
        secretToken: SECRET,
        allowedUpdates: [
          'message',
          'edited_message',
          'callback_query',
          'business_message',
          'edited_business_message',
          'deleted_business_messages',
          'my_chat_member',
        ],
      });
      const good = await fake.pushToWebhook(
        fake.textUpdate(CHAT, 'Отключили горячую воду без предупреждения'),
      );
      expect(good.status).toBe(200);
      expect(receiver.stored).toHaveLength(1);
      const result = receiver.stored[0] as { kind: 'items'; items: InboundItem[] };
      expect(result.items[0].text).toBe('Отключили горячую воду без предупреждения');

      const wrong = await fake.pushToWebhook(fake.textUpdate(CHAT, 'подделка'), { secret: 'wh_Secret-2026' });
      expect(wrong.status).toBe(403);
      expect(wrong.body).toBe(ConnectorErrorCode.AuthFailed);
      const missing = await fake.pushToWebhook(fake.textUpdate(CHAT, 'подделка'), { secret: null });
      expect(missing.status).toBe(401);
      expect(receiver.stored).toHaveLength(1);

      // An edit is the citizen's correction, an item of its own that names the message it corrects.
      const edited = await fake.pushToWebhook(fake.fromSample('edited-message.json', CHAT));
      expect(edited.status).toBe(200);
      const correction = (receiver.stored[1] as { items: InboundItem[] }).items;
      expect(correction).toHaveLength(1);
      expect(correction[0].features).toEqual({
        correctionOf: expect.stringMatching(new RegExp(`^${CHAT}:\\d+$`)),
      });
      expect(correction[0].text).toBe('Во дворе дома 14 по ул. Гоголя не горят два фонаря.');
      // An authentic body we cannot read is answered 200 (Telegram would hold back the bot's later updates
      // re-sending it) and handed over whole to be kept for staff.
      const broken = await fake.pushToWebhook(null, { rawBody: '{"update_id": 1, "message": ' });
      expect(broken.status).toBe(200);
      expect(receiver.stored[2]).toEqual({
        kind: 'items',
        items: [],
        events: [],
        rejected: [
          {
            reason: 'Обновление Telegram не удалось прочитать (Telegram webhook: body is not JSON)',
            raw: '{"update_id": 1, "message": ',
          },
        ],
      });

      // While a webhook is set, Telegram refuses getUpdates with 409; that is worth retrying, not fatal.
      const conflict = await failure(connector.pull(account(), null, 10));
      expect(conflict).toMatchObject({ code: ConnectorErrorCode.Temporary, details: { status: 409 } });
      await deleteWebhook(account());
      expect(fake.webhook).toBeNull();
    } finally {
      await receiver.close();
    }
  });

  it('sends a reply with choices as an inline keyboard in the same chat', async () => {
    const receipt = await connector.send(account(), {
      id: 'out-1',
      kind: 'rating-request',
      text: 'Ответ по обращению ОГ-2025-000321 направлен. Получен ли ответ на вопрос?',
      choices: ratingChoices('ОГ-2025-000321'),
      replyAddress: { chatId: CHAT, messageId: 1365 },
    });
    const sent = fake.sentTo(CHAT);
    expect(sent).toHaveLength(1);
    expect(receipt.remoteId).toBe(String(sent[0].messageId));
    expect(sent[0]).toMatchObject({ method: 'sendMessage', replyToMessageId: 1365 });
    expect(sent[0].replyMarkup?.inline_keyboard?.map((row) => row.map((b) => b.callback_data))).toEqual([
      ['rate:ОГ-2025-000321:answered:yes', 'rate:ОГ-2025-000321:answered:no'],
      [
        'rate:ОГ-2025-000321:sat:satisfied',
        'rate:ОГ-2025-000321:sat:partially',
        'rate:ОГ-2025-000321:sat:not-satisfied',
      ],
    ]);
    expect(sent[0].replyMarkup?.inline_keyboard?.[1].map((b) => b.text)).toEqual([
      'Удовлетворён',
      'Частично',
      'Не удовлетворён',
    ]);
  });

  it("files a message to an official's business account and answers it on that account's behalf", async () => {
    const connection = 'AQADkpcBAAEbmhEAAQ-B7rYv9h8';
    fake.connectBusiness(connection);
    fake.enqueue(fake.fromSample('business-message.json', CHAT));
    fake.enqueue(
      fake.fromSample('business-message-own.json', CHAT, (u) => {
        u.business_message.from.id = 400500600;
      }),
    );
    const page = await connector.pull(account(), null, 50);
    expect(page.items).toHaveLength(1);
    const [item] = page.items;
    expect(item).toMatchObject({
      text: 'Здравствуйте! Третью неделю нет отопления в доме 7 по ул. Садовой.',
      thread: { key: `business:${CHAT}` },
      replyAddress: { chatId: CHAT, businessConnectionId: connection },
    });

    // The answer, a file and the bot's questions go out through the connection; the phone button (a reply
    // keyboard Telegram does not take on a business account's behalf) is left out, the other buttons stay.
    const receipt = await connector.send(account(), {
      ...answerWithFile(
        'out-b1',
        'Ответ по обращению',
        'ответ.pdf',
        'application/pdf',
        Buffer.from('%PDF-1.4'),
      ),
      replyAddress: item.replyAddress,
      choices: [
        [{ id: PHONE_CHOICE_ID, label: 'Поделиться телефоном' }],
        [{ id: 'consent:accept', label: 'Согласен' }],
      ],
    });
    const sent = fake.sentTo(CHAT);
    expect(sent.map((s) => [s.method, s.params.business_connection_id])).toEqual([
      ['sendMessage', connection],
      ['sendDocument', connection],
    ]);
    expect(sent[1].replyMarkup).toEqual({
      inline_keyboard: [[{ text: 'Согласен', callback_data: 'consent:accept' }]],
    });
    // A reply to that answer joins its appeal, apart from the bot's own chat with the same person.
    const [text, file] = sent.map((s) => s.messageId);
    expect(receipt.remoteId).toBe(`${text},${file}`);
    expect(connector.threadKeysOfSent(receipt.remoteId!, item.replyAddress)).toEqual([
      `sent:b${CHAT}:${text}`,
      `sent:b${CHAT}:${file}`,
    ]);
    expect(connector.threadKeysOfSent(receipt.remoteId!, { chatId: CHAT })).toEqual([
      `sent:${CHAT}:${text}`,
      `sent:${CHAT}:${file}`,
    ]);
  });

  it("files a direct message to the official channel and answers in the citizen's topic there", async () => {
    fake.enqueue(fake.fromSample('channel-direct-message.json'));
    const [item] = (await connector.pull(account(), null, 50)).items;
    expect(item).toMatchObject({
      thread: { key: 'direct:-1002468013579:502003031' },
      replyAddress: { chatId: -1002468013579, directMessagesTopicId: 502003031 },
    });
    await connector.send(account(), {
      id: 'out-d1',
      kind: 'bot-reply',
      text: 'Укажите, пожалуйста, телефон для связи',
      replyAddress: item.replyAddress,
      choices: [
        [{ id: PHONE_CHOICE_ID, label: 'Поделиться телефоном' }],
        [{ id: 'consent:accept', label: 'Согласен' }],
      ],
    });
    const [sent] = fake.sentTo(-1002468013579);
    expect(sent.params.direct_messages_topic_id).toBe(502003031);
    expect(sent.replyMarkup).toEqual({
      inline_keyboard: [[{ text: 'Согласен', callback_data: 'consent:accept' }]],
    });
  });

  it("registers comments under the channel's posts only when the account says so, and answers under them", async () => {
    const comment = () =>
      fake.fromSample('channel-comment.json', undefined, (u) => {
        u.message.from.id = 502003021;
      });
    fake.enqueue(comment());
    const off = await connector.pull(account(), null, 50);
    expect(off.items).toEqual([]);

    const on = account({ channelComments: true });
    fake.enqueue(comment());
    const [item] = (await connector.pull(on, off.nextCursor, 50)).items;
    expect(item).toMatchObject({
      author: { externalId: '502003021' },
      features: { source: 'wall', place: 'channel-comments' },
      replyAddress: { chatId: -1001987654321 },
    });
    expect(item.text).toContain(
      'Комментарий к посту канала «Администрация района» https://t.me/adm_rayona/845',
    );
    // The webhook reads the account's setting too (a string from the environment's form as well).
    const receiver = await startWebhookReceiver(connector, () => account({ channelComments: 'true' }));
    try {
      await setWebhook(account(), receiver.url);
      await fake.pushToWebhook(comment());
      expect((receiver.stored[0] as { items: InboundItem[] }).items).toHaveLength(1);
    } finally {
      await receiver.close();
    }
    await connector.send(on, {
      id: 'out-c1',
      kind: 'answer',
      text: 'Заявка передана',
      replyAddress: item.replyAddress,
    });
    expect(fake.sentTo(-1001987654321)).toMatchObject([
      { method: 'sendMessage', replyToMessageId: (item.replyAddress as { messageId: number }).messageId },
    ]);
  });

  it("registers a reply to a neighbour's comment under the post whose copy the bot saw, long-polled or pushed", async () => {
    const tg = new TelegramConnector(new JsonLogger('telegram-test', 'error'));
    const { copy, comment, reply, thread } = fake.postThread();
    const on = account({ channelComments: true });
    fake.enqueue(copy);
    fake.enqueue(comment);
    fake.enqueue(reply);
    const page = await tg.pull(on, null, 50);
    expect(page.items.map((i) => i.thread?.key)).toEqual([
      `comments:-1001987654321:${thread}/from:502003021`,
      `comments:-1001987654321:${thread}/from:502003022`,
    ]);
    expect(page.items[1].text).toMatch(
      /^Комментарий к посту канала «Администрация района» https:\/\/t.me\/adm_rayona\/845/,
    );
    expect(page.items[1].text).toContain('В ответ на комментарий: «Ул. Лесная, 3');
    // Another bot (account) has not seen that post.
    fake.enqueue(reply);
    expect((await tg.pull({ ...on, id: 'tg-2' }, page.nextCursor, 50)).items).toEqual([]);

    // Over the webhook, in another process: the copy alone teaches the thread.
    const hooked = new TelegramConnector(new JsonLogger('telegram-test', 'error'));
    const receiver = await startWebhookReceiver(hooked, () => on);
    try {
      await setWebhook(account(), receiver.url);
      await fake.pushToWebhook(copy);
      await fake.pushToWebhook(reply);
      expect(receiver.stored.map((r) => (r as { items: InboundItem[] }).items.length)).toEqual([0, 1]);
    } finally {
      await receiver.close();
    }
  });

  it('splits a long answer and uploads attachments as photo and document', async () => {
    const photo = Buffer.from('\xff\xd8\xff\xe0 fake jpeg', 'latin1');
    const pdf = Buffer.from('%PDF-1.4 ответ', 'utf8');
    const text = `${'Уважаемый заявитель! '.repeat(250)}\n\n${'По существу обращения сообщаем. '.repeat(50)}`;
    const receipt = await connector.send(account(), {
      id: 'out-2',
      kind: 'answer',
      text,
      replyAddress: { chatId: CHAT },
      choices: [[{ id: 'consent:accept', label: 'Понятно' }]],
      attachments: [
        { fileName: 'схема.jpg', contentType: 'image/jpeg', contentBase64: photo.toString('base64') },
        {
          fileName: 'Ответ "итоговый".pdf',
          contentType: 'application/pdf',
          contentBase64: pdf.toString('base64'),
        },
      ],
    });
    const sent = fake.sentTo(CHAT);
    expect(sent.map((s) => s.method)).toEqual(['sendMessage', 'sendMessage', 'sendPhoto', 'sendDocument']);
    expect(sent.every((s) => s.text === undefined || s.text.length <= 4096)).toBe(true);
    expect(sent[0].text!.length + sent[1].text!.length).toBeGreaterThan(4096);
    expect(receipt.remoteId).toBe(sent.map((s) => s.messageId).join(','));
    expect(sent[2].file?.content.equals(photo)).toBe(true);
    expect(sent[2].file?.fileName).toBe('схема.jpg');
    expect(sent[3].file?.content.equals(pdf)).toBe(true);
    expect(sent[3].file?.fileName).toBe('Ответ _итоговый_.pdf');
    expect(fake.callsOf('sendDocument')[0].contentType).toMatch(/^multipart\/form-data; boundary=/);
    // The keyboard sits on the last part only.
    expect(sent.map((s) => Boolean(s.replyMarkup))).toEqual([false, false, false, true]);
    // Every part is a key of the appeal: the citizen answering the last one (the file under the buttons) joins it.
    const keys = connector.threadKeysOfSent(receipt.remoteId!, { chatId: CHAT });
    expect(keys).toHaveLength(4);
    const reply = fake.textUpdate(CHAT, 'Спасибо, но схема не открывается') as {
      message: Record<string, unknown>;
    };
    reply.message.reply_to_message = { message_id: sent[3].messageId, date: 1, chat: { id: CHAT } };
    fake.enqueue(reply);
    const [item] = (await connector.pull(account(), null, 10)).items;
    expect(item.thread?.refersTo).toEqual([keys[3]]);
  });

  it('sends a picture Telegram refuses as a photo (a 600 dpi scan) as a file instead', async () => {
    // A PNG header of an A4 page scanned at 600 dpi: 4960 × 7016 pixels, past sendPhoto's 10 000.
    const scan = Buffer.alloc(64);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(scan);
    scan.writeUInt32BE(13, 8);
    scan.write('IHDR', 12, 'latin1');
    scan.writeUInt32BE(4960, 16);
    scan.writeUInt32BE(7016, 20);
    const receipt = await connector.send(
      account(),
      answerWithFile('out-scan', 'Ответ на обращение во вложении', 'ответ-скан.png', 'image/png', scan),
    );
    expect(fake.callsOf('sendPhoto').map((c) => c.status)).toEqual([400]);
    const sent = fake.sentTo(CHAT);
    expect(sent.map((s) => s.method)).toEqual(['sendMessage', 'sendDocument']);
    expect(sent[1].file?.fileName).toBe('ответ-скан.png');
    expect(sent[1].file?.content.equals(scan)).toBe(true);
    expect(receipt.remoteId).toBe(`${sent[0].messageId},${sent[1].messageId}`);
    // Other refusals are not about the picture: they still fail the send.
    fake.blockChat(CHAT);
    const blocked = await failure(
      connector.send(account(), answerWithFile('out-scan-2', '', 'фото.png', 'image/png', scan)),
    );
    expect(blocked.code).toBe(ConnectorErrorCode.NotFound);
    expect(fake.callsOf('sendDocument')).toHaveLength(1);
    fake.unblockChat(CHAT);
  });

  it('refuses for good a file past the Bot API upload limit (413), where a retry would fail the same way', async () => {
    fake.uploadLimitBytes = 4096;
    const big = Buffer.alloc(8192, 7);
    const error = await failure(
      connector.send(account(), answerWithFile('out-big', 'Ответ', 'проект.pdf', 'application/pdf', big)),
    );
    expect(error).toMatchObject({
      code: ConnectorErrorCode.InvalidPayload,
      details: { status: 413, fields: { attachments: expect.stringMatching(/^Файл больше 50 МБ/) } },
    });
    expect(error.retryable).toBe(false);
    expect(fake.callsOf('sendDocument').map((c) => c.status)).toEqual([413]);
  });

  it('throws RateLimited on 429 and delivers exactly once when the core retries', async () => {
    fake.setScenario('rate-limited', { count: 1, retryAfter: 2, methods: ['sendMessage'] });
    const message = {
      id: 'out-3',
      kind: 'answer' as const,
      text: 'Ваше обращение зарегистрировано',
      replyAddress: { chatId: CHAT },
    };
    const error = await failure(connector.send(account(), message));
    expect(error).toMatchObject({ code: ConnectorErrorCode.RateLimited, details: { retryAfterMs: 2000 } });
    expect(error.retryable).toBe(true);
    expect(fake.sentTo(CHAT)).toHaveLength(0);

    await connector.send(account(), message);
    expect(fake.sentTo(CHAT).map((s) => s.text)).toEqual(['Ваше обращение зарегистрировано']);
    expect(fake.callsOf('sendMessage').map((c) => c.status)).toEqual([429, 200]);
  });

  it('waits out a short 429 once part of an answer is out, so the citizen gets each part once', async () => {
    const pdf = Buffer.from('%PDF-1.4 ответ', 'utf8');
    fake.setScenario('rate-limited', { count: 1, retryAfter: 1, methods: ['sendDocument'] });
    const started = Date.now();
    const receipt = await connector.send(
      account(),
      answerWithFile('out-paced', 'Ответ на ваше обращение во вложении', 'ответ.pdf', 'application/pdf', pdf),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.sentTo(CHAT).map((s) => s.method)).toEqual(['sendMessage', 'sendDocument']);
    expect(fake.callsOf('sendDocument').map((c) => c.status)).toEqual([429, 200]);
    expect(receipt.remoteId).toBe(
      fake
        .sentTo(CHAT)
        .map((s) => s.messageId)
        .join(','),
    );
    // A long wait is not waited out here: the core's retry, after it, resumes at the file (the text is out).
    fake.reset();
    fake.setScenario('rate-limited', { count: 1, retryAfter: 30, methods: ['sendDocument'] });
    const error = await failure(
      connector.send(account(), answerWithFile('out-paced-2', 'Ответ', 'ответ.pdf', 'application/pdf', pdf)),
    );
    expect(error).toMatchObject({
      code: ConnectorErrorCode.RateLimited,
      details: { retryAfterMs: 30000, partsSent: { sent: 1, total: 2 } },
    });
    expect(error.details.outcomeUnknown).toBeFalsy();
  });

  /** What the core keeps of a send in several (PartsProgress): the parts reported, in order. */
  function progressOf(sent: string[] = [], total?: number) {
    const reported: { index: number; total: number; remoteId: string }[] = [];
    return {
      reported,
      progress: {
        sent,
        total,
        partSent: async (index: number, of: number, remoteId: string) => {
          reported.push({ index, total: of, remoteId });
        },
      },
    };
  }

  it('a later part failing after the first went out (Telegram 502, down mid-answer) says how far it got; the retry sends only the rest', async () => {
    const pdf = Buffer.from('%PDF-1.4 ответ', 'utf8');
    // Past Telegram's 4096 characters: two messages of text, then the file.
    const text = `Ответ на ваше обращение. ${'Работы выполнены подрядчиком в срок, качество принято комиссией. '.repeat(80)}`;
    const message = {
      ...answerWithFile('out-cut', text, 'ответ.pdf', 'application/pdf', pdf),
      replyAddress: { chatId: CHAT, messageId: 7 },
    };
    fake.setScenario('server-error', { count: 1, skip: 1, methods: ['sendMessage'] });
    const first = progressOf();
    const error = await failure(connector.send(account(), message, first.progress));
    // The citizen has the first part, on record before the second went; the 502 is retried (not held for a person).
    expect(fake.sentTo(CHAT).map((s) => s.method)).toEqual(['sendMessage']);
    const [part1] = fake.sentTo(CHAT);
    expect(first.reported).toEqual([{ index: 0, total: 3, remoteId: String(part1.messageId) }]);
    expect(error).toMatchObject({
      code: ConnectorErrorCode.Temporary,
      details: { status: 502, partsSent: { sent: 1, total: 3 } },
    });
    expect(error.retryable).toBe(true);
    expect(error.details.outcomeUnknown).toBeFalsy();
    expect(error.message).toContain('part 2 of 3 failed after 1 went out');

    // The retry, told what went out, sends the second part and the file only: the first never twice.
    const retry = progressOf([String(part1.messageId)], 3);
    const receipt = await connector.send(account(), message, retry.progress);
    const sent = fake.sentTo(CHAT);
    expect(sent.map((s) => s.method)).toEqual(['sendMessage', 'sendMessage', 'sendDocument']);
    expect(sent.filter((s) => s.text?.startsWith('Ответ на ваше обращение'))).toHaveLength(1);
    expect(`${sent[0].text} ${sent[1].text}`).toBe(text.trim());
    // The reply reference went with the first part only; every part's id is the receipt's, the earlier one first.
    expect(sent[1].replyToMessageId).toBeUndefined();
    expect(receipt.remoteId).toBe(sent.map((s) => s.messageId).join(','));
    expect(retry.reported.map((r) => r.index)).toEqual([1, 2]);
    expect(connector.threadKeysOfSent(receipt.remoteId!, { chatId: CHAT })).toHaveLength(3);

    // A message that no longer splits as its parts out did is not resumed: nothing goes.
    fake.reset();
    const refused = await failure(
      connector.send(account(), message, progressOf([String(part1.messageId)], 2).progress),
    );
    expect(refused.code).toBe(ConnectorErrorCode.InvalidPayload);
    expect(fake.sentTo(CHAT)).toHaveLength(0);

    // The first part failing leaves nothing out: a plain retry, as before.
    fake.setScenario('server-error', { count: 1, methods: ['sendMessage'] });
    const none = await failure(connector.send(account(), message, progressOf().progress));
    expect(none.details.partsSent).toBeUndefined();
    expect(fake.sentTo(CHAT)).toHaveLength(0);
  });

  it('maps a server error to Temporary and a blocked user to NotFound', async () => {
    const message = { id: 'out-4', kind: 'answer' as const, text: 'Ответ', replyAddress: { chatId: CHAT } };
    fake.setScenario('server-error');
    expect(await failure(connector.send(account(), message))).toMatchObject({
      code: ConnectorErrorCode.Temporary,
      details: { status: 502 },
    });
    expect((await failure(connector.pull(account(), null, 10))).code).toBe(ConnectorErrorCode.Temporary);
    fake.setScenario('normal');
    fake.blockChat(CHAT);
    const blocked = await failure(connector.send(account(), message));
    expect(blocked).toMatchObject({ code: ConnectorErrorCode.NotFound, details: { status: 403 } });
    expect(blocked.retryable).toBe(false);
  });

  it("a 200 whose body is not the Bot API's answer, after the message went, is of unknown outcome: not a plain retry", async () => {
    const chat = CHAT + 77;
    for (const body of ['<html><body>Доступ к ресурсу ограничен', '{}']) {
      fake.garbledAnswer = (method) => (method === 'sendMessage' ? body : undefined);
      const error = await failure(
        connector.send(account(), {
          id: `out-garbled-${body.length}`,
          kind: 'answer',
          text: 'Ответ',
          replyAddress: { chatId: chat },
        }),
      );
      expect(error).toMatchObject({ code: ConnectorErrorCode.Temporary, details: { outcomeUnknown: true } });
    }
    fake.garbledAnswer = undefined;
    // Telegram had both: a retry would have sent each a second time.
    expect(fake.sentTo(chat)).toHaveLength(2);
  });

  it('maps a call slower than requestTimeoutMs to Temporary', async () => {
    fake.setScenario('slow', { delayMs: 1500, methods: ['getMe'] });
    const error = await failure(connector.check(account({ requestTimeoutMs: 300 })));
    expect(error.code).toBe(ConnectorErrorCode.Temporary);
    fake.setScenario('slow', { delayMs: 200, methods: ['getMe'] });
    await connector.check(account({ requestTimeoutMs: 3000 }));
  });

  it('keeps a malformed update for quarantine without crashing and moves the cursor past it', async () => {
    fake.setScenario('malformed');
    const good = fake.enqueue(fake.textUpdate(CHAT, 'Нормальное сообщение после битого'));
    const page = await connector.pull(account(), null, 50);
    expect(page.items.map((i) => i.text)).toEqual(['Нормальное сообщение после битого']);
    expect(page.rejected).toEqual([
      {
        externalId: `update:${good.update_id + 1}`,
        reason: expect.stringMatching(/^Обновление Telegram не удалось прочитать \(Telegram update: /),
        raw: expect.objectContaining({ update_id: good.update_id + 1 }),
      },
    ]);
    // The broken update came right after the good one; the cursor confirms it too.
    expect(page.nextCursor).toBe(good.update_id + 2);
    const again = await connector.pull(account({ pollTimeoutSeconds: 0 }), page.nextCursor, 50);
    expect(again.items).toEqual([]);
    expect(fake.pending).toEqual([]);
  });

  it('refuses a cursor that is not an offset', async () => {
    expect((await failure(connector.pull(account(), { ts: 5 }, 10))).code).toBe(
      ConnectorErrorCode.CursorInvalid,
    );
  });
});
