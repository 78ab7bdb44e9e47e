import { randomBytes } from 'node:crypto';
import { startTestStack, type TestStack } from '../support/test-stack';

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
function withStack(trustProxy: string, set: (stack: TestStack) => void) {
  let stack: TestStack | undefined;
  beforeAll(async () => {
    stack = await startTestStack({ env: { TRUST_PROXY: trustProxy, PASSWORD_SCRYPT_N: String(2 ** 15) } });
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
});
