import { randomBytes, randomUUID } from 'node:crypto';
import { Role, StaffUsers, TokenSigner } from '@inbox/access';
import { type Browser } from 'playwright-core';
import { idOf } from '../factories/directory';
import { type SignedIn, signInAs } from '../factories/staff';
import { launchChromium } from '../support/browser';
import { restoreEnvironmentAfterBlock } from '../support/folded-files';
import { watchProblems } from '../support/page-problems';
import { replaceTemporaryPassword } from '../support/temporary-password';
import { type SmtpReceiver, startSmtpReceiver } from '../fakes/email/smtp-receiver';
import { readMail } from './feed-helpers';
import { json, startTestStack, type TestStack } from '../support/test-stack';

/*
 * Three files folded into one (staff-sessions, temporary-password and security-surface): jest loads the api's and
 * the worker's modules once for them, not three times. Each describe block keeps its own stack, context or
 * database, and gets the environment back as it was when it ends.
 */

/**
 * A staff token could not be ended before it expired: signing out only forgot it in the browser, and neither
 * changing one's password nor an administrator's reset stopped a token taken before (a stolen one, renewed by
 * POST /auth/refresh, lasted for ever; a session held by an administrator's reset came back to life once the owner
 * chose a new password). Now sign-out ends the session in every api process, and a password change ends every
 * other session of the account (the one that changed it goes on).
 */
