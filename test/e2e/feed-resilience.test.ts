import { randomUUID } from 'node:crypto';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { Role } from '@inbox/access';
import { signInAs, type SignedIn } from '../factories/staff';
import { type DovecotInstance, startDovecot } from '../fakes/email/dovecot';
import { type SmtpReceiver, startSmtpReceiver } from '../fakes/email/smtp-receiver';
import { binaryFile, documentPackage, FakeMedoGateway, OUR_ORGANISATION, OUR_UID } from '../fakes/medo';
import { PosFake } from '../fakes/pos/pos-fake';
import { WebsiteFeedFake } from '../fakes/website-feed/website-feed-fake';
import { eventually, startTestStack, type TestStack } from '../support/test-stack';
import { FEED_SETTINGS, feedTools } from './feed-helpers';

/** A TCP hop in front of a real server that can drop every connection or hold back the server's bytes. */
class FlakyLink {
  mode: 'up' | 'down' | 'slow' = 'up';
  delayMs = 3000;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  async start(host: string, port: number): Promise<number> {
    this.server = createServer((client) => {
      this.track(client);
      if (this.mode === 'down') return void client.destroy();
      const slow = this.mode === 'slow';
      const upstream = this.track(connect(port, host));
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => {
        if (!slow) return void client.write(chunk);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!client.destroyed) client.write(chunk);
        }, this.delayMs);
        this.timers.add(timer);
      });
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server!.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
    return socket;
  }
}

const MINZDRAV = {
  uid: '7c0f5d2e-1a4b-4c3d-8e9f-0a1b2c3d4e5f',
  organisation: 'Министерство здравоохранения РФ',
};
const FAR = () => new Date(Date.now() + 3_600_000);
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * Issue 5: every feed survives its remote side being down or slow. A failed pull is backed off
 * exponentially (Retry-After when given) and shown per channel account on /health; the next pull resumes
 * from the stored cursor, so nothing is lost and nothing registers twice, also after a page cut mid-way.
 */
