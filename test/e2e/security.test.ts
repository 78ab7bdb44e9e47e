import { randomBytes } from 'node:crypto';
import { hashPassword, Role, StaffUsers } from '@inbox/access';
import { signInAs, type SignedIn } from '../factories/staff';
import { json, startTestStack, type TestStack } from '../support/test-stack';

/**
 * Issue 14, tried as an attacker would: each case here was let through before (300 wrong admin passwords and
 * then `demo` still signed in; 3 000 status-code guesses all answered; …) and is refused now.
 */
describe('security: sign-in lock-outs, rate limits, secrets (e2e)', () => {
  let stack: TestStack;
  let admin: SignedIn;

  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        // Small limits so the attack runs out in a few requests; production's defaults are larger.
        RATE_LIMIT_STATUS: '5/60',
        RATE_LIMIT_FORM: '3/600',
        RATE_LIMIT_WEBHOOK: '4/60',
        PASSWORD_SCRYPT_N: String(2 ** 15),
      },
    });
    admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'cur');
  });
  afterAll(async () => {
    await stack.close();
  });

  const login = (body: { login: string; password: string }) =>
    fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  async function account(role = Role.Operator) {
    const users = stack.api.get(StaffUsers);
    const [{ id: organisationId }] = (await stack.db.dataSource.query(
      `SELECT id FROM organisations WHERE code = 'cur'`,
    )) as { id: string }[];
    const name = `victim-${randomBytes(3).toString('hex')}`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const user = await users.create({
      login: name,
      password,
      fullName: 'Жертва Перебора',
      role,
      organisationId,
    });
    return { id: user.id, login: name, password };
  }

  it('locks an account after five wrong passwords: the right one is refused with 429 and Retry-After', async () => {
    const victim = await account(Role.Admin);
    for (let i = 0; i < 5; i++) {
      expect((await login({ login: victim.login, password: `guess-${i}` })).status).toBe(401);
    }
    // The sixth failure starts a one-minute lock-out …
    expect((await login({ login: victim.login, password: 'guess-5' })).status).toBe(401);
    // … during which even the right password does not sign in (nor is it checked).
    const locked = await login({ login: victim.login.toUpperCase(), password: victim.password });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await locked.json()).toMatchObject({ code: 'rate-limited' });

    // The lock-out is audited and administrators see it.
    const audit = (await stack.db.dataSource.query(
      `SELECT action, outcome, details FROM audit_log WHERE action IN ('sign-in-lockout', 'sign-in')
        AND lower(details->>'login') = $1 ORDER BY id`,
      [victim.login],
    )) as { action: string; outcome: string; details: Record<string, unknown> }[];
    expect(audit.filter((a) => a.action === 'sign-in-lockout')).toHaveLength(1);
    expect(audit.at(-1)).toMatchObject({
      action: 'sign-in',
      outcome: 'denied',
      details: { reason: 'locked-out' },
    });
    const lockouts = await json(fetch(`${stack.baseUrl}/api/v1/users/lockouts`, { headers: admin.headers }));
    expect(lockouts).toContainEqual(
      expect.objectContaining({ kind: 'login', subject: victim.login, failures: 6 }),
    );

    // The next failure after the lock-out runs out doubles it (time passes: the lock is moved to the past).
    await stack.db.dataSource.query(
      `UPDATE sign_in_failures SET locked_until = now() - interval '1 second' WHERE key = $1`,
      [`login:${victim.login}`],
    );
    expect((await login({ login: victim.login, password: 'guess-6' })).status).toBe(401);
    const [{ seconds }] = (await stack.db.dataSource.query(
      `SELECT extract(epoch FROM locked_until - now())::int AS seconds FROM sign_in_failures WHERE key = $1`,
      [`login:${victim.login}`],
    )) as { seconds: number }[];
    expect(seconds).toBeGreaterThan(60);
    expect(seconds).toBeLessThanOrEqual(120);

    // An administrator lifts it (audited); the right password works again.
    const unlock = await fetch(`${stack.baseUrl}/api/v1/users/${victim.id}/unlock`, {
      method: 'POST',
      headers: admin.headers,
    });
    expect(unlock.status).toBe(204);
    expect((await login({ login: victim.login, password: victim.password })).status).toBe(200);
    // Nobody but an administrator sees lock-outs.
    const operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    expect(
      (await fetch(`${stack.baseUrl}/api/v1/users/lockouts`, { headers: operator.headers })).status,
    ).toBe(403);
  });

  it('locks an address spraying many logins, whatever login it tries next', async () => {
    // The test's address is 127.0.0.1: start from a clean count for it.
    await stack.db.dataSource.query(`DELETE FROM sign_in_failures WHERE key LIKE 'address:%'`);
    for (let i = 0; i < 21; i++) {
      expect((await login({ login: `nobody-${i}`, password: 'demo' })).status).toBe(401);
    }
    const victim = await account();
    const res = await login({ login: victim.login, password: victim.password });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const [row] = (await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'sign-in-lockout' AND entity_type = 'address'`,
    )) as { n: number }[];
    expect(row.n).toBe(1);
    await stack.db.dataSource.query(`DELETE FROM sign_in_failures WHERE key LIKE 'address:%'`);
  });

  it('re-hashes a password stored with weaker scrypt parameters at the next sign-in', async () => {
    const victim = await account();
    await stack.db.dataSource.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [
      victim.id,
      await hashPassword(victim.password, { n: 2 ** 14, r: 8, p: 1 }),
    ]);
    expect((await login({ login: victim.login, password: victim.password })).status).toBe(200);
    const [{ hash }] = (await stack.db.dataSource.query(
      `SELECT password_hash AS hash FROM users WHERE id = $1`,
      [victim.id],
    )) as { hash: string }[];
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect((await login({ login: victim.login, password: victim.password })).status).toBe(200);
  });

  it('keeps no token-signing secret in the database', async () => {
    const rows = (await stack.db.dataSource.query(
      `SELECT key FROM settings WHERE key ILIKE '%secret%'`,
    )) as unknown[];
    expect(rows).toEqual([]);
  });

  it('answers a burst of status-code guesses with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${stack.baseUrl}/api/v1/public/appeals/2026-000001?code=GUESS${i}AA`);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('limits the public form per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'x' }),
      });
      statuses.push(res.status);
    }
    // Three refused as incomplete (the form is read), the fourth not even read.
    expect(statuses).toEqual([400, 400, 400, 429]);
  });

  it('limits webhooks per source: a flood on one channel does not block another', async () => {
    const post = (kind: string) =>
      fetch(`${stack.baseUrl}/api/v1/webhooks/${kind}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    const telegram: number[] = [];
    for (let i = 0; i < 5; i++) telegram.push((await post('telegram')).status);
    expect(telegram).toEqual([404, 404, 404, 404, 429]);
    expect((await post('vk')).status).toBe(404);
  });
});
