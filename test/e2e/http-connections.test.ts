import { randomBytes } from 'node:crypto';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Role, StaffUsers } from '@inbox/access';
import { signInAs } from '../factories/staff';
import { restoreEnvironmentAfterBlock } from '../support/folded-files';
import { json, startTestStack, type TestStack } from '../support/test-stack';

/*
 * Three files folded into one (keep-alive, api-shutdown and trust-proxy): jest loads the api's and the worker's
 * modules once for them, not three times. Each describe block keeps its own stack, context or database, and gets
 * the environment back as it was when it ends.
 */

/** One HTTP/1.1 request on an open connection, and its whole response (the pages asked for are small). */
function ask(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text);
      if (head >= 0 && length && text.length >= head + 4 + Number(length[1])) done(() => resolve(text));
    };
    const onEnd = () =>
      done(() => reject(new Error(`connection closed by the server; read: ${text.slice(0, 80)}`)));
    const done = (settle: () => void) => {
      socket.off('data', onData).off('end', onEnd).off('error', reject);
      settle();
    };
    socket.on('data', onData).on('end', onEnd).on('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  });
}

/**
 * A kept-alive connection left idle: a proxy in front of us (nginx keeps one 60 s) or a client sends the next
 * request on it after a pause. Node's 5 s closed it first, and a request sent as it closed failed (ECONNRESET in a
 * full test run, a 502 behind a proxy).
 */