describe('staff sessions end when they should (e2e)', () => {
  restoreEnvironmentAfterBlock();
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
    const signedInAt = Date.now() - 11.5 * hour;
    const late = await new TokenSigner(secret).sign(user.id, Role.Operator, 12 * 3600, signedInAt);
    const renewed = (await json(post('/api/v1/auth/refresh', late.token))) as {
      accessToken: string;
      expiresAt: string;
    };
    // Exactly 12 h from the sign-in (in whole seconds, as tokens count), however long the request took.
    const start = Math.floor(signedInAt / 1000);
    expect(Date.parse(renewed.expiresAt)).toBe((start + 12 * 3600) * 1000);
    // ...and the session's start carries over: renewing that token later is judged by the same sign-in.
    const claims = await new TokenSigner(secret).verify(renewed.accessToken);
    expect(claims!.sst).toBe(start);
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

  it('ends every session at once on a reset; only the owner’s code, then their own password, let them back in', async () => {
    const user = await account();
    const held = await signIn(user.login, user.password);
    const renewed = (await json(post('/api/v1/auth/refresh', held))) as { accessToken: string };
    const reset = await post(`/api/v1/users/${user.id}/password`, admin.headers.authorization.slice(7));
    expect(reset.status).toBe(200);
    const { code } = (await reset.json()) as { code: string };
    const appeals = (token: string) =>
      fetch(`${stack.baseUrl}/api/v1/appeals`, { headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.status,
      );
    // Every session ends at once, renewals too; the old password signs in no more.
    expect(await appeals(held)).toBe(401);
    expect(await appeals(renewed.accessToken)).toBe(401);
    expect((await post('/api/v1/auth/refresh', held)).status).toBe(401);
    expect(
      (await post('/api/v1/auth/login', undefined, { login: user.login, password: user.password })).status,
    ).toBe(401);
    const own = `own-${randomBytes(6).toString('hex')}`;
    const enrolled = await post('/api/v1/auth/enrol', undefined, {
      login: user.login,
      code,
      newPassword: own,
    });
    expect(enrolled.status).toBe(200);
    const session = (await enrolled.json()) as { accessToken: string };
    expect(await appeals(session.accessToken)).toBe(200);
    // The sessions from before stay ended once the owner chose the password.
    expect(await appeals(held)).toBe(401);
    expect(await me(await signIn(user.login, own))).toBe(200);
  });
});

type OpenApi = { paths: Record<string, Record<string, unknown>> };

const CHANGE_FIRST = 'Смените временный пароль, чтобы продолжить';
const SIGN_IN_REQUIRED = 'Требуется вход в систему';

/**
 * Issue 14 (least privilege): an administrator could create an operator account, sign in as it and read the
 * applicants' data. A password an administrator sets is now temporary: signed in with it, the account can do
 * nothing but change it (every other staff endpoint of the OpenAPI document answers 403), and the password it
 * chooses is never known to the administrator. A reset gave the administrator a temporary password again, and with
 * it the account (signed in before its owner, they replaced it): now it gives none — the password becomes unusable,
 * every session ends, and a one-time code goes to the work e-mail (through the e-mail channel's SMTP, here the local
 * receiver), or is shown to the administrator, on record, when there is none.
 */
describe('temporary passwords set by an administrator (e2e)', () => {
  restoreEnvironmentAfterBlock();
  let stack: TestStack;
  let admin: SignedIn;
  let cur: string;
  let doc: OpenApi;
  let smtp: SmtpReceiver;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    stack = await startTestStack({
      env: {
        API_DOCS: 'public',
        // The api only sends here: no worker pulls the mailbox.
        EMAIL_IMAP_HOST: '127.0.0.1',
        EMAIL_IMAP_USER: 'priemnaya',
        EMAIL_IMAP_PASSWORD: 'unused',
        EMAIL_SMTP_HOST: smtp.host,
        EMAIL_SMTP_PORT: String(smtp.port),
        EMAIL_SMTP_SECURE: 'false',
        EMAIL_FROM_ADDRESS: 'priemnaya@region.test',
        EMAIL_TIMEOUT_MS: '5000',
      },
    });
    admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'cur');
    cur = await idOf(stack.db.dataSource, 'organisations', 'cur');
    doc = (await json(fetch(`${stack.baseUrl}/api/docs-json`))) as OpenApi;
  });
  afterAll(async () => {
    await stack?.close();
    await smtp?.stop();
  });

  const signIn = (login: string, password: string) =>
    fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password }),
    });
  const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? (method === 'GET' ? undefined : '{}') : JSON.stringify(body),
    });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('lets an account made by the administrator only change its password, then work as usual', async () => {
    const temporary = 'временный-пароль-1';
    const created = await call('POST', '/api/v1/users', admin.headers, {
      login: 'petrova',
      password: temporary,
      fullName: 'Петрова Анна Сергеевна',
      role: 'operator',
      organisationId: cur,
    });
    expect(created.status).toBe(201);
    const account = await json(created);
    expect(account.mustChangePassword).toBe(true);

    // Signed in with the temporary password: the session says so and may read who it is …
    const session = await json(signIn('petrova', temporary));
    expect(session.user.mustChangePassword).toBe(true);
    const token = bearer(session.accessToken);
    const me = await call('GET', '/api/v1/me', token);
    expect(me.status).toBe(200);
    expect((await json(me)).mustChangePassword).toBe(true);

    // … and nothing else: every staff endpoint of the document refuses it with 403 and the same message.
    const staffEndpoints: string[] = [];
    const notRefused: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) continue;
        if (path === '/api/v1/me' || path === '/api/v1/auth/password') continue;
        // Signing out is allowed too (the change-password screen has «Выйти»), and would end this very session.
        if (path === '/api/v1/auth/logout') continue;
        // The live stream takes no bearer token, only a ticket from POST …/stream/ticket (refused below).
        if (path.endsWith('/stream')) continue;
        const url = path.replace(/\{[^}]+\}/g, () => randomUUID());
        // A staff endpoint is one that asks an anonymous caller to sign in.
        const anonymous = await call(method, url, {});
        if (anonymous.status !== 401 || (await json(anonymous)).message !== SIGN_IN_REQUIRED) continue;
        staffEndpoints.push(`${method} ${path}`);
        const res = await call(method, url, token);
        const body = (await json(res)) as { message?: string };
        if (res.status !== 403 || body.message !== CHANGE_FIRST)
          notRefused.push(`${method} ${path}: ${res.status}`);
      }
    }
    expect(staffEndpoints.length).toBeGreaterThanOrEqual(60);
    expect(staffEndpoints).toEqual(
      expect.arrayContaining(['GET /api/v1/appeals', 'GET /api/v1/appeals/{id}']),
    );
    expect(notRefused).toEqual([]);
    // Every refusal is on record, by route pattern.
    const [{ denials }] = (await stack.db.dataSource.query(
      `SELECT count(*)::int AS denials FROM audit_log
        WHERE user_id = $1 AND action = 'call-endpoint' AND outcome = 'denied'
          AND details->>'reason' = 'password-change-required'`,
      [account.id],
    )) as { denials: number }[];
    expect(denials).toBe(staffEndpoints.length);

    // Changing it needs the current password and follows the password rules.
    const change = (body: unknown) => call('POST', '/api/v1/auth/password', token, body);
    const wrong = await change({ currentPassword: 'не-тот-пароль', newPassword: 'мой-собственный-пароль' });
    expect(wrong.status).toBe(400);
    expect((await json(wrong)).errors).toEqual({ currentPassword: 'Текущий пароль указан неверно' });
    const short = await change({ currentPassword: temporary, newPassword: 'short' });
    expect(short.status).toBe(400);
    expect((await json(short)).errors).toEqual({ newPassword: 'Пароль — не короче 8 символов' });
    expect((await change({ currentPassword: temporary, newPassword: temporary })).status).toBe(400);
    expect((await call('GET', '/api/v1/appeals', token)).status).toBe(403);

    expect((await change({ currentPassword: temporary, newPassword: 'мой-собственный-пароль' })).status).toBe(
      204,
    );
    // The same session now works; the temporary password no longer signs in, the own one does.
    expect((await call('GET', '/api/v1/appeals', token)).status).toBe(200);
    expect((await json(call('GET', '/api/v1/me', token))).mustChangePassword).toBe(false);
    expect((await signIn('petrova', temporary)).status).toBe(401);
    const own = await json(signIn('petrova', 'мой-собственный-пароль'));
    expect(own.user.mustChangePassword).toBe(false);
    expect((await call('GET', '/api/v1/appeals', bearer(own.accessToken))).status).toBe(200);

    const audit = (await stack.db.dataSource.query(
      `SELECT action, outcome, details FROM audit_log
        WHERE entity_id = $1 AND action IN ('create-user', 'change-password') ORDER BY id`,
      [account.id],
    )) as { action: string; outcome: string; details: Record<string, unknown> }[];
    expect(audit.map((a) => [a.action, a.outcome, a.details.reason ?? null])).toEqual([
      ['create-user', 'ok', null],
      ['change-password', 'denied', 'wrong-current-password'],
      ['change-password', 'denied', 'same-password'],
      ['change-password', 'ok', null],
    ]);
    expect(JSON.stringify(audit)).not.toContain('пароль-1');
    expect(JSON.stringify(audit)).not.toContain('собственный');
  });

  it('gives a temporary password no system report: /health says only whether the system is up', async () => {
    const temporary = 'временный-пароль-3';
    const created = await call('POST', '/api/v1/users', admin.headers, {
      login: 'orlov',
      password: temporary,
      fullName: 'Орлов Игорь',
      role: 'admin',
      organisationId: cur,
    });
    expect(created.status).toBe(201);
    const session = await json(signIn('orlov', temporary));
    // Through a proxy: a caller on this machine, not relayed, is the start script and gets the report anyway.
    const health = async (headers: Record<string, string>) =>
      Object.keys(
        await json(call('GET', '/health', { ...headers, 'x-forwarded-for': '203.0.113.5' })),
      ).sort();
    expect(await health(admin.headers)).toContain('channels');
    expect(await health(bearer(session.accessToken))).toEqual(['postgres', 'redis', 'status']);
  });

  const enrol = (login: string, code: string, newPassword: string) =>
    call('POST', '/api/v1/auth/enrol', {}, { login, code, newPassword });
  const CODE_REFUSED = 'Неверный логин или код, или код уже использован';
  const openCodes = async (userId: string) =>
    (await stack.db.dataSource.query(
      `SELECT code_hash AS "codeHash", delivery, expires_at AS "expiresAt" FROM staff_enrolment_codes
        WHERE user_id = $1 AND used_at IS NULL AND cancelled_at IS NULL`,
      [userId],
    )) as { codeHash: string; delivery: string; expiresAt: Date }[];
  const listed = async (login: string) =>
    ((await json(call('GET', '/api/v1/users', admin.headers))) as Record<string, unknown>[]).find(
      (u) => u.login === login,
    )!;

  it('resets a password to a one-time code by e-mail: no password for the administrator, every session ended, single use', async () => {
    const created = await json(
      call('POST', '/api/v1/users', admin.headers, {
        login: 'sidorov',
        password: 'первый-временный',
        fullName: 'Сидоров Олег',
        role: 'operator',
        organisationId: cur,
        email: ' sidorov@region.test ',
      }),
    );
    expect(created.email).toBe('sidorov@region.test');
    const bad = await call('PATCH', `/api/v1/users/${created.id}`, admin.headers, {
      fullName: 'Сидоров Олег',
      role: 'operator',
      organisationId: cur,
      email: 'сидоров на почте',
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors).toEqual({ email: 'Рабочая почта — адрес вида name@example.ru' });
    const sidorov = await replaceTemporaryPassword(stack.baseUrl, 'sidorov', 'первый-временный');
    expect((await call('GET', '/api/v1/appeals', sidorov.headers)).status).toBe(200);

    const reset = await call('POST', `/api/v1/users/${created.id}/password`, admin.headers);
    expect(reset.status).toBe(200);
    const result = await json(reset);
    // The administrator is told where the code went, never the code.
    expect(result).toMatchObject({ delivery: 'email', email: 'sidorov@region.test', code: null });
    expect(result.message).toMatch(
      /^Код для входа отправлен на рабочую почту sidorov@region\.test; он действует до /,
    );
    expect(Date.parse(result.expiresAt) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    // Every session ended at once; the password from before signs in no more, nor does anything the admin knows.
    expect((await call('GET', '/api/v1/appeals', sidorov.headers)).status).toBe(401);
    expect((await signIn('sidorov', sidorov.password)).status).toBe(401);
    expect((await signIn('sidorov', 'первый-временный')).status).toBe(401);
    expect(await listed('sidorov')).toMatchObject({
      enrolmentUntil: result.expiresAt,
      enrolmentDelivery: 'email',
      mustChangePassword: false,
    });

    // The letter: who reset it and when, the code and the link that fills it in.
    const letters = smtp.accepted().filter((m) => m.to.includes('sidorov@region.test'));
    expect(letters).toHaveLength(1);
    const letter = await readMail(letters[0], 'reader@mail.example');
    expect(letter.subject).toBe('Сброс пароля: вход по одноразовому коду');
    const adminName = (await json(call('GET', '/api/v1/me', admin.headers))).fullName as string;
    expect(letter.text).toContain(`Пароль сброшен администратором ${adminName} `);
    const code = /Одноразовый код для входа: ([A-Z0-9]{5}-[A-Z0-9]{5})/.exec(letter.text)![1];
    expect(letter.text).toContain(`/app/enrol#login=sidorov&code=${code}`);
    // Stored only as a keyed hash.
    const [stored] = await openCodes(created.id);
    expect(stored.codeHash).toMatch(/^k1:/);
    expect(
      JSON.stringify(await stack.db.dataSource.query(`SELECT * FROM staff_enrolment_codes`)),
    ).not.toContain(code.replace('-', ''));

    // A wrong code, a short password: refused in Russian at the field.
    const wrong = await enrol('sidorov', 'ABCDE-FGHJK', 'мой-собственный-пароль');
    expect(wrong.status).toBe(400);
    expect((await json(wrong)).errors).toEqual({ code: CODE_REFUSED });
    const short = await enrol('sidorov', code, 'short');
    expect(short.status).toBe(400);
    expect((await json(short)).errors).toEqual({ newPassword: 'Пароль — не короче 8 символов' });
    // As typed: lower case, a space for the dash.
    const enrolled = await enrol('sidorov', code.toLowerCase().replace('-', ' '), 'мой-собственный-пароль');
    expect(enrolled.status).toBe(200);
    const session = await json(enrolled);
    expect(session.user.login).toBe('sidorov');
    expect((await call('GET', '/api/v1/appeals', bearer(session.accessToken))).status).toBe(200);
    // Single use: the code is dead, the owner's password signs in.
    const again = await enrol('sidorov', code, 'другой-пароль-похитителя');
    expect(again.status).toBe(400);
    expect((await json(again)).errors).toEqual({ code: CODE_REFUSED });
    expect((await signIn('sidorov', 'мой-собственный-пароль')).status).toBe(200);
    expect((await signIn('sidorov', 'другой-пароль-похитителя')).status).toBe(401);
    expect(await listed('sidorov')).toMatchObject({ enrolmentUntil: null, enrolmentDelivery: null });

    // The bell tells the owner at the next sign-in who reset it and when.
    const bell = (await json(call('GET', '/api/v1/notifications', bearer(session.accessToken)))) as {
      kind: string;
      text: string;
    }[];
    expect(bell.find((n) => n.kind === 'password-reset')?.text).toMatch(
      new RegExp(`^Пароль сброшен администратором ${adminName} \\d{2}\\.\\d{2}\\.\\d{4}, \\d{2}:\\d{2}`),
    );
    const audit = (await stack.db.dataSource.query(
      `SELECT action, outcome, user_id AS "userId", details FROM audit_log
        WHERE entity_id = $1 AND action IN ('reset-password', 'enrolment-code-shown', 'enrol') ORDER BY id`,
      [created.id],
    )) as { action: string; outcome: string; userId: string | null; details: Record<string, unknown> }[];
    expect(audit.map((a) => [a.action, a.outcome, a.userId])).toEqual([
      ['reset-password', 'ok', admin.userId],
      ['enrol', 'denied', null],
      ['enrol', 'ok', created.id],
      ['enrol', 'denied', null],
    ]);
    expect(audit[0].details).toMatchObject({ delivery: 'email' });
    expect(JSON.stringify(audit)).not.toContain(code);

    // The mail server refuses the letter: the administrator is told, and the list says the code did not go.
    smtp.setScenario('temp-451');
    try {
      const failed = await json(call('POST', `/api/v1/users/${created.id}/password`, admin.headers));
      expect(failed).toMatchObject({ delivery: 'email-failed', code: null });
      expect(failed.message).toMatch(
        /^Пароль сброшен и сеансы сотрудника завершены, но письмо с кодом не отправлено: /,
      );
      expect((await listed('sidorov')).enrolmentDelivery).toBe('email-failed');
    } finally {
      smtp.setScenario('ok');
    }
  });

  it('shows the code to the administrator when there is no work e-mail, on record; a reissue, a cancel and time end a code', async () => {
    const created = await json(
      call('POST', '/api/v1/users', admin.headers, {
        login: 'kozlova',
        password: 'первый-временный',
        fullName: 'Козлова Анна',
        role: 'clerk',
        organisationId: cur,
      }),
    );
    expect(created.email).toBeNull();
    const reset = () => json(call('POST', `/api/v1/users/${created.id}/password`, admin.headers));
    const first = await reset();
    expect(first.delivery).toBe('shown');
    expect(first.code).toMatch(/^[A-Z0-9]{5}-[A-Z0-9]{5}$/);
    expect(first.message).toMatch(/^У сотрудника нет рабочей почты\. Передайте код лично/);
    expect(smtp.accepted().filter((m) => m.to.some((to) => to.includes('kozlova')))).toHaveLength(0);
    const shown = (await stack.db.dataSource.query(
      `SELECT user_id AS "userId", details FROM audit_log WHERE entity_id = $1 AND action = 'enrolment-code-shown'`,
      [created.id],
    )) as { userId: string; details: Record<string, unknown> }[];
    expect(shown).toEqual([
      { userId: admin.userId, details: expect.objectContaining({ reason: 'no-email' }) },
    ]);
    expect((await listed('kozlova')).enrolmentDelivery).toBe('shown');

    // Issued again: the code before is dead.
    const second = await reset();
    expect((await json(enrol('kozlova', first.code, 'пароль-козловой-1'))).errors).toEqual({
      code: CODE_REFUSED,
    });
    // Past its time: refused, saying so.
    await stack.db.dataSource.query(
      `UPDATE staff_enrolment_codes SET expires_at = now() - interval '1 minute'
        WHERE user_id = $1 AND used_at IS NULL AND cancelled_at IS NULL`,
      [created.id],
    );
    const late = await enrol('kozlova', second.code, 'пароль-козловой-1');
    expect(late.status).toBe(400);
    expect((await json(late)).errors).toEqual({
      code: 'Срок действия кода истёк: попросите администратора выдать новый',
    });
    // Cancelled: refused, and the list no longer waits on it.
    const third = await reset();
    expect((await call('POST', `/api/v1/users/${created.id}/enrolment/cancel`, admin.headers)).status).toBe(
      204,
    );
    expect(await listed('kozlova')).toMatchObject({ enrolmentUntil: null });
    expect((await enrol('kozlova', third.code, 'пароль-козловой-1')).status).toBe(400);
    // A clerk may neither reset nor cancel.
    const fourth = await reset();
    const kozlova = await json(enrol('kozlova', fourth.code, 'пароль-козловой-1'));
    for (const path of [
      `/api/v1/users/${admin.userId}/password`,
      `/api/v1/users/${admin.userId}/enrolment/cancel`,
    ])
      expect((await call('POST', path, bearer(kozlova.accessToken))).status).toBe(403);
    expect((await signIn('kozlova', 'пароль-козловой-1')).status).toBe(200);
  });

  it("resets no administrator's own password and changes no own role: a stolen session takes the account no further", async () => {
    const own = await json(call('GET', '/api/v1/me', admin.headers));
    // A reset of one's own password asked for no current one: the session set a password it knew, replaced it
    // through /auth/password and so ended the owner's sessions. Refused; the owner's password still signs in.
    const reset = await call('POST', `/api/v1/users/${admin.userId}/password`, admin.headers, {
      password: 'пароль-похитителя',
    });
    expect(reset.status).toBe(409);
    expect((await json(reset)).message).toBe('Свой пароль меняют в профиле, указав текущий');
    expect((await json(call('GET', '/api/v1/me', admin.headers))).mustChangePassword).toBe(false);
    expect((await signIn(admin.login, 'пароль-похитителя')).status).toBe(401);
    // Nor an administrator made an operator by their own hand (who reads the applicants' data an administrator
    // may not); their own name they may change.
    const change = (patch: Record<string, unknown>) =>
      call('PATCH', `/api/v1/users/${admin.userId}`, admin.headers, {
        fullName: own.fullName,
        role: 'admin',
        organisationId: own.organisationId,
        ...patch,
      });
    const demoted = await change({ role: 'operator' });
    expect(demoted.status).toBe(409);
    expect((await json(demoted)).message).toBe('Свою роль и организацию меняет другой администратор');
    expect(
      (await change({ organisationId: await idOf(stack.db.dataSource, 'organisations', 'minzhkh') })).status,
    ).toBe(409);
    expect((await change({ fullName: 'Администратор Иванов' })).status).toBe(200);
    expect((await json(call('GET', '/api/v1/me', admin.headers))).role).toBe('admin');
    const [{ count }] = (await stack.db.dataSource.query(
      `SELECT count(*)::int AS count FROM audit_log WHERE entity_id = $1 AND action IN ('reset-password', 'update-user')`,
      [admin.userId],
    )) as { count: number }[];
    expect(count).toBe(1);
  });
});

