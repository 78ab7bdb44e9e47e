import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Channel, ConnectorErrorCode } from '@inbox/integrations/contract';
import { okApiError } from './ok-api';
import { OkConnector } from './ok.connector';
import { okChatKind, parseOkWebhook } from './ok-webhook';

// Our own webhook bodies in the shapes of apiok.ru's examples (test/fixtures/ok); the documented examples
// themselves are checked by the conformance suite (test/conformance).
const SAMPLES = path.resolve(__dirname, '../../../test/fixtures/ok');
const sampleText = (name: string) => readFileSync(path.join(SAMPLES, name), 'utf8');
const textMessage = () => JSON.parse(sampleText('webhook-message-text.json')) as Record<string, unknown>;
const shareMessage = () => JSON.parse(sampleText('webhook-message-share.json')) as Record<string, unknown>;

const account = {
  id: 'ok-1',
  channel: Channel.Ok,
  // Nothing listens there: the chat's kind is not known (the integration test asks the fake OK).
  settings: { apiBaseUrl: 'http://127.0.0.1:9/graph' },
  secrets: { accessToken: 'tkn', webhookSecret: 'shared-secret' },
};
const connector = new OkConnector();

/**
 * `value` whose `key` throws when read: a shape our reading trips over, for the catch around it. Since dates past the
 * year 9999 are read, no JSON body we know of does that any more (a getter is no JSON: it stands for the unforeseen).
 */
function throwingOn<T extends object>(value: T, key: string): T {
  return Object.defineProperty(value, key, {
    get: () => {
      throw new TypeError('unreadable');
    },
  });
}