describe('kept-alive connections (e2e)', () => {
  restoreEnvironmentAfterBlock();
  let stack: TestStack | undefined;
  afterAll(async () => {
    await stack?.close();
  });

  it('answers on a connection idle for longer than Node’s default, and a stop does not wait for it', async () => {
    stack = await startTestStack({ env: { API_DOCS: 'public' } });
    const { port } = new URL(stack.baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let closed = false;
    socket.on('close', () => (closed = true));
    try {
      expect(await ask(socket, '/api/docs-json')).toMatch(/^HTTP\/1\.1 200 /);
      await new Promise((resolve) => setTimeout(resolve, 6_500));
      expect(closed).toBe(false);
      expect(await ask(socket, '/api/docs-json')).toMatch(/^HTTP\/1\.1 200 /);
      // The idle connection does not hold a redeploy's stop: the stop ends it. Left alone it would end at the
      // server's keep-alive (65 s), and a stop that waited for it took that long whatever the machine's load.
      const keepAliveMs = (stack.api.getHttpServer() as { keepAliveTimeout: number }).keepAliveTimeout;
      expect(keepAliveMs).toBeGreaterThanOrEqual(60_000);
      const started = Date.now();
      await stack.close();
      stack = undefined;
      expect(closed).toBe(true);
      expect(Date.now() - started).toBeLessThan(keepAliveMs);
    } finally {
      socket.destroy();
    }
  });
});

/**
 * A redeploy stops the api while staff have the workspace open: their live streams must end (the browser's
 * EventSource reconnects to a running process) instead of holding the shutdown until every tab is closed.
 */
describe('api shutdown with live streams open (e2e)', () => {
  restoreEnvironmentAfterBlock();
  it('ends each open stream and closes without waiting for its client', async () => {
    const stack = await startTestStack();
    let closing: Promise<void> | undefined;
    const streams: ReturnType<typeof httpRequest>[] = [];
    try {
      const clerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
      const open = async () => {
        const res = await fetch(`${stack.baseUrl}/api/v1/appeals/stream/ticket`, {
          method: 'POST',
          headers: clerk.headers,
          body: '{}',
        });
        const { ticket } = (await json(res)) as { ticket: string };
        const req = httpRequest(
          `${stack.baseUrl}/api/v1/appeals/stream?ticket=${encodeURIComponent(ticket)}`,
        );
        streams.push(req);
        const response = await new Promise<IncomingMessage>((resolve, reject) => {
          req.on('response', resolve);
          req.on('error', reject);
          req.end();
        });
        expect(response.statusCode).toBe(200);
        response.setEncoding('utf8');
        let text = '';
        const ready = new Promise<void>((resolve) =>
          response.on('data', (chunk: string) => {
            text += chunk;
            if (text.includes('event: ready')) resolve();
          }),
        );
        const ended = new Promise<void>((resolve) => response.on('end', resolve));
        await ready;
        // Wrapped: an async function returning the promise itself would wait for the end.
        return { ended };
      };
      const streamsOpen = [await open(), await open()];

      // Each stream is ended by the server (a clean end of the response; the client never closes it), and the
      // stop completes. A stop that waited for its clients would do neither: the test fails at its timeout.
      closing = stack.close();
      await Promise.all(streamsOpen.map((s) => s.ended));
      await closing;
    } finally {
      for (const req of streams) req.destroy();
      await (closing ?? stack.close());
    }
  }, 60_000);
});

/** Twenty failures are free per address (ADDRESS_LOCKOUT); the next locks it. */
const FREE_PER_ADDRESS = 20;

function signInFrom(stack: TestStack, forwardedFor: string) {
  // A different login each time: only the address's count can lock (an account locks after five).
  return fetch(`${stack.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ login: `nobody-${randomBytes(4).toString('hex')}`, password: 'wrong-password' }),
  });
}

/** A stack of its own for the describe block, with TRUST_PROXY as given. */
function withStack(trustProxy: string, set: (stack: TestStack) => void, env: Record<string, string> = {}) {
  let stack: TestStack | undefined;
  beforeAll(async () => {
    stack = await startTestStack({
      env: { TRUST_PROXY: trustProxy, PASSWORD_SCRYPT_N: String(2 ** 15), ...env },
    });
    set(stack);
  });
  afterAll(async () => {
    await stack?.close();
  });
}

const spoofed = (i: number) => `203.0.113.${i + 1}`;

async function addressKeys(stack: TestStack): Promise<string[]> {
  const rows = (await stack.db.dataSource.query(
    `SELECT key FROM sign_in_failures WHERE key LIKE 'address:%' ORDER BY key`,
  )) as { key: string }[];
  return rows.map((r) => r.key);
}

/**
 * Issue 14: sign-in lock-outs and rate limits count by the client's address. With TRUST_PROXY off (the default)
 * that is the connection's address, whatever X-Forwarded-For claims, so an attacker cannot escape the lock-out by
 * inventing one; behind a proxy named by TRUST_PROXY it is the address the proxy saw, so one client's lock-out
 * does not lock everyone behind the same proxy.
 */
describe('TRUST_PROXY off (default): X-Forwarded-For is not believed', () => {
  restoreEnvironmentAfterBlock();
  let stack: TestStack;
  withStack('off', (s) => (stack = s));

  it('a spoofed X-Forwarded-For on each try does not escape the per-address lock-out', async () => {
    for (let i = 0; i < FREE_PER_ADDRESS; i++) expect((await signInFrom(stack, spoofed(i))).status).toBe(401);
    // The 21st failure locks the connection's address; a fresh forged address changes nothing.
    expect((await signInFrom(stack, spoofed(100))).status).toBe(401);
    const locked = await signInFrom(stack, spoofed(101));
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    const keys = await addressKeys(stack);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/127\.0\.0\.1$/);
  });
});

describe('TRUST_PROXY=1: the address the proxy in front saw', () => {
  restoreEnvironmentAfterBlock();
  let stack: TestStack;
  withStack('1', (s) => (stack = s));

  it('counts each client behind the proxy apart: one is locked out, the others are not', async () => {
    const attacker = '198.51.100.7';
    for (let i = 0; i <= FREE_PER_ADDRESS; i++) expect((await signInFrom(stack, attacker)).status).toBe(401);
    expect((await signInFrom(stack, attacker)).status).toBe(429);
    // A colleague behind the same proxy is not locked out with them.
    expect((await signInFrom(stack, '198.51.100.8')).status).toBe(401);
    // Only the hop next to us counts: what the client put before it in the header is not believed.
    expect((await signInFrom(stack, `10.9.9.9, ${attacker}`)).status).toBe(429);
    expect(await addressKeys(stack)).toEqual([`address:${attacker}`, 'address:198.51.100.8']);
  });

  it('counts an IPv6 client by its /64: a fresh address of its block on each try does not escape', async () => {
    const block = '2001:db8:77:1';
    for (let i = 0; i <= FREE_PER_ADDRESS; i++)
      expect((await signInFrom(stack, `${block}::${(i + 1).toString(16)}`)).status).toBe(401);
    expect((await signInFrom(stack, `${block}:ffff:ffff:ffff:fff0`)).status).toBe(429);
    // The next block is another subscriber.
    expect((await signInFrom(stack, '2001:db8:77:2::1')).status).toBe(401);
    expect(await addressKeys(stack)).toEqual(
      expect.arrayContaining([`address:${block}::/64`, 'address:2001:db8:77:2::/64']),
    );
  });

  it('gives a caller on this machine no system report: it may be the proxy relaying anyone', async () => {
    // nginx adds no forwarding header unless told to: a relayed request looks like one from this machine.
    const health = await json(fetch(`${stack.baseUrl}/health`));
    expect(Object.keys(health).sort()).toEqual(['postgres', 'redis', 'status']);
  });

  it('lets an office behind one address sign in together: right passwords cost none of the sign-in budgets', async () => {
    // Forty clerks of a regional office behind one NAT address at nine (an IPv6 office: one /64). Counted whatever
    // the outcome, RATE_LIMIT_SIGN_IN's 30 a minute locked the thirty-first out.
    const { login, password } = await accountIn(stack);
    const block = '2001:db8:78:1';
    for (let i = 0; i < 40; i++) {
      const res = await signInWith(stack, login, password, `${block}::${(i + 1).toString(16)}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    expect(await addressKeys(stack)).not.toContain(`address:${block}::/64`);
  });
});

