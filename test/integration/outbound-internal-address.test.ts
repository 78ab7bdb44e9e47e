import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { JsonLogger } from '@inbox/common';
import {
  Channel,
  type ChannelAccountRef,
  ConnectorErrorCode,
  downloadDispatcher,
  downloadFile,
  externalOnly,
  isInternalAddress,
  refusedAsInternal,
  remoteFileRefusal,
  transportError,
} from '@inbox/integrations/contract';
import { WebsiteFeedConnector } from '@inbox/integrations/website-feed';

/**
 * SSRF through the URLs a remote payload chooses (a channel's attachment link): a host NAME the payload chose that
 * resolves inside our network is never connected to, at the moment of connecting — `localhost` stands here for an
 * attacker's name whose DNS answers 127.0.0.1 (rebinding), the server on 127.0.0.1 for the internal service (Redis,
 * the metadata service, an admin page) it would reach. What an administrator named exactly (an IP literal, a host
 * name: a reception site in the region's own network, the fakes of the other tests) is reached as named.
 */
describe('outbound fetches never reach an internal address by a name (integration)', () => {
  let internal: Server;
  let port = 0;
  const asked: string[] = [];

  beforeAll(async () => {
    internal = createServer((req: IncomingMessage, res) => {
      asked.push(req.url ?? '');
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `http://localhost:${port}/secret` }).end();
        return;
      }
      if (req.url?.startsWith('/feed')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('internal secret');
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    port = (internal.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => internal.close(resolve));
  });
  beforeEach(() => {
    asked.length = 0;
  });

  const limits = (hosts: string[]) => ({ maxBytes: 1024, timeoutMs: 5000, allowedHosts: hosts });

  it('knows the internal ranges: loopback, private, link-local (metadata), mapped IPv4, IPv6 local', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.31.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0'])
      expect([a, isInternalAddress(a)]).toEqual([a, true]);
    for (const a of ['::1', '::', '::ffff:127.0.0.1', 'fd00::1', 'fe80::1', '100.64.0.1'])
      expect([a, isInternalAddress(a)]).toEqual([a, true]);
    for (const a of ['87.250.250.242', '2a02:6b8::2:242', '::ffff:87.250.250.242', '172.32.0.1'])
      expect([a, isInternalAddress(a)]).toEqual([a, false]);
  });

  it('keeps a payload-chosen name under an allowed domain outside, and an exactly named host as named', () => {
    const hosts = ['userapi.com', 'localhost', '127.0.0.1'];
    expect(downloadDispatcher(new URL('https://sun9-1.userapi.com/a.jpg'), hosts)).toBe(externalOnly);
    expect(downloadDispatcher(new URL('https://USERAPI.com/a.jpg'), hosts)).toBeUndefined();
    expect(downloadDispatcher(new URL(`http://localhost:${port}/a.jpg`), hosts)).toBeUndefined();
  });

  it('refuses a file whose payload-chosen name resolves inside, for good (not retried), asking nothing', async () => {
    // `localhost` stands for an attacker's name that answers 127.0.0.1 (rebinding).
    const refused = await fetch(`http://localhost:${port}/secret`, {
      dispatcher: externalOnly,
    } as RequestInit).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusedAsInternal(refused)).toBe(true);
    const error = transportError('attachment', refused);
    expect(error.code).toBe(ConnectorErrorCode.InvalidPayload);
    expect(error.message).toBe('attachment: host resolves to an internal address');
    expect(remoteFileRefusal(error)).toBe('refused');
    expect(asked).toEqual([]);
  });

  it("reaches what an administrator named: an IP literal, a host name (a site in the region's own network)", async () => {
    const file = await downloadFile(`http://127.0.0.1:${port}/file.txt`, limits(['127.0.0.1']));
    expect(file.content.toString()).toBe('internal secret');
    const named = await downloadFile(`http://localhost:${port}/file.txt`, limits(['localhost']));
    expect(named.content.toString()).toBe('internal secret');
  });

  it('reads a website feed at the host the administrator set, and its files there', async () => {
    const connector = new WebsiteFeedConnector({
      logger: new JsonLogger('ssrf-test', 'error'),
      timeoutMs: 5000,
    });
    const account: ChannelAccountRef = {
      id: 'feed-ssrf',
      channel: Channel.Website,
      settings: {
        url: `http://localhost:${port}/feed`,
        cursorField: 'id',
        itemsPath: 'items',
        fieldMap: { externalId: 'id', text: 'text', createdAt: 'created' },
        pageSizeParam: 'limit',
        cursorParam: 'after',
      },
      secrets: {},
    };
    expect((await connector.pull(account, undefined, 10)).items).toEqual([]);
    const file = await connector.fetchAttachment(account, `http://localhost:${port}/file.txt`);
    expect(file.content.toString()).toBe('internal secret');
  });
});