describe('parseOkWebhook', () => {
  it('turns the documented plain-text message into one item in the chat thread', () => {
    expect(parseOkWebhook(textMessage())).toEqual({
      items: [
        {
          channel: 'ok',
          externalId: 'mid:C7d31a0f5b2e1.1a7f3e0c92b4d01',
          receivedAt: new Date(1741605000123).toISOString(),
          regime: 'message',
          author: { externalId: 'user:577120034411' },
          text: 'Добрый день! Куда жаловаться на шум от стройки по ночам?',
          attachments: [],
          thread: { key: 'chat:C7d31a0f5b2e1' },
          replyAddress: { chatId: 'chat:C7d31a0f5b2e1' },
          features: { source: 'messages' },
        },
      ],
    });
  });

  it('accepts an explicit MESSAGE_CREATED type and ignores every other type', () => {
    expect(parseOkWebhook({ ...textMessage(), webhookType: 'MESSAGE_CREATED' }).items).toHaveLength(1);
    expect(parseOkWebhook({ ...textMessage(), webhookType: 'MESSAGE_CALLBACK' })).toEqual({
      items: [],
      skipped: 'webhook-type:MESSAGE_CALLBACK',
    });
    expect(parseOkWebhook({ webhookType: 'CHAT_SYSTEM', recipient: { chat_id: 'chat:X' } })).toEqual({
      items: [],
      skipped: 'webhook-type:CHAT_SYSTEM',
    });
    // A body with neither a type nor a message: acknowledged, and said in the log.
    expect(parseOkWebhook({ recipient: { chat_id: 'chat:X' }, timestamp: 1498581292941 })).toEqual({
      items: [],
      skipped: 'no-message',
    });
  });

  it('a place becomes the address; an attachment type it does not know is said, not dropped', () => {
    const body = JSON.parse(sampleText('webhook-message-location-sticker.json')) as Record<string, unknown>;
    expect(parseOkWebhook(body).items[0]).toMatchObject({
      text: 'Геопозиция: 54.98356,82.89674\nВложение не распознано (audio_message)',
      address: '54.98356,82.89674',
      attachments: [],
      features: { source: 'messages', location: '54.98356,82.89674' },
    });
    const sticker = textMessage();
    sticker.message = {
      mid: 'mid:C7d31a0f5b2e1.5',
      text: '',
      attachments: [{ type: 'STICKER', payload: { code: 'e4b1' } }],
    };
    expect(parseOkWebhook(sticker)).toEqual({ items: [], skipped: 'sticker' });
    // A present is a present (it was logged as a sticker), the keyboard under it no content; beside a photo with no
    // words, the clerk reads what came.
    sticker.message = {
      mid: 'mid:C7d31a0f5b2e1.6',
      text: '',
      attachments: [
        { type: 'PRESENT', payload: { id: '77' } },
        { type: 'INLINE_KEYBOARD', payload: { buttons: [] } },
      ],
    };
    expect(parseOkWebhook(sticker)).toEqual({ items: [], skipped: 'gift' });
    (sticker.message as { attachments: unknown[] }).attachments.push({
      type: 'IMAGE',
      payload: { url: 'https://i.mycdn.me/i?r=9' },
    });
    expect(parseOkWebhook(sticker).items[0]).toMatchObject({
      text: 'Подарок в Одноклассниках',
      attachments: [expect.objectContaining({ remoteRef: 'https://i.mycdn.me/i?r=9' })],
    });
    const emoji = textMessage();
    emoji.message = { mid: 'mid:C7d31a0f5b2e1.7', text: '❤️ 👍' };
    expect(parseOkWebhook(emoji)).toEqual({ items: [], skipped: 'emoji' });
    emoji.message = { mid: 'mid:C7d31a0f5b2e1.8', text: '5 👍' };
    expect(parseOkWebhook(emoji).items[0].text).toBe('5 👍');
    // One attachment given alone, not in a list, and a mid given as a bare number: read, not dropped.
    const lone = textMessage();
    lone.message = {
      mid: 98211023614189,
      text: 'Фото ямы',
      attachments: { type: 'IMAGE', payload: { url: 'https://i.mycdn.me/yama.jpg' } },
    };
    expect(parseOkWebhook(lone).items[0]).toMatchObject({
      externalId: '98211023614189',
      attachments: [{ remoteRef: 'https://i.mycdn.me/yama.jpg' }],
    });
    const empty = textMessage();
    empty.message = { mid: 'mid:C7d31a0f5b2e1.6' };
    expect(parseOkWebhook(empty).items[0].text).toBe(
      'Сообщение не распознано. Откройте диалог в Одноклассниках.',
    );
    const shared = shareMessage();
    (shared.message as Record<string, unknown>).text = 'Посмотрите';
    expect(parseOkWebhook(shared).items[0].text).toBe(
      'Посмотрите\nСсылка: https://gorod.example.ru/news/remont-mosta',
    );
  });

  it('a link share is not a file; a file by URL is', () => {
    const shared = parseOkWebhook(shareMessage());
    expect(shared.items[0]).toMatchObject({
      text: 'https://gorod.example.ru/news/remont-mosta',
      attachments: [],
    });
    const body = textMessage();
    (body.message as Record<string, unknown>).attachments = [
      { type: 'FILE', payload: { url: 'https://st.mycdn.me/f/1', name: 'жалоба.pdf', size: 120 } },
    ];
    expect(parseOkWebhook(body).items[0].attachments).toEqual([
      {
        fileName: 'жалоба.pdf',
        contentType: 'application/pdf',
        remoteRef: 'https://st.mycdn.me/f/1',
        size: 120,
      },
    ]);
  });

  it('reads variants of the documented shape: a lower-case type, numeric ids, seconds, emoji, every file type', () => {
    const body = textMessage();
    body.sender = { user_id: 910000000042, name: 'Анна 👩‍🔧 Ли' };
    // A chat id without its prefix: the same chat, answered at chat:<id>.
    body.recipient = { chat_id: 'C3ecb9d02a600' };
    body.timestamp = 1741602100;
    body.future_field = { any: 'thing' };
    const message = body.message as Record<string, unknown>;
    message.text = '🏳️‍🌈 Яма на ул. Ленина, д. 5 — Lenina st. 5';
    message.attachments = [
      { type: 'image', payload: { url: 'https://i.mycdn.me/i?r=1', id: '1' } },
      { type: 'VIDEO', payload: { url: 'https://vd.mycdn.me/v/2' } },
      { type: 'AUDIO', payload: { url: 'https://a.mycdn.me/a/3' } },
      { type: 'FILE', payload: { url: 'https://st.mycdn.me/f/4', name: '../акт\u0000.pdf' } },
      { type: 'STICKER', payload: { url: 'https://i.mycdn.me/s' } },
      { type: 'POLL', payload: { question: 'Вопрос?' } },
      { type: 'IMAGE', payload: null },
    ];
    const [item] = parseOkWebhook(body).items;
    expect(item).toMatchObject({
      // The same citizen as `user:910000000042` in OK's documented form, and on the wall.
      author: { externalId: 'user:910000000042', displayName: 'Анна 👩‍🔧 Ли' },
      thread: { key: 'chat:C3ecb9d02a600' },
      replyAddress: { chatId: 'chat:C3ecb9d02a600' },
      receivedAt: '2025-03-10T10:21:40.000Z',
      text: [
        '🏳️‍🌈 Яма на ул. Ленина, д. 5 — Lenina st. 5',
        'Вложение не распознано (poll)',
        'Вложение не распознано (image без ссылки)',
      ].join('\n'),
    });
    expect(item.attachments?.map((a) => [a.fileName, a.contentType])).toEqual([
      ['image-1.jpg', 'image/jpeg'],
      ['video-2.mp4', 'video/mp4'],
      ['audio-3.mp3', 'audio/mpeg'],
      ['акт.pdf', 'application/pdf'],
    ]);
  });

  it("a reply to the group's message refers to that message's key, which the connector gives what it sent", () => {
    const reply = JSON.parse(sampleText('webhook-message-reply.json')) as Record<string, unknown>;
    const [item] = parseOkWebhook(reply).items;
    expect(item.thread).toEqual({
      key: 'chat:C7d31a0f5b2e1',
      refersTo: ['sent:chat:C7d31a0f5b2e1:mid:C7d31a0f5b2e1.1a7f3e0c92b4d9a'],
    });
    // The same key from the answer we sent into that chat (its mid as OK returned it).
    expect(
      connector.threadKeysOfSent('mid:C7d31a0f5b2e1.1a7f3e0c92b4d9a', { chatId: 'chat:C7d31a0f5b2e1' }),
    ).toEqual(item.thread!.refersTo);
    // An answer sent in two parts: a reply to the second names a key of the appeal too.
    expect(
      connector.threadKeysOfSent('mid:C7d31a0f5b2e1.1a,mid:C7d31a0f5b2e1.1b', {
        chatId: 'chat:C7d31a0f5b2e1',
      }),
    ).toEqual([
      'sent:chat:C7d31a0f5b2e1:mid:C7d31a0f5b2e1.1a',
      'sent:chat:C7d31a0f5b2e1:mid:C7d31a0f5b2e1.1b',
    ]);
    // `{ mid }` is read as well; a message that replies to nothing keeps the chat key alone.
    (reply.message as Record<string, unknown>).reply_to = { mid: 'mid:C7d31a0f5b2e1.77' };
    expect(parseOkWebhook(reply).items[0].thread?.refersTo).toEqual([
      'sent:chat:C7d31a0f5b2e1:mid:C7d31a0f5b2e1.77',
    ]);
    expect(parseOkWebhook(textMessage()).items[0].thread).toEqual({ key: 'chat:C7d31a0f5b2e1' });
    expect(connector.threadKeysOfSent('mid:X.1', {})).toEqual([]);
  });

  it('reads a stamp a relay wrote as ISO 8601, in Moscow time when it has no zone', () => {
    const at = (timestamp: string) => parseOkWebhook({ ...textMessage(), timestamp }).items[0].receivedAt;
    expect(at('2026-12-07T10:00:00+07:00')).toBe('2026-12-07T03:00:00.000Z');
    expect(at('2026-12-07 10:00:00')).toBe('2026-12-07T07:00:00.000Z');
    expect(at('1498581292941')).toBe('2017-06-27T16:34:52.941Z');
  });

  it('reads a message stamped past the year 9999 as come when read (its stamp threw a RangeError)', () => {
    const before = Date.now();
    const { items } = parseOkWebhook({ ...textMessage(), timestamp: 9_000_000_000_000_000 });
    expect(items).toHaveLength(1);
    expect(Date.parse(items[0].receivedAt)).toBeGreaterThanOrEqual(before);
  });

  it('reports a message without sender, chat or mid as a problem', () => {
    const body = textMessage();
    delete body.sender;
    expect(parseOkWebhook(body).problem).toMatch(/sender/);
    const noMid = textMessage();
    delete (noMid.message as Record<string, unknown>).mid;
    expect(parseOkWebhook(noMid).problem).toMatch(/mid/);
  });
});

