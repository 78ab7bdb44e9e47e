import dns, { type LookupAddress } from 'node:dns';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { JsonLogger } from '@inbox/common';
import { internalTargetProblem } from '../../libs/channels/src/internal-targets';
import {
  accountConnections,
  allowInternalHosts,
  Channel,
  type Connector,
  type ChannelAccountRef,
  ConnectorErrorCode,
  downloadDispatcher,
  downloadFile,
  externalOnly,
  ConnectorError,
  isInternalAddress,
  refusedAsInternal,
  remoteFileRefusal,
  transportError,
} from '@inbox/integrations/contract';
import { EmailConnector } from '@inbox/integrations/email';
import { OkConnector } from '@inbox/integrations/ok';
import { PosConnector } from '@inbox/integrations/pos';
import { TelegramConnector } from '@inbox/integrations/telegram';
import { VkConnector } from '@inbox/integrations/vk';
import { WebsiteFeedConnector } from '@inbox/integrations/website-feed';

/**
 * SSRF through the URLs a remote payload chooses (a channel's attachment link): a host NAME the payload chose that
 * resolves inside our network is never connected to, at the moment of connecting — `localhost` stands here for an
 * attacker's name whose DNS answers 127.0.0.1 (rebinding), the server on 127.0.0.1 for the internal service (Redis,
 * the metadata service, an admin page) it would reach. An IP literal inside, in any notation, is refused as well
 * (no lookup sees it), an account's own address and each redirect from its API included. What the allowance names
 * exactly (an IP literal, a host name: a reception site in the region's own network, the fakes of the other tests)
 * is reached as named.
 */