/** A fresh operator account and its password. */
async function accountIn(stack: TestStack): Promise<{ login: string; password: string }> {
  const [{ id: organisationId }] = (await stack.db.dataSource.query(
    `SELECT id FROM organisations WHERE code = 'cur'`,
  )) as { id: string }[];
  const login = `rate-${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(6).toString('hex')}`;
  await stack.api
    .get(StaffUsers)
    .create({ login, password, fullName: 'Частый Вход', role: Role.Operator, organisationId });
  return { login, password };
}

function signInWith(stack: TestStack, login: string, password: string, forwardedFor: string) {
  return fetch(`${stack.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ login, password }),
  });
}

/**
 * The sign-in budgets in Redis, small here: failures per address in a window (RATE_LIMIT_SIGN_IN, beside the
 * lock-outs that grow over a day) and every attempt per address (RATE_LIMIT_SIGN_IN_ALL, each a scrypt).
 */
describe('sign-in budgets: failures per address, every attempt under a ceiling', () => {
  restoreEnvironmentAfterBlock();
  let stack: TestStack;
  withStack('1', (s) => (stack = s), { RATE_LIMIT_SIGN_IN: '3/60', RATE_LIMIT_SIGN_IN_ALL: '8/60' });

  it('refuses an address past its failures until the window ends, the right password too; others go on', async () => {
    const { login, password } = await accountIn(stack);
    const guesser = '198.51.100.50';
    // A colleague behind the same NAT address, who signed in from it this morning.
    const colleague = await accountIn(stack);
    expect((await signInWith(stack, colleague.login, colleague.password, guesser)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await signInFrom(stack, guesser)).status).toBe(401);
    const limited = await signInFrom(stack, guesser);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await limited.json()).toMatchObject({
      message: 'Слишком много неудачных попыток входа с вашего адреса. Попробуйте позже',
    });
    expect((await signInWith(stack, login, password, guesser)).status).toBe(429);
    // The colleague is not locked out with the guesser (before, the whole office was, for the window).
    expect((await signInWith(stack, colleague.login, colleague.password, guesser)).status).toBe(200);
    // Below the lock-outs' twenty: the window did it, and a neighbour is not concerned.
    expect(await addressKeys(stack)).toEqual([`address:${guesser}`]);
    expect((await signInWith(stack, login, password, '198.51.100.51')).status).toBe(200);
  });

  it('limits one login’s failures from many addresses, sparing the account’s own address', async () => {
    const { login, password } = await accountIn(stack);
    const office = '198.51.100.200';
    expect((await signInWith(stack, login, password, office)).status).toBe(200);
    // Three guesses, each from another address: under every lock-out (5 an address, 50 from all addresses).
    for (let i = 0; i < 3; i++)
      expect((await signInWith(stack, login, 'guess', `192.0.2.${i + 1}`)).status).toBe(401);
    const limited = await signInWith(stack, login, 'guess', '192.0.2.100');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await limited.json()).toMatchObject({
      code: 'rate-limited',
      message: 'Слишком много неудачных попыток входа под этим логином. Попробуйте позже',
    });
    // Not checked, the right password neither, from an address the account never signed in from …
    expect((await signInWith(stack, login, password, '192.0.2.101')).status).toBe(429);
    // … while the employee at the office signs in: the guesser cannot keep them out.
    expect((await signInWith(stack, login, password, office)).status).toBe(200);
  });

  it('lets an employee change their password at their office whose budget others spent, not a token elsewhere', async () => {
    const office = '198.51.100.70';
    const { login, password } = await accountIn(stack);
    const signedIn = await signInWith(stack, login, password, office);
    expect(signedIn.status).toBe(200);
    const { accessToken } = (await signedIn.json()) as { accessToken: string };
    const change = (from: string, currentPassword: string) =>
      fetch(`${stack.baseUrl}/api/v1/auth/password`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': from,
          authorization: `Bearer ${accessToken}`,
        },
        body: JSON.stringify({ currentPassword, newPassword: `${currentPassword}-new` }),
      });
    // A colleague's typos behind the same NAT address spend its budget.
    for (let i = 0; i < 3; i++) expect((await signInFrom(stack, office)).status).toBe(401);
    expect((await signInFrom(stack, office)).status).toBe(429);
    // The employee changes their password there all the same (it was counted as from an unknown address: 429).
    expect((await change(office, password)).status).toBe(204);
    // The same session's token from an address the account never signed in from: the login's budget counts, and
    // guesses at the current password from elsewhere spend it.
    for (let i = 0; i < 3; i++)
      expect((await signInWith(stack, login, 'guess', `192.0.2.${i + 11}`)).status).toBe(401);
    expect((await change('192.0.2.20', `${password}-new`)).status).toBe(429);
    // … while at the office it is spared as before.
    expect((await change(office, `${password}-new`)).status).toBe(204);
  });

  it('keeps every attempt from an address under the ceiling: past it 429 whatever the password', async () => {
    const { login, password } = await accountIn(stack);
    const office = '198.51.100.60';
    for (let i = 0; i < 8; i++) {
      const res = await signInWith(stack, login, password, office);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const limited = await signInWith(stack, login, password, office);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({
      code: 'rate-limited',
      message: 'Слишком много попыток входа с вашего адреса. Попробуйте позже',
    });
  });
});