describe('okChatKind', () => {
  it('tells a chat several people write in from a citizen’s dialogue with the group', () => {
    const chat = (type: string, ...users: string[]) => ({
      type,
      participants: Object.fromEntries(users.map((u) => [u, 1498581292941])),
    });
    expect(okChatKind(chat('GROUP_CHAT', 'user:1'))).toBe('private');
    expect(okChatKind(chat('GROUP_CHAT', 'user:1', 'group:9'))).toBe('private');
    expect(okChatKind(chat('GROUP_CHAT', 'user:1', 'user:2'))).toBe('multi-user');
    expect(okChatKind(chat('CHAT', 'user:1'))).toBe('multi-user');
    expect(okChatKind({})).toBe('private');
  });
});

describe('OkConnector.parseInbound', () => {
  const request = (
    query: Record<string, unknown>,
    body: unknown = Buffer.from(`\uFEFF${sampleText('webhook-message-text.json')}`),
  ) => ({
    headers: {},
    query,
    body,
  });

  it('accepts the right secret (BOM and all)', async () => {
    await expect(
      connector.parseInbound(account, request({ secret: 'shared-secret' })),
    ).resolves.toMatchObject({
      kind: 'items',
      items: [{ externalId: 'mid:C7d31a0f5b2e1.1a7f3e0c92b4d01', features: { chatKind: 'unverified' } }],
    });
  });

  it('refuses a missing or wrong secret, and any request when none is configured', async () => {
    await expect(connector.parseInbound(account, request({}))).rejects.toMatchObject({
      code: ConnectorErrorCode.AuthFailed,
    });
    await expect(connector.parseInbound(account, request({ secret: 'shared-secreT' }))).rejects.toMatchObject(
      {
        code: ConnectorErrorCode.AuthFailed,
      },
    );
    const open = { ...account, secrets: { accessToken: 'tkn' } };
    await expect(connector.parseInbound(open, request({ secret: '' }))).rejects.toMatchObject({
      code: ConnectorErrorCode.AuthFailed,
    });
  });

  it('keeps an authentic message it cannot read for staff and answers it, so OK does not re-send it', async () => {
    const broken = textMessage();
    delete (broken.message as Record<string, unknown>).mid;
    const result = await connector.parseInbound(
      account,
      request({ secret: 'shared-secret' }, Buffer.from(JSON.stringify(broken))),
    );
    expect(result).toEqual({
      kind: 'items',
      items: [],
      events: [],
      rejected: [
        { reason: 'Сообщение OK не удалось прочитать (OK webhook: message without mid)', raw: broken },
      ],
    });
  });

  it('keeps a message its reading throws on for staff, with the reason, and answers it', async () => {
    // Reading it threw (a stamp past what a Date holds did), and OK re-sent the message for 8 hours.
    const sample = textMessage();
    const odd = { ...sample, message: throwingOn({ ...(sample.message as object) }, 'text') };
    const result = await connector.parseInbound(account, request({ secret: 'shared-secret' }, odd));
    expect(result).toEqual({
      kind: 'items',
      items: [],
      events: [],
      rejected: [
        {
          reason: expect.stringMatching(
            /^Сообщение OK не удалось разобрать: сбой программы чтения канала \(TypeError/,
          ),
          raw: odd,
        },
      ],
    });
  });

  it('refuses a body that is not JSON', async () => {
    await expect(
      connector.parseInbound(account, request({ secret: 'shared-secret' }, '{"sender":')),
    ).rejects.toMatchObject({
      code: ConnectorErrorCode.InvalidPayload,
    });
  });

  it('adds the secret to the subscribed URL', () => {
    expect(connector.webhookUrl(account, 'https://inbox.example.ru/webhooks/ok/ok-1')).toBe(
      'https://inbox.example.ru/webhooks/ok/ok-1?secret=shared-secret',
    );
  });
});

describe('okApiError', () => {
  it.each([
    [8, ConnectorErrorCode.RateLimited],
    [11, ConnectorErrorCode.RateLimited],
    [102, ConnectorErrorCode.AuthFailed],
    [103, ConnectorErrorCode.AuthFailed],
    [2, ConnectorErrorCode.Temporary],
    [9999, ConnectorErrorCode.Temporary],
    [300, ConnectorErrorCode.NotFound],
    [100, ConnectorErrorCode.InvalidPayload],
  ])('error %i → %s', (code, expected) => {
    expect(okApiError(code, 'X : y', 'OK POST /me/messages').code).toBe(expected);
  });
});