describe('outbound fetches never reach an internal address by a name (integration)', () => {
  let internal: Server;
  let port = 0;
  const asked: string[] = [];
  /** TCP connections the internal server accepted (IMAP and SMTP ask nothing HTTP would hear). */
  let connections = 0;
  /** What VK's API hands out as the long-poll server or upload URL. */
  let handedOut = '';
  /** Another internal service, at 127.0.0.2: inside, and not among the names CHANNEL_INTERNAL_HOSTS gives here. */
  let inside: Server;
  let insidePort = 0;
  /** TCP connections the server at 127.0.0.2 accepted. */
  let insideConnections = 0;

  beforeAll(async () => {
    // CHANNEL_INTERNAL_HOSTS as the channels registry hands it over outside production: this machine's names.
    allowInternalHosts(['localhost', '127.0.0.1', '::1']);
    internal = createServer((req: IncomingMessage, res) => {
      asked.push(req.url ?? '');
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `http://localhost:${port}/secret` }).end();
        return;
      }
      if (req.url?.startsWith('/method/')) {
        // VK's API (an account's, at a host its administrator named) handing out `handedOut`.
        const method = req.url.slice('/method/'.length);
        const response = method.startsWith('groups.getLongPollServer')
          ? { server: handedOut, key: 'k', ts: '1' }
          : method.startsWith('docs.getMessagesUploadServer')
            ? { upload_url: handedOut }
            : {};
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ response }));
        return;
      }
      if (req.url?.startsWith('/to-inside/')) {
        // An account's API (ПОС, VK, OK, the Bot API: a host its administrator named) redirecting inside.
        res.writeHead(302, { location: `http://127.0.0.2:${insidePort}${req.url}` }).end();
        return;
      }
      if (req.url?.startsWith('/lp-redirect')) {
        res.writeHead(302, { location: `http://127.0.0.2:${insidePort}/wh1` }).end();
        return;
      }
      if (req.url?.startsWith('/lp?')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ts":"2","updates":[]}');
        return;
      }
      if (req.url?.startsWith('/feed')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('internal secret');
    });
    internal.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    port = (internal.address() as AddressInfo).port;
    inside = createServer((req, res) => {
      asked.push(`127.0.0.2${req.url ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ts":"2","updates":[],"file":"f"}');
    });
    inside.on('connection', () => (insideConnections += 1));
    await new Promise<void>((resolve) => inside.listen(0, '127.0.0.2', resolve));
    insidePort = (inside.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => internal.close(resolve));
    await new Promise((resolve) => inside.close(resolve));
  });
  beforeEach(() => {
    asked.length = 0;
    connections = 0;
    insideConnections = 0;
  });

  const limits = (hosts: string[]) => ({ maxBytes: 1024, timeoutMs: 5000, allowedHosts: hosts });
  /** A website feed account's settings, reading `url`. */
  const feedSettings = (url: string) => ({
    url,
    cursorField: 'id',
    itemsPath: 'items',
    fieldMap: { externalId: 'id', text: 'text', createdAt: 'created' },
    pageSizeParam: 'limit',
    cursorParam: 'after',
  });

  it('knows the internal ranges: loopback, private, link-local (metadata), mapped IPv4, IPv6 local', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.31.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0'])
      expect([a, isInternalAddress(a)]).toEqual([a, true]);
    for (const a of ['::1', '::', '::ffff:127.0.0.1', 'fd00::1', 'fe80::1', '100.64.0.1'])
      expect([a, isInternalAddress(a)]).toEqual([a, true]);
    // An IPv4 address inside, as IPv6 carries it to a translator or tunnel: NAT64, SIIT, 6to4.
    for (const a of [
      '64:ff9b::a9fe:a9fe',
      '64:ff9b::10.0.0.5',
      '64:ff9b:1::8.8.8.8',
      '::ffff:0:7f00:1',
      '2002:a00:5::1',
    ])
      expect([a, isInternalAddress(a)]).toEqual([a, true]);
    for (const a of ['87.250.250.242', '2a02:6b8::2:242', '::ffff:87.250.250.242', '172.32.0.1'])
      expect([a, isInternalAddress(a)]).toEqual([a, false]);
    for (const a of ['64:ff9b::57fa:faf2', '64:ff9b::87.250.250.242', '2002:57fa:faf2::1'])
      expect([a, isInternalAddress(a)]).toEqual([a, false]);
  });

  it('keeps a payload-chosen name under an allowed domain outside, and an exactly named host as named', () => {
    const hosts = ['userapi.com', 'localhost', '127.0.0.1'];
    expect(downloadDispatcher(new URL('https://sun9-1.userapi.com/a.jpg'), hosts)).toBe(externalOnly);
    expect(downloadDispatcher(new URL('https://USERAPI.com/a.jpg'), hosts)).toBe(
      accountConnections.dispatcher,
    );
    expect(downloadDispatcher(new URL(`http://localhost:${port}/a.jpg`), hosts)).toBe(
      accountConnections.dispatcher,
    );
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
      settings: feedSettings(`http://localhost:${port}/feed`),
      secrets: {},
    };
    expect((await connector.pull(account, undefined, 10)).items).toEqual([]);
    const file = await connector.fetchAttachment(account, `http://localhost:${port}/file.txt`);
    expect(file.content.toString()).toBe('internal secret');
  });

  describe("the addresses VK's API hands out: its long-poll server, its upload URLs", () => {
    const vk = new VkConnector({ logger: new JsonLogger('handed-out-test', 'error') });
    const account = (): ChannelAccountRef => ({
      id: 'vk-handed-out',
      channel: Channel.Vk,
      settings: { groupId: 1, apiBaseUrl: `http://127.0.0.1:${port}/method`, longPollWaitSeconds: 1 },
      secrets: { groupToken: 't' },
    });
    const pull = () => vk.pull(account(), undefined, 10);
    const upload = () =>
      vk.send(account(), {
        id: 'm1',
        kind: 'answer',
        text: 'Ответ',
        replyAddress: { peerId: 8 },
        attachments: [{ fileName: 'ответ.pdf', contentType: 'application/pdf', contentBase64: 'JVBERg==' }],
      });

    it('polls a server at a host the allowance names (the fakes of the tests)', async () => {
      handedOut = `http://127.0.0.1:${port}/lp`;
      expect((await pull()).nextCursor).toEqual({ server: handedOut, key: 'k', ts: '2' });
    });

    // An IP literal is never looked up: before, a spoofed or compromised answer was followed inside as is.
    it.each([
      ['a long-poll server', () => `http://127.0.0.2:${insidePort}/wh1`, pull],
      ['a long-poll server redirecting inside', () => `http://127.0.0.1:${port}/lp-redirect`, pull],
      ['an upload URL', () => `http://127.0.0.2:${insidePort}/upload`, upload],
    ])('never follows %s pointing at an internal address', async (_, at, call) => {
      handedOut = at();
      const failed = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failed).toBeInstanceOf(ConnectorError);
      expect((failed as ConnectorError).code).toBe(ConnectorErrorCode.InvalidPayload);
      expect((failed as ConnectorError).message).toMatch(/: host resolves to an internal address$/);
      expect(asked.filter((a) => a.startsWith('127.0.0.2'))).toEqual([]);
    });
  });

  describe('an internal IP literal in any notation, and a redirect from an account API to one', () => {
    const logger = new JsonLogger('ip-literal-test', 'error');
    /** 127.0.0.2, not among the names the allowance gives here, spelled as URLs and administrators may. */
    const spellings = () => [
      `http://127.0.0.2:${insidePort}`,
      `http://0x7f000002:${insidePort}`,
      `http://2130706434:${insidePort}`,
      `http://0177.0.0.02:${insidePort}`,
      `http://127.2:${insidePort}`,
      `http://[::ffff:127.0.0.2]:${insidePort}`,
      `http://[::ffff:7f00:2]:${insidePort}`,
    ];
    /** What each connector is given for a base address, and the call that connects there. */
    const connectors: [string, (base: string) => Promise<unknown>][] = [
      [
        'a website feed',
        (base) =>
          new WebsiteFeedConnector({ logger, timeoutMs: 5000 }).pull(
            { id: 'f', channel: Channel.Website, settings: feedSettings(`${base}/feed`), secrets: {} },
            undefined,
            10,
          ),
      ],
      [
        'ПОС',
        (base) =>
          new PosConnector({ logger, timeoutMs: 5000 }).check({
            id: 'p',
            channel: Channel.Pos,
            settings: { baseUrl: base, regionId: '42', opaIds: ['1'] },
            secrets: { username: 'u', password: 'p', clientId: 'c', clientSecret: 's' },
          }),
      ],
      [
        'VK',
        (base) =>
          new VkConnector({ logger }).check({
            id: 'v',
            channel: Channel.Vk,
            settings: { groupId: 1, apiBaseUrl: `${base}/method` },
            secrets: { groupToken: 't' },
          }),
      ],
      [
        'OK',
        (base) =>
          new OkConnector(logger).check({
            id: 'o',
            channel: Channel.Ok,
            settings: { apiBaseUrl: `${base}/graph` },
            secrets: { accessToken: 't', webhookSecret: 's' },
          }),
      ],
      [
        'a Telegram bot (telegraf)',
        (base) =>
          new TelegramConnector(logger).check({
            id: 't',
            channel: Channel.Telegram,
            settings: { apiRoot: `${base}/` },
            secrets: { botToken: '1:t' },
          }),
      ],
    ];
    const failure = (call: Promise<unknown>) =>
      call.then(
        () => undefined,
        (e: unknown) => e,
      );

    // No lookup sees an IP literal: before, only the check at the save (and at the registry's build) kept an
    // account from one, and nothing kept a redirect from its API there.
    it.each(connectors)(
      '%s: never connects to an account address that is an internal IP literal',
      async (_, call) => {
        for (const base of spellings()) {
          expect([base, await failure(call(base))]).toEqual([base, expect.any(ConnectorError)]);
          expect([base, asked, insideConnections]).toEqual([base, [], 0]);
        }
      },
    );

    it.each(connectors)(
      '%s: never follows a redirect from its API to an internal IP literal',
      async (_, call) => {
        const failed = await failure(call(`http://127.0.0.1:${port}/to-inside`));
        expect(failed).toBeInstanceOf(ConnectorError);
        // The account's own host was asked (and redirected); nothing reached inside.
        expect(asked.length).toBeGreaterThan(0);
        expect([asked.filter((a) => a.startsWith('127.0.0.2')), insideConnections]).toEqual([[], 0]);
      },
    );

    it('a mailbox never connects to an internal IP literal, IMAP or SMTP', async () => {
      const email = new EmailConnector({ logger });
      for (const host of ['127.0.0.2', '::ffff:127.0.0.2', '::ffff:7f00:2']) {
        const settings = {
          imapHost: host,
          imapPort: insidePort,
          imapSecure: false,
          smtpHost: host,
          smtpPort: insidePort,
          fromAddress: 'a@example.org',
          timeoutMs: 5000,
        };
        const account = {
          id: 'm',
          channel: Channel.Email,
          settings,
          secrets: { imapUser: 'u', imapPassword: 'p' },
        };
        expect([host, await failure(email.check(account))]).toEqual([host, expect.any(ConnectorError)]);
        const sent = email.send(account, {
          id: 'm1',
          kind: 'answer',
          text: 'Ответ',
          recipient: { email: 'b@example.org' },
        });
        expect([host, await failure(sent)]).toEqual([host, expect.any(ConnectorError)]);
        expect([host, insideConnections]).toEqual([host, 0]);
      }
    });
  });

  describe('a name an administrator saved that resolves inside only when connecting (DNS rebinding)', () => {
    /**
     * The resolver of this machine, faked for one name at the network boundary: its first answer (the check when
     * the account is saved) is a public address, every later one (the connection) this machine, where the internal
     * server listens. Other names are resolved as ever.
     */
    const REBIND = 'rebind.example';
    let answers = 0;
    const answer = (): LookupAddress => ({
      address: (answers += 1) === 1 ? '203.0.113.10' : '127.0.0.1',
      family: 4,
    });
    beforeEach(() => {
      answers = 0;
      const lookup = dns.lookup.bind(dns);
      jest.spyOn(dns, 'lookup').mockImplementation(((host: string, options: unknown, callback: unknown) => {
        const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
        if (host !== REBIND) return (lookup as (...args: unknown[]) => void)(host, options, callback);
        const all = typeof options === 'object' && (options as { all?: boolean }).all;
        const a = answer();
        process.nextTick(() => (all ? done(null, [a]) : done(null, a.address, a.family)));
      }) as typeof dns.lookup);
      const lookupAll = dns.promises.lookup.bind(dns.promises);
      jest
        .spyOn(dns.promises, 'lookup')
        .mockImplementation((async (host: string, options: never) =>
          host === REBIND ? [answer()] : lookupAll(host, options)) as typeof dns.promises.lookup);
    });
    afterEach(() => jest.restoreAllMocks());

    const logger = new JsonLogger('rebinding-test', 'error');
    const at = `http://${REBIND}`;
    const cases: [
      string,
      Connector,
      Omit<ChannelAccountRef, 'id'>,
      (c: Connector, a: ChannelAccountRef) => Promise<unknown>,
    ][] = [
      [
        'a website feed (fetch)',
        new WebsiteFeedConnector({ logger, timeoutMs: 5000 }),
        {
          channel: Channel.Website,
          settings: feedSettings(`${at}:PORT/feed`),
          secrets: {},
        },
        (c, a) => c.pull!(a, undefined, 10),
      ],
      [
        'ПОС (fetch)',
        new PosConnector({ logger, timeoutMs: 5000 }),
        {
          channel: Channel.Pos,
          settings: { baseUrl: `${at}:PORT`, regionId: '42', opaIds: ['1'] },
          secrets: { username: 'u', password: 'p', clientId: 'c', clientSecret: 's' },
        },
        (c, a) => c.check(a),
      ],
      [
        'VK (the shared fetch)',
        new VkConnector({ logger }),
        {
          channel: Channel.Vk,
          settings: { groupId: 1, apiBaseUrl: `${at}:PORT/method` },
          secrets: { groupToken: 't' },
        },
        (c, a) => c.check(a),
      ],
      [
        'a Telegram bot (telegraf)',
        new TelegramConnector(logger),
        { channel: Channel.Telegram, settings: { apiRoot: `${at}:PORT/` }, secrets: { botToken: '1:t' } },
        (c, a) => c.check(a),
      ],
      [
        'a mailbox (IMAP)',
        new EmailConnector({ logger }),
        {
          channel: Channel.Email,
          settings: {
            imapHost: REBIND,
            imapPort: 'PORT',
            imapSecure: false,
            smtpHost: '203.0.113.10',
            fromAddress: 'a@example.org',
            timeoutMs: 5000,
          },
          secrets: { imapUser: 'u', imapPassword: 'p' },
        },
        (c, a) => c.check(a),
      ],
      [
        'a mailbox (SMTP)',
        new EmailConnector({ logger }),
        {
          channel: Channel.Email,
          settings: {
            imapHost: '203.0.113.10',
            smtpHost: REBIND,
            smtpPort: 'PORT',
            fromAddress: 'a@example.org',
            timeoutMs: 5000,
          },
          secrets: { imapUser: 'u', imapPassword: 'p' },
        },
        (c, a) =>
          c.send(a, { id: 'm1', kind: 'answer', text: 'Ответ', recipient: { email: 'b@example.org' } }),
      ],
    ];

    it.each(cases)(
      '%s: passes the check when saved, then never connects inside',
      async (_, connector, ref, call) => {
        const settings = JSON.parse(JSON.stringify(ref.settings).replaceAll('PORT', String(port))) as Record<
          string,
          unknown
        >;
        for (const key of ['imapPort', 'smtpPort']) if (settings[key]) settings[key] = Number(settings[key]);
        const account = { ...ref, id: 'rebinding', settings };
        const kind = ref.channel === Channel.Website ? 'website-feed' : (ref.channel as never);
        expect(await internalTargetProblem(kind, settings, [])).toBeUndefined();
        const failed = await call(connector, account).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(failed).toBeInstanceOf(ConnectorError);
        expect([asked, connections]).toEqual([[], 0]);
        expect(answers).toBeGreaterThan(1);
      },
    );
  });
});
