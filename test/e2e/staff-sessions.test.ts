import { randomBytes } from 'node:crypto';
import { Role, StaffUsers, TokenSigner } from '@inbox/access';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { json, startTestStack, type TestStack } from '../support/test-stack';

/**
 * A staff token could not be ended before it expired: signing out only forgot it in the browser, and neither
 * changing one's password nor an administrator's reset stopped a token taken before (a stolen one, renewed by
 * POST /auth/refresh, lasted for ever; a session held by an administrator's reset came back to life once the owner
 * chose a new password). Now sign-out ends the session in every api process, and a password change ends every
 * other session of the account (the one that changed it goes on).
 */
describe('staff sessions end when they should (e2e)', () => {
  let stack: TestStack;
  let admin: SignedIn;
  let cur: string;
  const secret = randomBytes(32).toString('base64url');

  beforeAll(async () => {
    stack = await startTestStack({ env: { AUTH_TOKEN_SECRET: secret } });
    admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'cur');
    cur = await idOf(stack.db.dataSource, 'organisations', 'cur');
  });
  afterAll(async () => {
    await stack?.close();
  });

  const post = (path: string, token: string | undefined, body?: unknown) =>
    fetch(`${stack.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const me = (token: string) =>
    fetch(`${stack.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.status,
    );
  const signIn = async (login: string, password: string): Promise<string> => {
    const res = await post('/api/v1/auth/login', undefined, { login, password });
    expect(res.status).toBe(200);
    return ((await res.json()) as { accessToken: string }).accessToken;
  };

  async function account() {
    const login = `sessions-${randomBytes(3).toString('hex')}`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const user = await stack.api.get(StaffUsers).create({
      login,
      password,
      fullName: 'Сеансов Проверяемый',
      role: Role.Operator,
      organisationId: cur,
    });
    return { id: user.id, login, password };
  }

  it('ends the session signed out, with its renewals, and no other session of the account', async () => {
    const user = await account();
    const office = await signIn(user.login, user.password);
    const laptop = await signIn(user.login, user.password);
    expect(await me(office)).toBe(200);

    expect((await post('/api/v1/auth/logout', office)).status).toBe(204);
    expect(await me(office)).toBe(401);
    expect((await post('/api/v1/auth/refresh', office)).status).toBe(401);
    expect((await post('/api/v1/auth/logout', office)).status).toBe(401);
    // Another session of the same account is not touched.
    expect(await me(laptop)).toBe(200);
    // A session is the sign-in with its renewals: signing out with the old token ends the renewed one too.
    const renewed = (await json(post('/api/v1/auth/refresh', laptop))) as { accessToken: string };
    expect(await me(renewed.accessToken)).toBe(200);
    expect((await post('/api/v1/auth/logout', laptop)).status).toBe(204);
    expect(await me(laptop)).toBe(401);
    expect(await me(renewed.accessToken)).toBe(401);
    expect((await post('/api/v1/auth/refresh', renewed.accessToken)).status).toBe(401);

    const [{ count }] = (await stack.db.dataSource.query(
      `SELECT count(*)::int AS count FROM audit_log WHERE action = 'sign-out' AND entity_id = $1`,
      [user.id],
    )) as { count: number }[];
    expect(count).toBe(2);
  });

  it('renews a session only within its absolute lifetime (12 h from the sign-in by default), then asks to sign in', async () => {
    const user = await account();
    const hour = 3600 * 1000;
    // A token of a session signed in 13 h ago, renewed until now (the token itself is still good).
    const old = await new TokenSigner(secret).sign(user.id, Role.Operator, 14 * 3600, Date.now() - 13 * hour);
    expect(await me(old.token)).toBe(200);
    const refused = await post('/api/v1/auth/refresh', old.token);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { message: string }).message).toBe(
      'Сеанс завершён: истёк наибольший срок работы без повторного входа. Войдите снова',
    );
    // A session 11.5 h old is renewed, but its new token ends with the session, not an hour from now.
    const late = await new TokenSigner(secret).sign(
      user.id,
      Role.Operator,
      12 * 3600,
      Date.now() - 11.5 * hour,
    );
    const renewed = (await json(post('/api/v1/auth/refresh', late.token))) as {
      accessToken: string;
      expiresAt: string;
    };
    const end = Date.now() - 11.5 * hour + 12 * hour;
    expect(Math.abs(Date.parse(renewed.expiresAt) - end)).toBeLessThan(5_000);
    // ...and the session's start carries over: renewing that token later is judged by the same sign-in.
    const claims = await new TokenSigner(secret).verify(renewed.accessToken);
    expect(Math.abs(claims!.sst! * 1000 - (Date.now() - 11.5 * hour))).toBeLessThan(5_000);
    // A fresh sign-in renews as before.
    const fresh = await signIn(user.login, user.password);
    expect((await post('/api/v1/auth/refresh', fresh)).status).toBe(200);
  });

  it('ends every other session when the password changes; the one that changed it goes on', async () => {
    const user = await account();
    const stolen = await signIn(user.login, user.password);
    const stolenRenewed = (await json(post('/api/v1/auth/refresh', stolen))) as { accessToken: string };
    const own = await signIn(user.login, user.password);

    const next = `new-${randomBytes(6).toString('hex')}`;
    const change = await post('/api/v1/auth/password', own, {
      currentPassword: user.password,
      newPassword: next,
    });
    expect(change.status).toBe(204);
    expect(await me(stolen)).toBe(401);
    expect(await me(stolenRenewed.accessToken)).toBe(401);
    expect((await post('/api/v1/auth/refresh', stolen)).status).toBe(401);
    // The session that changed it keeps working and renews into a token of the new password.
    expect(await me(own)).toBe(200);
    const renewed = (await json(post('/api/v1/auth/refresh', own))) as { accessToken: string };
    expect(await me(renewed.accessToken)).toBe(200);
    expect(await me(await signIn(user.login, next))).toBe(200);

    // Changed again from a later sign-in: the session kept the first time ends with the others.
    const later = await signIn(user.login, next);
    const again = `again-${randomBytes(6).toString('hex')}`;
    expect(
      (await post('/api/v1/auth/password', later, { currentPassword: next, newPassword: again })).status,
    ).toBe(204);
    expect(await me(own)).toBe(401);
    expect(await me(renewed.accessToken)).toBe(401);
    expect(await me(later)).toBe(200);
  });

  it('ends every session held by a reset once the owner chooses the new password', async () => {
    const user = await account();
    const held = await signIn(user.login, user.password);
    const temporary = `temp-${randomBytes(6).toString('hex')}`;
    const reset = await fetch(`${stack.baseUrl}/api/v1/users/${user.id}/password`, {
      method: 'POST',
      headers: admin.headers,
      body: JSON.stringify({ password: temporary }),
    });
    expect(reset.status).toBe(204);
    const appeals = (token: string) =>
      fetch(`${stack.baseUrl}/api/v1/appeals`, { headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.status,
      );
    // Held at the change-password step, as before …
    expect(await appeals(held)).toBe(403);
    const owner = await signIn(user.login, temporary);
    const own = `own-${randomBytes(6).toString('hex')}`;
    expect(
      (await post('/api/v1/auth/password', owner, { currentPassword: temporary, newPassword: own })).status,
    ).toBe(204);
    // … and no longer let back in once the password is the owner's again: only the owner's session goes on.
    expect(await appeals(held)).toBe(401);
    expect((await post('/api/v1/auth/refresh', held)).status).toBe(401);
    expect(await appeals(owner)).toBe(200);
  });
});
