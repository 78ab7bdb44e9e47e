import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  Channel,
  type ChannelAccountRef,
  ConnectorError,
  ConnectorErrorCode,
  type InboundRequest,
  type OutboundMessage,
  type ParseResult,
} from '@inbox/integrations/contract';
import { OkConnector } from '@inbox/integrations/ok';
import { OK_FAKE_TEXT_MAX, OkFake } from '../fakes/ok/ok-fake';
import { expectAnswerInParts } from '../support/split-answer';

const connector = new OkConnector();

/** Stands in for the api's webhook controller: raw body and query in, parseInbound, 200 at once. */
async function startReceiver(account: () => ChannelAccountRef) {
  const results: (ParseResult | ConnectorError)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: InboundRequest = {
        headers: req.headers,
        body: Buffer.concat(chunks),
        query: Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams),
      };
      connector.parseInbound(account(), request).then(
        (result) => {
          results.push(result);
          res.writeHead(200).end();
        },
        (error: ConnectorError) => {
          results.push(error);
          res.writeHead(error.code === ConnectorErrorCode.AuthFailed ? 403 : 400).end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/ok/acc-ok`,
    results,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function errorOf(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected a ConnectorError');
}

function outbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    id: randomUUID(),
    kind: 'answer',
    text: 'Добрый день! По вашему сообщению приняты меры.',
    ...overrides,
  };
}

describe('OkConnector against the fake OK', () => {
  let fake: OkFake;
  let account: ChannelAccountRef;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeEach(async () => {
    fake = await new OkFake().start();
    account = { id: 'acc-ok', channel: Channel.Ok, ...fake.account() };
    receiver = await startReceiver(() => account);
  });
  afterEach(async () => {
    await receiver.close();
    await fake.stop();
  });

  it('check accepts the group token and refuses a wrong one', async () => {
    await expect(connector.check(account)).resolves.toBeUndefined();
    const bad = { ...account, secrets: { ...account.secrets, accessToken: 'tkn1wrong' } };
    expect((await errorOf(connector.check(bad))).code).toBe(ConnectorErrorCode.AuthFailed);
  });

  it('subscribes the webhook once, with the shared secret in the URL', async () => {
    await connector.subscribeWebhook(account, receiver.url);
    await connector.subscribeWebhook(account, receiver.url);
    expect(fake.subscriptions).toHaveLength(1);
    const subscribed = new URL(fake.subscriptions[0].url);
    expect(subscribed.searchParams.get('secret')).toBe(fake.webhookSecret);
    expect(await connector.listSubscriptions(account)).toEqual([fake.subscriptions[0].url]);
  });

  it('a torn-down account (disabled or deleted) is unsubscribed, once, and set up again when it returns', async () => {
    const withUrl = { ...account, settings: { ...account.settings, webhookUrl: receiver.url } };
    await connector.setUp(withUrl);
    expect(fake.subscriptions).toHaveLength(1);
    await connector.tearDown(withUrl);
    expect(fake.subscriptions).toEqual([]);
    await expect(connector.tearDown(withUrl)).resolves.toBeUndefined();
    expect(await connector.listSubscriptions(account)).toEqual([]);
    await connector.setUp(withUrl);
    expect(fake.subscriptions).toHaveLength(1);
  });

  it('parses a webhook message and the reply lands in the same chat', async () => {
    await connector.subscribeWebhook(account, receiver.url);
    const message = fake.webhookMessage((m) => (m.message.text = 'Во дворе не горит фонарь'));
    expect(await fake.deliver(message)).toEqual([expect.objectContaining({ status: 200 })]);

    const result = receiver.results[0] as ParseResult;
    expect(result.kind).toBe('items');
    const item = result.kind === 'items' ? result.items[0] : undefined;
    expect(item).toMatchObject({
      channel: 'ok',
      externalId: (message.message as { mid: string }).mid,
      regime: 'message',
      text: 'Во дворе не горит фонарь',
      author: { externalId: 'user:577120034411' },
      thread: { key: 'chat:C7d31a0f5b2e1' },
      replyAddress: { chatId: 'chat:C7d31a0f5b2e1' },
    });

    const answer = outbound({ replyAddress: item!.replyAddress });
    const receipt = await connector.send(account, answer);
    expect(fake.messages).toEqual([
      {
        chatId: 'chat:C7d31a0f5b2e1',
        messageId: receipt.remoteId,
        body: { recipient: { chat_id: 'chat:C7d31a0f5b2e1' }, message: { text: answer.text } },
      },
    ]);
  });

  it('leaves out a chat several people write in; a chat OK does not describe is kept, marked unverified', async () => {
    await connector.subscribeWebhook(account, receiver.url);
    fake.multiUserChat('chat:C9a0b1c2d3e4f', ['user:577120034411', 'user:577120034412', 'user:577120034413']);
    const inGroup = fake.webhookMessage((m) => {
      m.recipient.chat_id = 'chat:C9a0b1c2d3e4f';
      m.message.text = '2 3';
    });
    expect(await fake.deliver(inGroup)).toEqual([expect.objectContaining({ status: 200 })]);
    expect(receiver.results[0]).toEqual({ kind: 'items', items: [], events: [] });

    fake.setScenario('server-error', { only: 'chat', times: 1 });
    const unknown = fake.webhookMessage((m) => (m.recipient.chat_id = 'chat:C5f4e3d2c1b0a'));
    await fake.deliver(unknown);
    const [item] = (receiver.results[1] as Extract<ParseResult, { kind: 'items' }>).items;
    expect(item.features).toMatchObject({ chatKind: 'unverified' });
    // A citizen's own chat with the group: an item as ever, its kind asked once.
    const own = () => fake.webhookMessage((m) => (m.message.text = 'Во дворе не горит фонарь'));
    await fake.deliver(own());
    const asked = fake.calls.filter((c) => c.endpoint === 'chat').length;
    await fake.deliver(own());
    expect((receiver.results[3] as Extract<ParseResult, { kind: 'items' }>).items[0].features).toEqual({
      source: 'messages',
    });
    expect(fake.calls.filter((c) => c.endpoint === 'chat')).toHaveLength(asked);
  });

  it('refuses a webhook with a wrong or missing secret (AuthFailed)', async () => {
    const wrong = await fake.postWebhook(`${receiver.url}?secret=guess`, fake.webhookMessage());
    const missing = await fake.postWebhook(receiver.url, fake.webhookMessage());
    expect([wrong.status, missing.status]).toEqual([403, 403]);
    expect(receiver.results.map((r) => (r as ConnectorError).code)).toEqual([
      ConnectorErrorCode.AuthFailed,
      ConnectorErrorCode.AuthFailed,
    ]);
  });

  it('a cut-off webhook body is InvalidPayload; other event types give nothing', async () => {
    const url = connector.webhookUrl(account, receiver.url);
    fake.setScenario('malformed', { only: 'webhook', times: 1 });
    expect((await fake.postWebhook(url, fake.webhookMessage())).status).toBe(400);
    expect((receiver.results[0] as ConnectorError).code).toBe(ConnectorErrorCode.InvalidPayload);
    expect(
      (await fake.postWebhook(url, { webhookType: 'CHAT_SYSTEM', recipient: { chat_id: 'chat:X' } })).status,
    ).toBe(200);
    expect(receiver.results[1]).toEqual({ kind: 'items', items: [], events: [] });
  });

  it('names in Russian what a message holds besides files: a music track, a call', async () => {
    const url = connector.webhookUrl(account, receiver.url);
    const body = fake.webhookMessage((m) => {
      m.message.text = 'Соседи так всю ночь';
      m.message.attachments = [
        { type: 'MUSIC', payload: { id: '8912374650', artist: 'Группа', title: 'Песня' } },
        { type: 'CALL', payload: { id: '55102938' } },
      ];
    });
    expect((await fake.postWebhook(url, body)).status).toBe(200);
    const result = receiver.results[0] as ParseResult;
    expect(result.kind === 'items' && result.items[0].text).toBe(
      'Соседи так всю ночь\nМузыка: Группа — Песня\nЗвонок в Одноклассниках (звонки не принимаются, ответьте в переписке)',
    );
  });

  it('an attachment arrives by URL and downloads through fetchAttachment', async () => {
    const url = connector.webhookUrl(account, receiver.url);
    const photo = fake.addFile('photo.jpg', Buffer.from([0xff, 0xd8, 0xff]), 'image/jpeg');
    const body = fake.withAttachments(fake.webhookMessage(), [
      { type: 'IMAGE', url: photo },
      { type: 'SHARE', url: 'https://ya.ru/' },
    ]);
    await fake.postWebhook(url, body);
    const result = receiver.results[0] as ParseResult;
    const attachments = result.kind === 'items' ? result.items[0].attachments : [];
    expect(attachments).toEqual([{ fileName: 'image-1.jpg', contentType: 'image/jpeg', remoteRef: photo }]);
    const file = await connector.fetchAttachment(account, attachments![0].remoteRef!);
    expect(file).toMatchObject({ contentType: 'image/jpeg', content: Buffer.from([0xff, 0xd8, 0xff]) });
  });

  it('maps rate limits, server errors, broken answers and slowness', async () => {
    const send = () => connector.send(account, outbound({ replyAddress: { chatId: 'chat:C1' } }));
    fake.setScenario('rate-limited', { times: 1 });
    const flood = await errorOf(send());
    expect(flood.code).toBe(ConnectorErrorCode.RateLimited);
    expect(flood.details.retryAfterMs).toBeGreaterThan(0);
    fake.setScenario('rate-limited', { form: 'http', times: 1 });
    expect(await errorOf(send())).toMatchObject({
      code: ConnectorErrorCode.RateLimited,
      details: { retryAfterMs: 2000 },
    });
    fake.setScenario('server-error', { times: 1 });
    expect(await errorOf(send())).toMatchObject({
      code: ConnectorErrorCode.Temporary,
      details: { status: 500 },
    });
    fake.setScenario('server-error', { form: 'api', times: 1 });
    expect((await errorOf(send())).code).toBe(ConnectorErrorCode.Temporary);
    fake.setScenario('malformed', { times: 1 });
    expect((await errorOf(send())).code).toBe(ConnectorErrorCode.Temporary);
    fake.setScenario('slow', { delayMs: 1000, times: 1 });
    const impatient = { ...account, settings: { ...account.settings, requestTimeoutMs: 200 } };
    expect(
      (await errorOf(connector.send(impatient, outbound({ replyAddress: { chatId: 'chat:C1' } })))).code,
    ).toBe(ConnectorErrorCode.Temporary);
    expect(fake.messages).toHaveLength(0);
    await send();
    expect(fake.messages).toHaveLength(1);
  });

  it('a send given up on time, or answered with a body that is not JSON, is of unknown outcome; a refused one is not', async () => {
    const message = () => outbound({ replyAddress: { chatId: 'chat:C2' } });
    fake.setScenario('slow', { delayMs: 600, times: 1, only: 'messages' });
    const impatient = { ...account, settings: { ...account.settings, requestTimeoutMs: 150 } };
    const timedOut = await errorOf(connector.send(impatient, message()));
    expect(timedOut).toMatchObject({ code: ConnectorErrorCode.Temporary, details: { outcomeUnknown: true } });
    // OK went on with the request after we stopped waiting: a plain retry would have posted it twice. Awaited, not
    // slept on: on a loaded machine the request reached the fake late, and its 600 ms ran past a fixed 900 ms wait.
    // (A loop, not test-stack's `eventually`: that module loads the whole app, which this file never boots.)
    const arrived = () => fake.messages.some((m) => m.chatId === 'chat:C2');
    for (const until = Date.now() + 10_000; !arrived() && Date.now() < until; )
      await new Promise((r) => setTimeout(r, 50));
    expect(fake.messages.filter((m) => m.chatId === 'chat:C2')).toHaveLength(1);
    fake.setScenario('malformed', { times: 1, only: 'messages' });
    expect(await errorOf(connector.send(account, message()))).toMatchObject({
      details: { outcomeUnknown: true },
    });
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const closed = { ...account, settings: { ...account.settings, apiBaseUrl: `http://127.0.0.1:${port}` } };
    const refused = await errorOf(connector.send(closed, message()));
    expect(refused).toMatchObject({ code: ConnectorErrorCode.Temporary, details: { outcomeUnknown: false } });
  });

  it('refuses to send without a chat or with attachments', async () => {
    expect((await errorOf(connector.send(account, outbound()))).code).toBe(ConnectorErrorCode.InvalidPayload);
    const withFile = outbound({
      replyAddress: { chatId: 'chat:C1' },
      attachments: [{ fileName: 'a.pdf', contentType: 'application/pdf', contentBase64: 'JVBERg==' }],
    });
    expect((await errorOf(connector.send(account, withFile))).code).toBe(ConnectorErrorCode.InvalidPayload);
    expect(fake.messages).toHaveLength(0);
  });
});