/**
 * The pages a citizen or a clerk opens may not be framed (clickjacking of the rating page or the workspace's
 * buttons), take no plugin or <base>, are nosniff and send no referrer. Before, none had any such header: any
 * site could frame /app/ or rate.html under its own buttons.
 */
describe('security: headers on the pages, bounded multipart (e2e)', () => {
  restoreEnvironmentAfterBlock();
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ env: { API_DOCS: 'public' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  const pages = [
    '/',
    '/index.html',
    '/status.html',
    '/rate.html',
    '/answer-files.html',
    '/faq.html',
    '/portal.js',
    '/app/',
    '/app/inbox',
  ];

  it.each(pages)('%s: never framed, no plugins or <base>, nosniff, no referrer', async (path) => {
    const res = await fetch(`${stack.baseUrl}${path}`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0])
        .map(([name, ...values]) => [name, values]),
    );
    // Nothing from another origin (an injected <script src> or a picture leaking data elsewhere).
    expect(
      directives.get('default-src')?.filter((v) => v.includes(':') && v !== 'data:' && v !== 'blob:'),
    ).toEqual([]);
    expect(directives.get('default-src')).toContain("'self'");
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('script-src-attr')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.has('upgrade-insecure-requests')).toBe(false);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-powered-by')).toBeNull();
    // Read to the end: a response left unread holds its connection open, and the api's close waited ~45 s
    // for them all.
    await res.arrayBuffer();
  });

  it('keeps the stricter sandbox of a served file and the API docs working', async () => {
    const docs = await fetch(`${stack.baseUrl}/api/docs/`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff');
    const api = await fetch(`${stack.baseUrl}/api/v1/me`);
    expect(api.status).toBe(401);
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('x-frame-options')).toBe('DENY');
    // No answer of the API is stored by a browser or a proxy: cards, applicants and tokens had no Cache-Control.
    expect(api.headers.get('cache-control')).toBe('no-store');
    const signIn = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'nobody', password: 'x' }),
    });
    expect(signIn.headers.get('cache-control')).toBe('no-store');
    await Promise.all([docs.arrayBuffer(), api.arrayBuffer(), signIn.arrayBuffer()]);
  });

  it('refuses a form stuffed with thousands of fields before holding them in memory: 413', async () => {
    // Each field under the 64 KiB field cap, so before only their number bounded what multer kept: none did.
    const body = new FormData();
    body.append('text', 'Проверка');
    const filler = 'я'.repeat(16 * 1024);
    for (let i = 0; i < 2000; i++) body.append(`f${i}`, filler);
    const res = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, { method: 'POST', body });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'too-large' });
  });

  it('runs the workspace and the status page under that policy: no violation, no error (Chromium, CSP enforced)', async () => {
    const [{ id: organisationId }] = (await stack.db.dataSource.query(
      `SELECT id FROM organisations WHERE code = 'cur'`,
    )) as { id: string }[];
    await stack.api.get(StaffUsers).create({
      login: 'csp-supervisor',
      password: 'csp-пароль-1',
      fullName: 'Проверка Политики',
      role: Role.Supervisor,
      organisationId,
    });
    const browser: Browser = await launchChromium();
    try {
      const page = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
      const problems = watchProblems(page);
      page.setDefaultTimeout(20_000);
      await page.goto(`${stack.baseUrl}/app/`);
      await page.getByLabel('Логин').fill('csp-supervisor');
      await page.getByLabel('Пароль').fill('csp-пароль-1');
      await page.getByRole('button', { name: 'Войти' }).click();
      await page.getByTestId('current-user').waitFor();
      await page.goto(`${stack.baseUrl}/app/dashboard`);
      await page.getByTestId('current-user').waitFor();
      await page.waitForLoadState('networkidle');
      await page.goto(`${stack.baseUrl}/status.html`);
      await page.getByRole('heading', { name: 'Проверить статус обращения' }).first().waitFor();
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
