import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Channel } from '@inbox/integrations/contract';
import { OkConnector, parseOkWebhook } from '@inbox/integrations/ok';
import { MATERIAL } from './material';
import { FIXTURES, readJson, readText, shapeOf } from './shape';

/** apiok.ru's documented Bot API examples, against our parser and our fixtures. */

const real = (name: string) => readJson(MATERIAL.ok, name);

/** The attachment example is cut off in the stored copy; close it after the cut to read what is there. */
function attachmentExample(): Record<string, unknown> {
  const raw = readText(MATERIAL.ok, 'webhook_message_with_attachment.PARTIAL.txt');
  const json = raw.slice(raw.indexOf('{'), raw.indexOf('   <-- cut off'));
  return JSON.parse(`${json}"\n  }\n}`) as Record<string, unknown>;
}

describe('OK: the documented webhook examples', () => {
  it('the plain-text message becomes one item in the chat thread', () => {
    expect(parseOkWebhook(real('webhook_message_text.json')).items).toEqual([
      expect.objectContaining({
        externalId: 'mid:C3ecb9d02a600.15cea67d78d2059',
        receivedAt: new Date(1498581292941).toISOString(),
        author: { externalId: 'user:123456789012' },
        text: 'text',
        thread: { key: 'chat:C3ecb9d02a600' },
      }),
    ]);
  });

  it('a link share is text, not a file', () => {
    expect(parseOkWebhook(attachmentExample()).items[0]).toMatchObject({
      text: 'https://ya.ru/',
      attachments: [],
    });
  });

  it('the webhook accepts the documented body with a BOM and the right secret', async () => {
    const account = {
      id: 'ok-1',
      channel: Channel.Ok,
      settings: {},
      secrets: { accessToken: 'tkn', webhookSecret: 's' },
    };
    const body = Buffer.from(`\uFEFF${readText(MATERIAL.ok, 'webhook_message_text.json')}`);
    await expect(
      new OkConnector().parseInbound(account, { headers: {}, query: { secret: 's' }, body }),
    ).resolves.toMatchObject({ kind: 'items', items: [{ externalId: 'mid:C3ecb9d02a600.15cea67d78d2059' }] });
  });
});

describe('OK: our fixtures have the shapes of the documented examples', () => {
  const ok = join(FIXTURES, 'ok');
  it('text message, link share and subscribe answer', () => {
    expect(shapeOf(readJson(ok, 'webhook-message-text.json'))).toEqual(
      shapeOf(real('webhook_message_text.json')),
    );
    // The attachment example is cut off before its timestamp: its message part is compared, the rest with the text.
    const share = readJson(ok, 'webhook-message-share.json');
    expect(shapeOf(share.message)).toEqual(shapeOf(attachmentExample().message));
    expect(shapeOf(share, ['message'])).toEqual(shapeOf(real('webhook_message_text.json'), ['message']));
    expect(shapeOf(readJson(ok, 'subscribe-response.json'))).toEqual(
      shapeOf(real('subscribe.response.json')),
    );
  });
});

describe('OK: what we send has the shape of the documented requests', () => {
  it('the webhook subscription is the documented POST /me/subscribe body, and its documented answer is success', async () => {
    const bodies: unknown[] = [];
    const read = async (req: IncomingMessage) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    };
    // OK's side, answering with the documented bodies: no subscriptions yet, then the subscribe response. (The
    // documented long-polling subscription, {types, longPolling}, is a transport we do not use.)
    const server = createServer((req, res) => {
      void read(req).then((body) => {
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET' && req.url?.startsWith('/me/subscriptions'))
          return res.end(JSON.stringify({ subscriptions: [] }));
        if (req.method === 'POST' && req.url?.startsWith('/me/subscribe')) {
          bodies.push(JSON.parse(body));
          return res.end(readText(MATERIAL.ok, 'subscribe.response.json'));
        }
        res.statusCode = 404;
        res.end('{}');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const { port } = server.address() as AddressInfo;
      const account = {
        id: 'ok-1',
        channel: Channel.Ok,
        settings: { apiBaseUrl: `http://127.0.0.1:${port}` },
        secrets: { accessToken: 'tkn', webhookSecret: 's' },
      };
      await new OkConnector().subscribeWebhook(account, 'https://inbox.region.test/api/v1/webhooks/ok');
    } finally {
      await new Promise((done) => server.close(done));
    }
    expect(bodies).toHaveLength(1);
    expect(shapeOf(bodies[0])).toEqual(shapeOf(real('subscribe_webhook.request.json')));
    expect(bodies[0]).toEqual({ url: 'https://inbox.region.test/api/v1/webhooks/ok?secret=s' });
  });

  it('a chat-control body (a title change, what a bot may send) is no message OK would post to us', () => {
    // Were it posted to the webhook, it has no message and no type: nothing, and said why.
    const parsed = parseOkWebhook(real('messages_chat_control_title.request.json'));
    expect(parsed.items).toEqual([]);
  });
});
