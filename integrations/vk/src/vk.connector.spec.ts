import { Channel, ConnectorErrorCode } from '@inbox/integrations/contract';
import { vkApiError } from './vk-api';
import { VkConnector } from './vk.connector';

const account = {
  id: 'acc',
  channel: Channel.Vk,
  settings: { groupId: 1234, confirmationCode: 'c0de42' },
  secrets: { groupToken: 't', callbackSecret: 'right-secret' },
};
const connector = new VkConnector();
const parse = (body: unknown) => connector.parseInbound(account, { headers: {}, body });
const messageNew = {
  type: 'message_new',
  group_id: 1234,
  object: { message: { peer_id: 1, from_id: 1, id: 2, text: 'x' } },
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

describe('VkConnector.parseInbound', () => {
  it('answers confirmation with the code, as text/plain', async () => {
    await expect(parse({ type: 'confirmation', group_id: 1234 })).resolves.toEqual({
      kind: 'reply',
      body: 'c0de42',
      contentType: 'text/plain',
    });
  });

  it('refuses a confirmation or an event for another community', async () => {
    await expect(parse({ type: 'confirmation', group_id: 1 })).rejects.toMatchObject({
      code: ConnectorErrorCode.AuthFailed,
    });
    await expect(parse({ ...messageNew, group_id: 1, secret: 'right-secret' })).rejects.toMatchObject({
      code: ConnectorErrorCode.AuthFailed,
    });
  });

  it('requires the secret on every other event', async () => {
    await expect(parse(messageNew)).rejects.toMatchObject({ code: ConnectorErrorCode.AuthFailed });
    await expect(parse({ ...messageNew, secret: 'right-secreT' })).rejects.toMatchObject({
      code: ConnectorErrorCode.AuthFailed,
    });
    await expect(parse({ ...messageNew, secret: 'right-secret' })).resolves.toMatchObject({ kind: 'items' });
  });

  it('refuses everything when the account has no callback secret configured', async () => {
    const open = { ...account, secrets: { groupToken: 't' } };
    await expect(
      connector.parseInbound(open, { headers: {}, body: { ...messageNew, secret: '' } }),
    ).rejects.toMatchObject({
      code: ConnectorErrorCode.AuthFailed,
    });
  });

  it('refuses a body it cannot authenticate (not JSON) as InvalidPayload', async () => {
    await expect(parse(Buffer.from('{"type":"message_new",'))).rejects.toMatchObject({
      code: ConnectorErrorCode.InvalidPayload,
    });
  });

  it('keeps an authentic known event without its fields whole, with the reason, for quarantine', async () => {
    const broken = {
      type: 'message_new',
      group_id: 1234,
      secret: 'right-secret',
      event_id: 'e1',
      object: {},
    };
    await expect(parse(broken)).resolves.toEqual({
      kind: 'items',
      items: [],
      events: [],
      rejected: [
        {
          externalId: 'event:e1',
          reason:
            'Событие VK не удалось прочитать (VK message_new: message_new without peer_id, from_id or id)',
          raw: broken,
        },
      ],
    });
  });

  it('keeps an event its reading throws on whole, with the reason, instead of failing', async () => {
    // Reading it threw (a date past what a Date holds did), and VK re-sent the event for hours.
    const odd = {
      ...messageNew,
      secret: 'right-secret',
      event_id: 'e2',
      object: { message: throwingOn({ peer_id: 1, from_id: 1, id: 2 }, 'text') },
    };
    await expect(parse(odd)).resolves.toEqual({
      kind: 'items',
      items: [],
      events: [],
      rejected: [
        {
          externalId: 'event:e2',
          reason: expect.stringMatching(
            /^Событие VK не удалось разобрать: сбой программы чтения канала \(TypeError/,
          ),
          raw: odd,
        },
      ],
    });
  });

  it('leaves a group-chat message out: no item, no event, nothing to quarantine', async () => {
    const chat = {
      ...messageNew,
      secret: 'right-secret',
      object: { message: { peer_id: 2_000_000_004, from_id: 1, id: 2, text: 'Ок' } },
    };
    await expect(parse(chat)).resolves.toEqual({ kind: 'items', items: [], events: [] });
  });

  it('an account without groupId or token is misconfigured (AuthFailed)', async () => {
    const bad = { ...account, settings: {} };
    await expect(connector.parseInbound(bad, { headers: {}, body: messageNew })).rejects.toMatchObject({
      code: ConnectorErrorCode.AuthFailed,
    });
  });
});

describe('vkApiError', () => {
  it.each([
    [6, ConnectorErrorCode.RateLimited],
    [9, ConnectorErrorCode.RateLimited],
    [29, ConnectorErrorCode.RateLimited],
    [5, ConnectorErrorCode.AuthFailed],
    [27, ConnectorErrorCode.AuthFailed],
    [10, ConnectorErrorCode.Temporary],
    [1, ConnectorErrorCode.Temporary],
    [901, ConnectorErrorCode.NotFound],
    [902, ConnectorErrorCode.NotFound],
    [100, ConnectorErrorCode.InvalidPayload],
    [914, ConnectorErrorCode.InvalidPayload],
  ])('error %i → %s', (code, expected) => {
    expect(vkApiError(code, 'msg', 'messages.send').code).toBe(expected);
  });

  it('gives rate limits a retry-after', () => {
    expect(vkApiError(6, 'Too many requests per second', 'messages.send').details.retryAfterMs).toBe(1000);
  });
});

describe('VkConnector.threadKeysOfSent', () => {
  it('keys a dialogue message by peer and every part, and a wall comment by its post', () => {
    // An answer past the limit went out in two messages, its files and buttons in the second: a reply to either joins.
    expect(connector.threadKeysOfSent('2199,2200', { peerId: 604117233 })).toEqual([
      'sent:604117233:2199',
      'sent:604117233:2200',
    ]);
    // Comments under a post (the answer on the wall): a citizen's comment in reply to either part names its key.
    expect(connector.threadKeysOfSent('77,78', { ownerId: -1234, postId: 6, commentId: 5 })).toEqual([
      'post:-1234_6/comment:77',
      'post:-1234_6/comment:78',
    ]);
    expect(connector.threadKeysOfSent('2199')).toEqual([]);
  });
});