describe('feed resilience (e2e)', () => {
  let pos: PosFake;
  let dovecot: DovecotInstance;
  let imap: FlakyLink;
  let smtp: SmtpReceiver;
  let medo: FakeMedoGateway;
  let site: WebsiteFeedFake;
  let stack: TestStack;
  let tools: ReturnType<typeof feedTools>;
  let operator: SignedIn;

  beforeAll(async () => {
    pos = new PosFake();
    site = new WebsiteFeedFake();
    imap = new FlakyLink();
    // One after another: a start that fails must not leave an earlier one running unseen by afterAll.
    dovecot = await startDovecot();
    smtp = await startSmtpReceiver();
    medo = await FakeMedoGateway.create();
    await Promise.all([pos.start(), site.start()]);
    const imapPort = await imap.start(dovecot.host, dovecot.port);
    const far = '3600000';
    stack = await startTestStack({
      worker: true,
      env: {
        POS_BASE_URL: pos.baseUrl,
        POS_USERNAME: pos.credentials.username,
        POS_PASSWORD: pos.credentials.password,
        POS_CLIENT_ID: pos.credentials.clientId,
        POS_CLIENT_SECRET: pos.credentials.clientSecret,
        POS_REGION_ID: String(pos.regionId),
        POS_OPA_IDS: '220511,220512',
        POS_ORGANISATIONS: 'minzhkh=220511',
        POS_TIMEOUT_MS: '1500',
        POS_PULL_EVERY_MS: far,
        EMAIL_IMAP_HOST: '127.0.0.1',
        EMAIL_IMAP_PORT: String(imapPort),
        EMAIL_IMAP_SECURE: 'false',
        EMAIL_IMAP_USER: dovecot.users[0].user,
        EMAIL_IMAP_PASSWORD: dovecot.users[0].password,
        EMAIL_SMTP_HOST: smtp.host,
        EMAIL_SMTP_PORT: String(smtp.port),
        EMAIL_SMTP_SECURE: 'false',
        EMAIL_FROM_ADDRESS: 'obrashcheniya@region.test',
        EMAIL_TIMEOUT_MS: '1500',
        EMAIL_PULL_EVERY_MS: far,
        MEDO_INBOUND_DIR: medo.inboundDir,
        MEDO_OUTBOUND_DIR: medo.outboundDir,
        MEDO_QUARANTINE_DIR: medo.quarantineDir,
        MEDO_PROCESSED_DIR: medo.processedDir,
        MEDO_PARTICIPANT_UID: OUR_UID,
        MEDO_ORGANISATION_NAME: OUR_ORGANISATION,
        // A package must rest this long before it is read: the gateway may still be writing it.
        MEDO_SETTLE_MS: '5000',
        MEDO_PULL_EVERY_MS: far,
        WEBSITE_FEED_URL: site.url,
        WEBSITE_FEED_SETTINGS: JSON.stringify(FEED_SETTINGS(1500)),
      },
    });
    tools = feedTools(stack);
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
  });
  // One test's failure must not leave a remote side broken for the next.
  beforeEach(async () => {
    pos.setScenario('normal');
    site.setScenario('normal');
    imap.mode = 'up';
    await medo.setScenario('normal');
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([
      pos?.stop(),
      site?.stop(),
      imap?.stop(),
      smtp?.stop(),
      dovecot?.stop(),
      medo?.close(),
    ]);
  });

  /**
   * The back-off the account's last failure set, as /health shows it: from the error to the next pull (both the
   * database's time of that failure), whenever the test reads it.
   */
  const waitSeconds = (h: Record<string, unknown>) =>
    (Date.parse(String(h.nextPullAt)) - Date.parse(String(h.lastErrorAt))) / 1000;

  it('ПОС down, then too slow: backs off on /health, then recovers from the cursor without loss', async () => {
    const ids = [pos.addMessage(), pos.addMessage()].map((m) => String(m.posId));
    pos.setScenario('server-error');

    const failed = await tools.puller.pull('pos');
    expect(failed).toMatchObject({ ran: true, items: 0, error: expect.stringContaining('HTTP 503') });
    let h = await tools.health('pos');
    expect(h).toMatchObject({
      syncStage: 'backing-off',
      consecutiveFailures: 1,
      lastError: expect.stringMatching(/^Temporary: ПОС (token|feed): HTTP 503/),
      itemsReceived: 0,
    });
    expect(waitSeconds(h)).toBeGreaterThan(0.5);

    // Within the back-off nobody calls ПОС.
    const calls = pos.requests.length;
    expect(await tools.puller.pull('pos')).toMatchObject({ ran: false });
    expect(pos.requests.length).toBe(calls);

    // Later still down: the wait doubles.
    expect(await tools.puller.pull('pos', { now: FAR() })).toMatchObject({
      ran: true,
      error: expect.any(String),
    });
    h = await tools.health('pos');
    expect(h.consecutiveFailures).toBe(2);
    expect(waitSeconds(h)).toBeGreaterThan(2.5);

    // Up but answering slower than our timeout.
    pos.slowMs = 3000;
    pos.setScenario('slow', { times: 1 });
    expect(await tools.puller.pull('pos', { now: FAR() })).toMatchObject({
      // "network error" under jest only: undici's TimeoutError comes from another realm than jest's Error.
      error: expect.stringMatching(/^ПОС (token|feed): (timed out|network error)$/),
    });
    expect((await tools.health('pos')).consecutiveFailures).toBe(3);

    // Back to normal: everything waiting is registered, once.
    expect(await tools.puller.pull('pos', { now: FAR() })).toMatchObject({ ran: true, items: 2 });
    h = await tools.health('pos');
    expect(h).toMatchObject({
      syncStage: 'idle',
      consecutiveFailures: 0,
      nextPullAt: null,
      itemsReceived: 2,
    });
    expect(Date.parse(String(h.lastSuccessAt))).toBeGreaterThan(Date.parse(String(h.lastErrorAt)));
    for (const id of ids) await tools.appeal('pos', id);
    expect(await tools.appealCount('pos', ids)).toBe(2);
  });

  it('ПОС page cut mid-way: the next pull resumes from the stored cursor, one appeal per item', async () => {
    const ids = [0, 1, 2, 3, 4].map(() => String(pos.addMessage().posId));
    expect(await tools.pull('pos', { limit: 2, maxPages: 1 })).toMatchObject({ items: 2 });
    pos.setScenario('cut-mid-page', { times: 1 });
    expect(await tools.pull('pos', { limit: 2 })).toMatchObject({
      items: 0,
      error: 'ПОС feed: network error',
    });
    expect(await tools.pull('pos', { limit: 2, now: FAR() })).toMatchObject({ items: 3, duplicates: 0 });
    for (const id of ids) await tools.appeal('pos', id);
    await tools.settled();
    expect(await tools.appealCount('pos', ids)).toBe(5);
  });

  it('ПОС status pushes wait out an outage in feed_actions (visible on /health) and are sent once after it', async () => {
    const message = pos.addMessage();
    await tools.pull('pos');
    const { id } = await tools.appeal('pos', String(message.posId));
    pos.setScenario('server-error');
    expect(
      (
        await fetch(`${stack.baseUrl}/api/v1/appeals/${id}/take`, {
          method: 'POST',
          headers: operator.headers,
        })
      ).status,
    ).toBe(204);
    const [pending] = await eventually(async () => {
      const rows = await tools.ds.query(
        `SELECT state, attempts, last_error FROM feed_actions WHERE appeal_id = $1 AND kind = 'pos-status'`,
        [id],
      );
      return rows[0]?.attempts >= 1 ? rows : undefined;
    });
    expect(pending).toMatchObject({ state: 'pending', last_error: expect.stringMatching(/^Temporary: /) });
    expect(await tools.health('pos')).toMatchObject({ pendingActions: 1, failedActions: 0 });

    pos.setScenario('normal');
    await eventually(async () => {
      await tools.runner.run('pos-status', FAR());
      return pos.events.some((e) => e.posId === message.posId) ? true : undefined;
    });
    expect(pos.events.filter((e) => e.posId === message.posId).map((e) => e.body.eventType)).toEqual([
      'TAKE_TO_WORK',
    ]);
    expect(await tools.health('pos')).toMatchObject({ pendingActions: 0, failedActions: 0 });
  });

  it('e-mail: IMAP unreachable, then too slow: backs off and recovers without loss or duplicates', async () => {
    const messageId = `resilience.${Date.now()}@mail.example`;
    await dovecot.deliver(
      dovecot.users[0].user,
      [
        'From: citizen@mail.example',
        'To: obrashcheniya@region.test',
        `Subject: =?UTF-8?B?${b64('Не работает лифт')}?=`,
        `Message-ID: <${messageId}>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        b64('Третий день не работает лифт в доме 5 по ул. Мира.'),
        '',
      ].join('\r\n'),
    );

    imap.mode = 'down';
    expect(await tools.puller.pull('email')).toMatchObject({
      ran: true,
      items: 0,
      error: expect.stringMatching(/^IMAP pull/),
    });
    expect(await tools.health('email')).toMatchObject({
      syncStage: 'backing-off',
      consecutiveFailures: 1,
      lastError: expect.stringMatching(/^Temporary: IMAP pull/),
    });

    imap.mode = 'slow';
    expect(await tools.puller.pull('email', { now: FAR() })).toMatchObject({
      ran: true,
      error: expect.any(String),
    });
    expect((await tools.health('email')).consecutiveFailures).toBe(2);

    imap.mode = 'up';
    expect(await tools.puller.pull('email', { now: FAR() })).toMatchObject({ ran: true, items: 1 });
    await tools.appeal('email', messageId);
    expect(await tools.health('email')).toMatchObject({
      syncStage: 'idle',
      consecutiveFailures: 0,
      itemsReceived: 1,
    });
    await tools.forgetCursor('email');
    expect(await tools.pull('email')).toMatchObject({ items: 0, duplicates: 1 });
    expect(await tools.appealCount('email', [messageId])).toBe(1);
  });

  it('МЭДО: the exchange share gone, then a package still being written: backs off, never quarantines it, recovers', async () => {
    const firstUid = randomUUID();
    const first = documentPackage({
      source: MINZDRAV,
      headerUid: firstUid,
      files: [{ name: 'Письмо.pdf', data: binaryFile('a') }],
    });
    await medo.deliverFolder(`${firstUid}_${MINZDRAV.uid}`, first);
    await medo.age(10);

    await medo.setScenario('server-error');
    expect(await tools.puller.pull('medo')).toMatchObject({ ran: true, items: 0, error: expect.any(String) });
    expect(await tools.health('medo')).toMatchObject({
      syncStage: 'backing-off',
      lastError: expect.stringMatching(/^Temporary: /),
    });
    await medo.setScenario('normal');
    expect(await tools.puller.pull('medo', { now: FAR() })).toMatchObject({ ran: true, items: 1 });
    await tools.appeal('medo', firstUid);

    // The gateway is still writing the next package: it is left alone, not quarantined as "no passport".
    await medo.setScenario('slow');
    const secondUid = randomUUID();
    const complete = await medo.deliverFolder(
      `${secondUid}_${MINZDRAV.uid}`,
      documentPackage({
        source: MINZDRAV,
        headerUid: secondUid,
        files: [{ name: 'Письмо.pdf', data: binaryFile('b') }],
      }),
    );
    expect(await tools.pull('medo')).toMatchObject({ items: 0, quarantined: 0 });
    await complete();
    await medo.setScenario('normal');
    await medo.age(10);
    expect(await tools.pull('medo')).toMatchObject({ items: 1, quarantined: 0 });
    await tools.appeal('medo', secondUid);
    expect(await medo.quarantined()).toEqual([]);
    expect(await tools.appealCount('medo')).toBe(2);
    expect(await tools.health('medo')).toMatchObject({
      consecutiveFailures: 0,
      itemsReceived: 2,
      itemsQuarantined: 0,
    });
  });

  it('website feed: waits as long as a 429 says, and resumes a page cut mid-way from the cursor', async () => {
    const ids = [site.addItem(), site.addItem(), site.addItem()].map((i) => `feed:governor-nso:${i.id}`);
    site.setScenario('rate-limited', { times: 1 });
    expect(await tools.puller.pull('website-feed')).toMatchObject({
      ran: true,
      error: 'website feed: HTTP 429',
    });
    const h = await tools.health('website');
    expect(h).toMatchObject({ syncStage: 'backing-off', lastError: expect.stringMatching(/^RateLimited: /) });
    // Retry-After: 30 (seconds), honoured over our own 2 s first step.
    expect(waitSeconds(h)).toBeGreaterThan(25);
    expect(waitSeconds(h)).toBeLessThan(35);
    expect(await tools.puller.pull('website-feed')).toMatchObject({ ran: false });

    const later = new Date(Date.now() + 31_000);
    expect(await tools.pull('website-feed', { now: later, limit: 1, maxPages: 1 })).toMatchObject({
      items: 1,
    });
    site.setScenario('cut-mid-page', { times: 1 });
    expect(await tools.pull('website-feed', { limit: 1 })).toMatchObject({
      items: 0,
      error: 'website feed: network error',
    });
    expect(await tools.pull('website-feed', { limit: 1, now: FAR() })).toMatchObject({
      items: 2,
      duplicates: 0,
    });
    for (const id of ids) await tools.appeal('website', id);
    await tools.settled();
    expect(await tools.appealCount('website', ids)).toBe(3);
  });
});
