import { JsonLogger } from '@inbox/common';
import { Channel, ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';
import { TelegramError } from 'telegraf';
import { settingsOf } from './account';
import { parseCallbackData, ratingChoices } from './callback-data';
import { toConnectorError } from './errors';
import { TelegramConnector } from './telegram.connector';

const account = {
  id: 'tg',
  channel: Channel.Telegram,
  settings: {},
  secrets: { botToken: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ012345678', webhookSecret: 'hook_Secret-1' },
};
const connector = new TelegramConnector(new JsonLogger('test', 'error'));
const update = {
  update_id: 1,
  message: { message_id: 5, date: 1700000000, chat: { id: 9, type: 'private' }, text: 'Привет' },
};

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

async function codeOf(promise: Promise<unknown>): Promise<ConnectorErrorCode | undefined> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConnectorError) return error.code;
    throw error;
  }
  return undefined;
}

describe('TelegramConnector webhook', () => {
  it('parses an update when the secret header matches, BOM and all', async () => {
    const body = Buffer.from('\uFEFF' + JSON.stringify(update), 'utf8');
    const result = await connector.parseInbound(account, {
      headers: { 'X-Telegram-Bot-Api-Secret-Token': 'hook_Secret-1' },
      body,
    });
    expect(result).toMatchObject({
      kind: 'items',
      items: [{ externalId: '9:5', text: 'Привет' }],
      events: [],
    });
  });

  it('refuses a wrong, missing or unconfigured secret before reading the body', async () => {
    const poison = {
      get update_id(): number {
        throw new Error('body was read');
      },
    };
    for (const headers of [
      { 'x-telegram-bot-api-secret-token': 'hook_Secret-2' },
      {},
      { 'x-telegram-bot-api-secret-token': '' },
    ]) {
      expect(await codeOf(connector.parseInbound(account, { headers, body: poison }))).toBe(
        ConnectorErrorCode.AuthFailed,
      );
    }
    const noSecret = { ...account, secrets: { botToken: account.secrets.botToken } };
    const headers = { 'x-telegram-bot-api-secret-token': 'hook_Secret-1' };
    expect(await codeOf(connector.parseInbound(noSecret, { headers, body: update }))).toBe(
      ConnectorErrorCode.AuthFailed,
    );
  });

  it('answers an unhandled update type with an empty result, and keeps an authentic unreadable body whole', async () => {
    const headers = { 'x-telegram-bot-api-secret-token': 'hook_Secret-1' };
    const poll = { update_id: 2, poll: { id: '1', question: '?', options: [] } };
    expect(await connector.parseInbound(account, { headers, body: poll })).toEqual({
      kind: 'items',
      items: [],
      events: [],
    });
    // Past the secret nothing is thrown away: the core quarantines what could not be read, with the reason.
    expect(
      await connector.parseInbound(account, { headers, body: Buffer.from('{"update_id":', 'utf8') }),
    ).toEqual({
      kind: 'items',
      items: [],
      events: [],
      rejected: [
        {
          reason: 'Обновление Telegram не удалось прочитать (Telegram webhook: body is not JSON)',
          raw: '{"update_id":',
        },
      ],
    });
    expect(await connector.parseInbound(account, { headers, body: [1, 2] })).toMatchObject({
      rejected: [
        {
          reason: 'Обновление Telegram не удалось прочитать (Telegram update: update must be an object)',
          raw: [1, 2],
        },
      ],
    });
    const broken = { update_id: 7, message: { message_id: 'x', date: 1, chat: { id: 9 } } };
    expect(await connector.parseInbound(account, { headers, body: broken })).toMatchObject({
      items: [],
      rejected: [
        { externalId: 'update:7', reason: expect.stringContaining('message.message_id'), raw: broken },
      ],
    });
  });

  it('keeps an update its reading throws on for staff, with the reason, instead of failing the webhook', async () => {
    const headers = { 'x-telegram-bot-api-secret-token': 'hook_Secret-1' };
    // Reading it threw (a date past what a Date holds did): the webhook answered 500 and Telegram re-sent the update
    // (holding back every later one) for hours.
    const odd = {
      update_id: 8,
      message: throwingOn({ message_id: 3, date: 1700000000, chat: { id: 9, type: 'private' } }, 'text'),
    };
    expect(await connector.parseInbound(account, { headers, body: odd })).toEqual({
      kind: 'items',
      items: [],
      events: [],
      rejected: [
        {
          externalId: 'update:8',
          reason: expect.stringMatching(
            /^Обновление Telegram не удалось разобрать: сбой программы чтения канала \(TypeError/,
          ),
          raw: odd,
        },
      ],
    });
  });
});

describe('TelegramConnector configuration', () => {
  it('rejects a cursor that is not an update offset before any call', async () => {
    expect(await codeOf(connector.pull(account, { ts: 'x' }, 10))).toBe(ConnectorErrorCode.CursorInvalid);
    expect(await codeOf(connector.pull(account, 'abc', 10))).toBe(ConnectorErrorCode.CursorInvalid);
  });

  it('needs a bot token and an http(s) API root', async () => {
    expect(await codeOf(connector.check({ ...account, secrets: {} }))).toBe(ConnectorErrorCode.AuthFailed);
    expect(() => settingsOf({ ...account, settings: { apiRoot: 'ftp://x' } })).toThrow(ConnectorError);
    expect(settingsOf(account)).toMatchObject({
      apiRoot: 'https://api.telegram.org/',
      pollTimeoutSeconds: 25,
      maxFileBytes: 20 * 1024 * 1024,
    });
  });

  it('refuses to send without a chat to send to', async () => {
    const message = { id: 'o1', kind: 'answer' as const, text: 'Ответ', recipient: { email: 'a@b.ru' } };
    expect(await codeOf(connector.send(account, message))).toBe(ConnectorErrorCode.InvalidPayload);
  });
});

describe('rating buttons', () => {
  it('round-trips both questions through callback data within 64 bytes', () => {
    const rows = ratingChoices('ОГ-2025-000123');
    expect(rows.map((row) => row.map((c) => c.label))).toEqual([
      ['Да, ответ получен', 'Нет, ответа нет'],
      ['Удовлетворён', 'Частично', 'Не удовлетворён'],
    ]);
    expect(rows.flat().map((c) => parseCallbackData(c.id))).toEqual([
      { kind: 'rating', registrationNumber: 'ОГ-2025-000123', answered: true },
      { kind: 'rating', registrationNumber: 'ОГ-2025-000123', answered: false },
      { kind: 'rating', registrationNumber: 'ОГ-2025-000123', satisfaction: 'satisfied' },
      { kind: 'rating', registrationNumber: 'ОГ-2025-000123', satisfaction: 'partially' },
      { kind: 'rating', registrationNumber: 'ОГ-2025-000123', satisfaction: 'not-satisfied' },
    ]);
    expect(rows.flat().every((c) => Buffer.byteLength(c.id) <= 64)).toBe(true);
  });

  it('refuses a registration number too long for Telegram', () => {
    expect(() => ratingChoices('Обращение-'.repeat(4))).toThrow(ConnectorError);
  });
});

describe('toConnectorError', () => {
  const telegramError = (error_code: number, description: string, parameters?: object) =>
    new TelegramError({ error_code, description, parameters } as never);

  it('maps Bot API answers the way the core expects', () => {
    const limited = toConnectorError(
      telegramError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }),
      'x',
    );
    expect(limited).toMatchObject({
      code: ConnectorErrorCode.RateLimited,
      details: { retryAfterMs: 7000, status: 429 },
    });
    expect(toConnectorError(telegramError(401, 'Unauthorized'), 'x').code).toBe(
      ConnectorErrorCode.AuthFailed,
    );
    expect(toConnectorError(telegramError(403, 'Forbidden: bot was blocked by the user'), 'x').code).toBe(
      ConnectorErrorCode.NotFound,
    );
    expect(toConnectorError(telegramError(400, 'Bad Request: chat not found'), 'x').code).toBe(
      ConnectorErrorCode.NotFound,
    );
    expect(toConnectorError(telegramError(400, 'Bad Request: message is too long'), 'x').code).toBe(
      ConnectorErrorCode.InvalidPayload,
    );
    expect(toConnectorError(telegramError(502, 'Bad Gateway'), 'x').code).toBe(ConnectorErrorCode.Temporary);
    expect(
      toConnectorError(telegramError(409, 'Conflict: terminated by other getUpdates request'), 'x').code,
    ).toBe(ConnectorErrorCode.Temporary);
    expect(toConnectorError(Object.assign(new Error('aborted'), { name: 'AbortError' }), 'x').code).toBe(
      ConnectorErrorCode.Temporary,
    );
  });

  it('keeps the bot token out of messages', () => {
    const error = new Error(
      'request to http://127.0.0.1:1/bot123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ012345678/getMe failed',
    );
    expect(toConnectorError(error, 'getMe').message).not.toContain('ABCDEFGHIJ');
  });
});
