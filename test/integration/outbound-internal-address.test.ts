import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { JsonLogger } from '@inbox/common';
import {
  Channel,
  type ChannelAccountRef,
  ConnectorError,
  ConnectorErrorCode,
  downloadFile,
  isInternalAddress,
  remoteFileRefusal,
} from '@inbox/integrations/contract';
import { WebsiteFeedConnector } from '@inbox/integrations/website-feed';

/**
 * SSRF through the URLs a remote payload chooses (a channel's attachment link, a website feed and its files): a
 * host NAME that resolves inside our network is never connected to, at the moment of connecting — `localhost`
 * stands here for an attacker's name whose DNS answers 127.0.0.1 (rebinding), the server on 127.0.0.1 for the
 * internal service (Redis, the metadata service, an admin page) it would reach. An address inside is reached only
 * as an IP literal an administrator set (the fakes of the other tests).
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
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    return error as ConnectorError;
  };

  it('knows the internal ranges: loopback, private, link-local (metadata), mapped IPv4, IPv6 local', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.31.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0'])
      expect([a, isInternalAddress(a)]).toEqual([a, true]);
    for (const a of ['::1', '::', '::ffff:127.0.0.1', 'fd00::1', 'fe80::1', '100.64.0.1'])
      expect([a, isInternalAddress(a)]).toEqual([a, true]);
    for (const a of ['87.250.250.242', '2a02:6b8::2:242', '::ffff:87.250.250.242', '172.32.0.1'])
      expect([a, isInternalAddress(a)]).toEqual([a, false]);
  });

  it('refuses an attachment whose allowed host name resolves inside, for good, and asks nothing of it', async () => {
    const error = await refusal(downloadFile(`http://localhost:${port}/secret`, limits(['localhost'])));
    expect(error.code).toBe(ConnectorErrorCode.InvalidPayload);
    expect(error.message).toBe('attachment: host resolves to an internal address');
    // Not retried: the file is marked refused, not left for a later try.
    expect(remoteFileRefusal(error)).toBe('refused');
    expect(asked).toEqual([]);
  });

  it('refuses a redirect to a name that resolves inside, after the allowed hop', async () => {
    const error = await refusal(
      downloadFile(`http://127.0.0.1:${port}/redirect`, limits(['127.0.0.1', 'localhost'])),
    );
    expect(error.message).toBe('attachment: host resolves to an internal address');
    expect(asked).toEqual(['/redirect']);
  });

  it('still reaches an address an administrator set as an IP literal', async () => {
    const file = await downloadFile(`http://127.0.0.1:${port}/file.txt`, limits(['127.0.0.1']));
    expect(file.content.toString()).toBe('internal secret');
  });

  it('refuses a website feed whose host name resolves inside, saying why, and asks nothing of it', async () => {
    const connector = new WebsiteFeedConnector({
      logger: new JsonLogger('ssrf-test', 'error'),
      timeoutMs: 5000,
    });
    const account = (url: string): ChannelAccountRef => ({
      id: 'feed-ssrf',
      channel: Channel.Website,
      settings: {
        url,
        cursorField: 'id',
        itemsPath: 'items',
        fieldMap: { externalId: 'id', text: 'text', createdAt: 'created' },
        pageSizeParam: 'limit',
        cursorParam: 'after',
      },
      secrets: {},
    });
    const error = await refusal(connector.pull(account(`http://localhost:${port}/feed`), undefined, 10));
    expect([error.code, error.message, error.details.fields]).toEqual([
      ConnectorErrorCode.AuthFailed,
      'website feed: the host resolves to an internal address; set the feed URL to a public site',
      { url: 'resolves to an internal address' },
    ]);
    const files = await refusal(
      connector.fetchAttachment(account(`http://localhost:${port}/feed`), `http://localhost:${port}/secret`),
    );
    expect(files.message).toBe('website feed attachment: host resolves to an internal address');
    expect(asked).toEqual([]);
    // The same feed set by its IP literal is read.
    expect((await connector.pull(account(`http://127.0.0.1:${port}/feed`), undefined, 10)).items).toEqual([]);
  });
});
