import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { JsonLogger } from '@inbox/common';
import {
  Channel,
  type ChannelAccountRef,
  ConnectorError,
  ConnectorErrorCode,
  type InboundRequest,
  type OutboundMessage,
  type ParseResult,
} from '@inbox/integrations/contract';
import { ratingChoices, VK_CALLBACK_OK, VkConnector, type VkCursor } from '@inbox/integrations/vk';
import { VK_FAKE_COMMENT_MAX, VK_FAKE_MESSAGE_MAX, VkFake } from '../fakes/vk/vk-fake';
import { expectAnswerInParts } from '../support/split-answer';

const connector = new VkConnector({ logger: new JsonLogger('vk-test', 'error') });

/** Stands in for the api's webhook controller: raw body in, parseInbound, VK's expected answer out. */
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
          if (result.kind === 'reply')
            res.writeHead(200, { 'content-type': result.contentType ?? 'text/plain' }).end(result.body);
          else res.writeHead(200, { 'content-type': 'text/plain' }).end(VK_CALLBACK_OK);
        },
        (error: ConnectorError) => {
          results.push(error);
          const status =
            error.code === ConnectorErrorCode.AuthFailed
              ? 403
              : error.code === ConnectorErrorCode.InvalidPayload
                ? 400
                : 500;
          res.writeHead(status).end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/vk/acc-1`,
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
    text: 'Здравствуйте! Ваше обращение рассмотрено.',
    ...overrides,
  };
}

describe('VkConnector against the fake VK', () => {
  let fake: VkFake;
  let account: ChannelAccountRef;

  beforeEach(async () => {
    fake = await new VkFake().start();
    account = { id: 'acc-1', channel: Channel.Vk, ...fake.account() };
  });
  afterEach(async () => {
    await fake.stop();
  });

  describe('check', () => {
    it('accepts the community token and refuses a wrong one', async () => {
      await expect(connector.check(account)).resolves.toBeUndefined();
      const bad = { ...account, secrets: { ...account.secrets, groupToken: 'wrong' } };
      expect((await errorOf(connector.check(bad))).code).toBe(ConnectorErrorCode.AuthFailed);
    });

    it('refuses a token of another community', async () => {
      const other = { ...account, settings: { ...account.settings, groupId: 999 } };
      expect((await errorOf(connector.check(other))).code).toBe(ConnectorErrorCode.AuthFailed);
    });
  });

  describe('Bots Long Poll', () => {
    it('picks up message_new and wall_reply_new, and a resumed cursor does not repeat them', async () => {
      // Without a cursor the connector asks for a server and starts from VK's current ts.
      const start = await connector.pull(account, null, 100);
      expect(start.items).toEqual([]);
      fake.pushUpdate(
        fake.event('message-new.json', (e) => (e.object.message.text = 'Яма на дороге у дома 5')),
      );
      fake.pushUpdate(fake.event('wall-reply-new.json', (e) => (e.object.text = 'Когда починят фонарь?')));
      fake.pushUpdate(fake.event('group-join.json'));

      const first = await connector.pull(account, start.nextCursor, 100);
      expect(first.items.map((i) => i.externalId)).toEqual(['msg:604117233:318', 'reply:-218840017_41_57']);
      expect(first.items[0]).toMatchObject({
        regime: 'message',
        text: 'Яма на дороге у дома 5',
        author: { externalId: '604117233' },
        thread: { key: 'peer:604117233' },
        replyAddress: { peerId: 604117233 },
      });
      expect(first.items[1]).toMatchObject({
        features: { source: 'wall' },
        replyAddress: { ownerId: -218840017, postId: 41, commentId: 57 },
      });

      fake.pushUpdate(fake.event('wall-post-new.json', (e) => (e.object.text = 'Не вывозят мусор')));
      const second = await connector.pull(account, first.nextCursor, 100);
      expect(second.items.map((i) => i.externalId)).toEqual(['wall:-218840017_41']);

      // Nothing new: the long poll holds for `wait` and comes back empty, the cursor still valid.
      const third = await connector.pull(account, second.nextCursor, 100);
      expect(third.items).toEqual([]);
      expect(fake.calls.filter((c) => c.method === 'groups.getLongPollServer')).toHaveLength(1);
    });

    it('failed 1: carries on from the ts VK returned, without a new key', async () => {
      const start = await connector.pull(account, null, 100);
      fake.pushUpdate(fake.event('message-new.json', (e) => (e.object.message.conversation_message_id = 1)));
      const kept = fake.pushUpdate(
        fake.event('message-new.json', (e) => (e.object.message.conversation_message_id = 2)),
      );
      fake.failLongPoll(1, { ts: kept });

      const page = await connector.pull(account, start.nextCursor, 100);
      expect(page.items.map((i) => i.externalId)).toEqual(['msg:604117233:2']);
      expect(fake.longPollRequests.at(-1)!.ts).toBe(String(kept));
      expect(fake.calls.filter((c) => c.method === 'groups.getLongPollServer')).toHaveLength(1);
    });

    it('failed 2: gets a new key and keeps the ts, so nothing is lost', async () => {
      const start = await connector.pull(account, null, 100);
      fake.pushUpdate(fake.event('message-new.json'));
      fake.failLongPoll(2);

      const page = await connector.pull(account, start.nextCursor, 100);
      expect(page.items.map((i) => i.externalId)).toEqual(['msg:604117233:318']);
      expect(fake.calls.filter((c) => c.method === 'groups.getLongPollServer')).toHaveLength(2);
      const before = start.nextCursor as VkCursor;
      const after = page.nextCursor as VkCursor;
      expect(after.key).not.toBe(before.key);
      expect(fake.longPollRequests.at(-1)!.ts).toBe(before.ts);
    });

    it('failed 3: gets both key and ts anew and keeps working', async () => {
      const start = await connector.pull(account, null, 100);
      fake.pushUpdate(fake.event('message-new.json', (e) => (e.object.message.conversation_message_id = 1)));
      fake.failLongPoll(3);

      const recovered = await connector.pull(account, start.nextCursor, 100);
      // As VK documents: what happened before the new ts is lost.
      expect(recovered.items).toEqual([]);
      expect((recovered.nextCursor as VkCursor).key).not.toBe((start.nextCursor as VkCursor).key);

      fake.pushUpdate(fake.event('message-new.json', (e) => (e.object.message.conversation_message_id = 2)));
      const next = await connector.pull(account, recovered.nextCursor, 100);
      expect(next.items.map((i) => i.externalId)).toEqual(['msg:604117233:2']);
    });

    it('a cut-off long-poll answer or an HTTP 500 is Temporary and the cursor stays usable', async () => {
      const start = await connector.pull(account, null, 100);
      fake.pushUpdate(fake.event('message-new.json'));
      fake.setScenario('malformed', { only: 'longpoll', times: 1 });
      expect((await errorOf(connector.pull(account, start.nextCursor, 100))).code).toBe(
        ConnectorErrorCode.Temporary,
      );
      fake.setScenario('server-error', { only: 'longpoll', times: 1 });
      expect((await errorOf(connector.pull(account, start.nextCursor, 100))).code).toBe(
        ConnectorErrorCode.Temporary,
      );
      const page = await connector.pull(account, start.nextCursor, 100);
      expect(page.items).toHaveLength(1);
    });

    it('keeps a broken update inside a valid page for quarantine, with its reason, and the rest as items', async () => {
      const start = await connector.pull(account, null, 100);
      fake.pushUpdate(fake.event('message-new.json'));
      fake.setScenario('malformed', { only: 'longpoll', shape: 'update', times: 1 });
      const page = await connector.pull(account, start.nextCursor, 100);
      expect(page.items.map((i) => i.externalId)).toEqual(['msg:604117233:318']);
      expect(page.rejected).toHaveLength(1);
      expect(page.rejected![0]).toMatchObject({
        reason: expect.stringMatching(/^Событие VK не удалось прочитать \(VK /),
        raw: expect.anything(),
      });
    });

    it('leaves a group-chat message out (no consent request, no appeal) and keeps the dialogue', async () => {
      const start = await connector.pull(account, null, 100);
      fake.pushUpdate(fake.event('message-new-chat.json'));
      fake.pushUpdate(fake.event('message-new.json'));
      const page = await connector.pull(account, start.nextCursor, 100);
      expect(page.items.map((i) => i.externalId)).toEqual(['msg:604117233:318']);
      expect(page.events).toEqual([]);
      expect(page.rejected).toEqual([]);
    });

    it("keeps a place sent with a location button of a keyboard we never sent, as the citizen's message", async () => {
      const start = await connector.pull(account, null, 100);
      fake.pushUpdate(fake.event('message-new-location-button.json'));
      const page = await connector.pull(account, start.nextCursor, 100);
      expect(page.events).toEqual([]);
      expect(page.items).toHaveLength(1);
      expect(page.items[0]).toMatchObject({
        externalId: 'msg:604117233:331',
        address: 'Новосибирск, улица Ленина, Новосибирск',
        features: { location: '55.030204,82.92043' },
      });
    });

    it('a slow server times out as Temporary', async () => {
      fake.setScenario('slow', { only: 'groups.getLongPollServer', delayMs: 1500 });
      const impatient = { ...account, settings: { ...account.settings, requestTimeoutMs: 300 } };
      expect((await errorOf(connector.pull(impatient, null, 100))).code).toBe(ConnectorErrorCode.Temporary);
    });

    it('refuses a cursor that is not { server, key, ts }', async () => {
      expect((await errorOf(connector.pull(account, { ts: 5 }, 100))).code).toBe(
        ConnectorErrorCode.CursorInvalid,
      );
    });

    it('a rating button press comes back as a RatingEvent', async () => {
      await connector.send(
        account,
        outbound({
          kind: 'rating-request',
          text: 'Оцените ответ',
          replyAddress: { peerId: 77 },
          choices: ratingChoices('01-25/123'),
        }),
      );
      const keyboard = fake.messages[0].keyboard as {
        inline: boolean;
        buttons: { action: { payload: string; label: string } }[][];
      };
      expect(keyboard.inline).toBe(true);
      const pressed = keyboard.buttons[2][0].action; // «Частично удовлетворён»
      const start = await connector.pull(account, null, 100);
      fake.pushUpdate(
        fake.event('message-new.json', (e) => {
          Object.assign(e.object.message, {
            peer_id: 77,
            from_id: 77,
            text: pressed.label,
            payload: pressed.payload,
            conversation_message_id: 40,
          });
        }),
      );
      const page = await connector.pull(account, start.nextCursor, 100);
      expect(page.items).toEqual([]);
      expect(page.events).toEqual([
        expect.objectContaining({
          kind: 'rating',
          externalId: 'rate:77:40',
          target: { registrationNumber: '01-25/123', threadKey: 'peer:77' },
          satisfaction: 'partially',
        }),
      ]);
    });
  });

  describe('Callback API', () => {
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    beforeEach(async () => {
      receiver = await startReceiver(() => account);
    });
    afterEach(async () => {
      await receiver.close();
    });

    it('answers the confirmation handshake with the code', async () => {
      const answer = await fake.confirm(receiver.url);
      expect(answer).toMatchObject({ status: 200, text: fake.confirmationCode, confirmed: true });
    });

    it('refuses a confirmation for another community', async () => {
      const answer = await fake.postCallback(
        receiver.url,
        { type: 'confirmation', group_id: 42 },
        { secret: null },
      );
      expect(answer.status).toBe(403);
    });

    it('accepts message_new with the right secret and answers "ok"', async () => {
      const answer = await fake.postCallback(receiver.url, fake.event('message-new.json'));
      expect(answer).toEqual({ status: 200, text: 'ok' });
      const result = receiver.results[0] as ParseResult;
      expect(result.kind === 'items' && result.items.map((i) => i.externalId)).toEqual(['msg:604117233:318']);
    });

    it('refuses a wrong or missing secret with AuthFailed', async () => {
      const wrong = await fake.postCallback(receiver.url, fake.event('message-new.json'), {
        secret: 'guess',
      });
      const missing = await fake.postCallback(receiver.url, fake.event('message-new.json'), {
        secret: null,
      });
      expect([wrong.status, missing.status]).toEqual([403, 403]);
      expect(receiver.results.map((r) => (r as ConnectorError).code)).toEqual([
        ConnectorErrorCode.AuthFailed,
        ConnectorErrorCode.AuthFailed,
      ]);
    });

    it('tolerates the BOM and mangled emoji of a bad payload', async () => {
      const answer = await fake.postCallback(receiver.url, fake.event('message-new-template.json'), {
        bom: true,
      });
      expect(answer.status).toBe(200);
      const result = receiver.results[0] as ParseResult;
      expect(result.kind === 'items' && result.items[0]).toMatchObject({
        externalId: 'msg:604117233:340',
        text: '??',
      });
    });

    it("reads a reply to another commenter on the wall as the words it shows, not VK's mention markup", async () => {
      const answer = await fake.postCallback(receiver.url, fake.event('wall-reply-mention.json'));
      expect(answer).toEqual({ status: 200, text: 'ok' });
      const result = receiver.results[0] as ParseResult;
      const item = result.kind === 'items' ? result.items[0] : undefined;
      expect(item?.text).toMatch(
        /^Ольга, у нас в доме 7 тоже третий день нет горячей воды\. Администрация Заречного/,
      );
      expect(item?.text).not.toMatch(/\[(id|club)\d+\|/);
    });

    it('answers "ok" with nothing to store for event types it does not handle', async () => {
      const answer = await fake.postCallback(receiver.url, fake.event('photo-new.json'));
      expect(answer).toEqual({ status: 200, text: 'ok' });
      expect(receiver.results[0]).toEqual({ kind: 'items', items: [], events: [] });
    });
  });

  describe('send', () => {
    it('the same outbound id twice reaches the citizen once (random_id)', async () => {
      const message = outbound({ replyAddress: { peerId: 604117233 } });
      const first = await connector.send(account, message);
      const second = await connector.send(account, message);
      expect(fake.sendAttempts).toHaveLength(2);
      expect(fake.messages).toHaveLength(1);
      expect(fake.messages[0]).toMatchObject({ peerId: 604117233, message: message.text });
      expect(second.remoteId).toBe(first.remoteId);
    });

    it('error 6 is RateLimited, and the retry delivers exactly one message', async () => {
      fake.setScenario('rate-limited', { only: 'messages.send', times: 1 });
      const message = outbound({ replyAddress: { peerId: 5 } });
      const error = await errorOf(connector.send(account, message));
      expect(error.code).toBe(ConnectorErrorCode.RateLimited);
      expect(error.details.retryAfterMs).toBeGreaterThanOrEqual(1000);
      await connector.send(account, message);
      expect(fake.messages).toHaveLength(1);
    });

    it('flood control (9) is RateLimited too; internal error (10) and HTTP 500 are Temporary', async () => {
      fake.setScenario('flood', { times: 1 });
      expect((await errorOf(connector.send(account, outbound({ replyAddress: { peerId: 5 } })))).code).toBe(
        ConnectorErrorCode.RateLimited,
      );
      fake.setScenario('server-error', { form: 'api', times: 1 });
      expect((await errorOf(connector.send(account, outbound({ replyAddress: { peerId: 5 } })))).code).toBe(
        ConnectorErrorCode.Temporary,
      );
      fake.setScenario('server-error', { times: 1 });
      const http = await errorOf(connector.send(account, outbound({ replyAddress: { peerId: 5 } })));
      expect(http).toMatchObject({ code: ConnectorErrorCode.Temporary, details: { status: 500 } });
      fake.setScenario('malformed', { times: 1 });
      expect((await errorOf(connector.send(account, outbound({ replyAddress: { peerId: 5 } })))).code).toBe(
        ConnectorErrorCode.Temporary,
      );
      expect(fake.messages).toHaveLength(0);
    });

    it('a citizen who has not allowed messages (901) is a permanent NotFound', async () => {
      fake.blockPeer(31);
      const error = await errorOf(connector.send(account, outbound({ replyAddress: { peerId: 31 } })));
      expect(error.code).toBe(ConnectorErrorCode.NotFound);
      expect(error.retryable).toBe(false);
    });

    it('a wrong token is AuthFailed', async () => {
      const bad = { ...account, secrets: { ...account.secrets, groupToken: 'nope' } };
      expect((await errorOf(connector.send(bad, outbound({ replyAddress: { peerId: 5 } })))).code).toBe(
        ConnectorErrorCode.AuthFailed,
      );
    });

    it('a wall answer lands as a comment reply under the right post, once', async () => {
      const start = await connector.pull(account, null, 100);
      fake.pushUpdate(fake.event('wall-reply-new.json'));
      const page = await connector.pull(account, start.nextCursor, 100);
      const item = page.items[0];
      const message = outbound({ replyAddress: item.replyAddress });
      const receipt = await connector.send(account, message);
      await connector.send(account, message);
      expect(fake.comments).toEqual([
        expect.objectContaining({
          commentId: Number(receipt.remoteId),
          ownerId: -218840017,
          postId: 41,
          replyToComment: 57,
          fromGroup: 218840017,
          message: message.text,
        }),
      ]);
      expect(fake.messages).toHaveLength(0);
      // The citizen answers that comment: the reply names it, a key of the appeal once delivered, so it joins the
      // appeal even answered (before, it named the post alone and opened a new appeal).
      const keys = connector.threadKeysOfSent(receipt.remoteId!, item.replyAddress);
      const reply = fake.event('wall-reply-new.json') as { object: Record<string, unknown> };
      Object.assign(reply.object, {
        id: 90,
        text: 'Фонарь так и не горит',
        reply_to_comment: fake.comments[0].commentId,
      });
      fake.pushUpdate(reply);
      const [answered] = (await connector.pull(account, page.nextCursor, 100)).items;
      expect(keys).toEqual([`post:-218840017_41/comment:${receipt.remoteId}`]);
      expect(answered.thread?.refersTo).toContain(keys[0]);
    });

    it('uploads attachments as documents and sends a long text in parts', async () => {
      const text = `${'Текст ответа. '.repeat(700)}Конец.`;
      const receipt = await connector.send(
        account,
        outbound({
          text,
          replyAddress: { peerId: 8 },
          attachments: [
            {
              fileName: 'ответ.pdf',
              contentType: 'application/pdf',
              contentBase64: Buffer.from('%PDF-1.4 test').toString('base64'),
            },
          ],
        }),
      );
      expect(fake.docs).toEqual([
        expect.objectContaining({ title: 'ответ.pdf', content: Buffer.from('%PDF-1.4 test') }),
      ]);
      expect(fake.messages.length).toBeGreaterThan(1);
      expect(fake.messages.map((m) => m.message).join(' ')).toBe(text);
      expect(fake.messages.at(-1)!.attachment).toBe(`doc-218840017_${fake.docs[0].id}`);
      expect(receipt.remoteId!.split(',')).toHaveLength(fake.messages.length);
    });
    // VK's schema and dev.vk.com: messages.send takes up to 9000 characters (not the 4096 long quoted).
    const paragraphs = (n: number) =>
      Array.from(
        { length: n },
        (_, p) => `Пункт ${p + 1}. ${'Работы по обращению выполнены в срок. '.repeat(25).trim()}`,
      ).join('\n\n');

    it('an answer up to 9000 characters goes as one message; a longer one in parts cut at paragraphs', async () => {
      const six = paragraphs(6);
      expect(six.length).toBeGreaterThan(4096);
      expect(six.length).toBeLessThan(VK_FAKE_MESSAGE_MAX);
      await connector.send(account, outbound({ text: six, replyAddress: { peerId: 8 } }));
      expect(fake.messages.map((m) => m.message)).toEqual([six]);

      const long = paragraphs(12);
      const message = outbound({ text: long, replyAddress: { peerId: 9 } });
      await connector.send(account, message);
      await connector.send(account, message);
      const parts = fake.messages.filter((m) => m.peerId === 9).map((m) => m.message);
      expectAnswerInParts(parts, long, VK_FAKE_MESSAGE_MAX);
      expect(parts).toHaveLength(2);
      expect(parts.every((p) => /\.$/.test(p) && p.startsWith('Пункт'))).toBe(true);
    });

    it('a server stricter than the documentation (914 at 4096): the refused part goes again in smaller parts, once', async () => {
      fake.messageTextMax = 4096;
      const six = paragraphs(6);
      const message = outbound({ text: six, replyAddress: { peerId: 8 } });
      const receipt = await connector.send(account, message);
      await connector.send(account, message);
      const parts = fake.messages.map((m) => m.message);
      expectAnswerInParts(parts, six, 4096);
      expect(receipt.remoteId!.split(',')).toHaveLength(parts.length);
    });

    it('a long wall answer lands as several comment replies within the limit, in order, each once', async () => {
      const start = await connector.pull(account, null, 100);
      fake.pushUpdate(fake.event('wall-reply-new.json'));
      const page = await connector.pull(account, start.nextCursor, 100);
      const text = Array.from(
        { length: 10 },
        (_, p) => `Пункт ${p + 1}. ${'Меры по обращению приняты и будут продолжены. '.repeat(12).trim()}`,
      ).join('\n\n');
      const message = outbound({ text, replyAddress: page.items[0].replyAddress });
      const receipt = await connector.send(account, message);
      await connector.send(account, message);
      expectAnswerInParts(
        fake.comments.map((c) => c.message),
        text,
        VK_FAKE_COMMENT_MAX,
      );
      expect(fake.comments.every((c) => c.replyToComment === 57 && c.postId === 41)).toBe(true);
      expect(receipt.remoteId).toBe(fake.comments.map((c) => c.commentId).join(','));
    });

    it('an upload server refusing the file is a permanent InvalidPayload in Russian; its own fault is Temporary', async () => {
      const withFile = () =>
        outbound({
          replyAddress: { peerId: 8 },
          attachments: [
            {
              fileName: 'ответ.exe',
              contentType: 'application/octet-stream',
              contentBase64: Buffer.from('MZ').toString('base64'),
            },
          ],
        });
      fake.refuseUploads('ERR_UPLOAD_FILE_TYPE: file type not allowed', 1);
      const refused = await errorOf(connector.send(account, withFile()));
      expect(refused.code).toBe(ConnectorErrorCode.InvalidPayload);
      expect(refused.retryable).toBe(false);
      expect(refused.details.fields?.attachments).toMatch(/ВКонтакте не принял файл «ответ\.exe»/);

      fake.refuseUploads('upload timeout, try again later', 1);
      const transient = await errorOf(connector.send(account, withFile()));
      expect(transient.code).toBe(ConnectorErrorCode.Temporary);
      expect(fake.messages).toHaveLength(0);

      await connector.send(account, withFile());
      expect(fake.messages).toHaveLength(1);
    });
  });

  describe('fetchAttachment', () => {
    it('downloads a photo with its content type', async () => {
      const url = fake.addFile('photo.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg');
      const file = await connector.fetchAttachment(account, url);
      expect(file).toEqual({
        fileName: 'photo.jpg',
        contentType: 'image/jpeg',
        content: Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
      });
    });

    it('follows a redirect on allowed hosts only', async () => {
      const target = fake.addFile('real.png', Buffer.from('png'), 'image/png');
      const file = await connector.fetchAttachment(account, fake.addRedirect('short.png', target));
      expect(file).toMatchObject({ fileName: 'real.png', contentType: 'image/png' });
      const away = fake.addRedirect('away.png', 'http://10.0.0.1/internal.png');
      expect((await errorOf(connector.fetchAttachment(account, away))).code).toBe(
        ConnectorErrorCode.InvalidPayload,
      );
    });

    it('refuses a file over the size limit, a missing file and a foreign host', async () => {
      const url = fake.addFile('big.bin', Buffer.alloc(2048, 1), 'application/octet-stream');
      const small = { ...account, settings: { ...account.settings, maxAttachmentBytes: 1024 } };
      expect(await errorOf(connector.fetchAttachment(small, url))).toMatchObject({
        code: ConnectorErrorCode.InvalidPayload,
        details: { status: 413 },
      });
      expect((await errorOf(connector.fetchAttachment(account, `${fake.url}/files/none.jpg`))).code).toBe(
        ConnectorErrorCode.NotFound,
      );
      expect(
        (await errorOf(connector.fetchAttachment(account, 'http://169.254.169.254/latest/meta-data'))).code,
      ).toBe(ConnectorErrorCode.InvalidPayload);
    });
  });
});