describe('OkConnector: a long answer', () => {
  let fake: OkFake;
  let account: ChannelAccountRef;

  beforeEach(async () => {
    fake = await new OkFake().start();
    const wall = {
      groupId: fake.groupId,
      applicationKey: fake.applicationKey,
      restUrl: fake.restUrl,
    };
    const base = fake.account(wall);
    account = {
      id: 'acc-ok-long',
      channel: Channel.Ok,
      settings: base.settings,
      secrets: { ...base.secrets, applicationSecretKey: fake.applicationSecretKey },
    };
  });
  afterEach(async () => {
    await fake.stop();
  });

  /** Paragraphs of sentences, about 6 600 characters: two parts' worth. */
  const longAnswer = Array.from(
    { length: 12 },
    (_, p) =>
      `Пункт ${p + 1}. ` +
      Array.from({ length: 12 }, (_, s) => `Предложение ${s + 1} о принятых по обращению мерах.`).join(' '),
  ).join('\n\n');

  it('goes to a chat in parts within the limit, in order, each once, cut at a paragraph or sentence', async () => {
    const answer = outbound({ text: longAnswer, replyAddress: { chatId: 'chat:C9' } });
    const receipt = await connector.send(account, answer);
    const texts = fake.messages.map((m) => (m.body.message as { text: string }).text);
    expectAnswerInParts(texts, longAnswer, OK_FAKE_TEXT_MAX);
    expect(texts.every((t) => /[.]$/.test(t))).toBe(true);
    // Every part's mid: a citizen's reply to the last part joins the appeal as one to the first does.
    expect(receipt.remoteId).toBe(fake.messages.map((m) => m.messageId).join(','));
    expect(connector.threadKeysOfSent(receipt.remoteId!, answer.replyAddress)).toEqual(
      fake.messages.map((m) => `sent:chat:C9:${m.messageId}`),
    );
  });

  it('goes under a wall topic in parts, each a reply to the citizen’s comment', async () => {
    const topic = fake.addTopic('user:910000000077', 'Когда отремонтируют дорогу?');
    const answer = outbound({ text: longAnswer, replyAddress: { topicId: topic.id, commentId: 'c77' } });
    const receipt = await connector.send(account, answer);
    expectAnswerInParts(
      fake.posted.map((c) => c.text),
      longAnswer,
      OK_FAKE_TEXT_MAX,
    );
    expect(fake.posted.every((c) => c.asAdmin && c.replyToCommentId === 'c77')).toBe(true);
    expect(receipt.remoteId).toBe(fake.posted.map((c) => c.commentId).join(','));
  });

  it('a part failing after the first went out says how far it got, and the retry sends only the rest; the first failing is a plain retry', async () => {
    const answer = () => outbound({ text: longAnswer, replyAddress: { chatId: 'chat:C9' } });
    const reported: { index: number; total: number; remoteId: string }[] = [];
    const progress = (sent: string[] = [], total?: number) => ({
      sent,
      total,
      partSent: async (index: number, of: number, remoteId: string) => {
        reported.push({ index, total: of, remoteId });
      },
    });
    fake.setScenario('server-error', { only: 'messages', times: 1 });
    const first = await errorOf(connector.send(account, answer(), progress()));
    expect(first.code).toBe(ConnectorErrorCode.Temporary);
    expect(first.details.outcomeUnknown).toBeFalsy();
    expect(first.details.partsSent).toBeUndefined();
    expect(fake.messages).toHaveLength(0);

    fake.setScenario('server-error', { only: 'messages', times: 1, skip: 1 });
    const later = await errorOf(connector.send(account, answer(), progress()));
    // Retried with back-off, not held: the part out is on record (reported before the next went).
    expect(later).toMatchObject({
      code: ConnectorErrorCode.Temporary,
      details: { partsSent: { sent: 1, total: 2 } },
    });
    expect(later.retryable).toBe(true);
    expect(later.details.outcomeUnknown).toBeFalsy();
    expect(fake.messages).toHaveLength(1);
    const [out] = fake.messages;
    expect(reported).toEqual([{ index: 0, total: 2, remoteId: String(out.messageId) }]);

    const receipt = await connector.send(account, answer(), progress([String(out.messageId)], 2));
    // Each part once, in order; the receipt names both (a thread key of each).
    const texts = fake.messages.map((m) => (m.body.message as { text: string }).text);
    expectAnswerInParts(texts, longAnswer, OK_FAKE_TEXT_MAX);
    expect(receipt.remoteId).toBe(fake.messages.map((m) => m.messageId).join(','));
    expect(reported.map((r) => r.index)).toEqual([0, 1]);
  });

  it('a wall comment in parts resumes after the parts out too', async () => {
    const topic = fake.addTopic('user:910000000078', 'Когда починят освещение?');
    const answer = outbound({ text: longAnswer, replyAddress: { topicId: topic.id, commentId: 'c78' } });
    const sent: string[] = [];
    const progress = {
      sent,
      partSent: async (_index: number, _total: number, remoteId: string) => {
        sent.push(remoteId);
      },
    };
    fake.setScenario('server-error', { only: 'rest', times: 1, skip: 1 });
    const error = await errorOf(connector.send(account, answer, progress));
    expect(error.details.partsSent).toEqual({ sent: 1, total: 2 });
    expect(fake.posted).toHaveLength(1);
    const receipt = await connector.send(account, answer, { ...progress, sent: [...sent], total: 2 });
    expectAnswerInParts(
      fake.posted.map((c) => c.text),
      longAnswer,
      OK_FAKE_TEXT_MAX,
    );
    expect(receipt.remoteId).toBe(fake.posted.map((c) => c.commentId).join(','));
  });
});
