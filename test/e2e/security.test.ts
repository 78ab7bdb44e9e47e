import { createHash, randomBytes } from 'node:crypto';
import { hashPassword, Role, StaffUsers } from '@inbox/access';
import { AppealRegistrar } from '@inbox/appeals';
import { InboundStore } from '@inbox/intake';
import { Channel } from '@inbox/integrations/contract';
import { inboundItem } from '../factories/inbound-items';
import { signInAs, type SignedIn } from '../factories/staff';
import { json, startTestStack, type TestStack } from '../support/test-stack';
import { publicStatus } from '../support/citizen';

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
        RATE_LIMIT_FORM: '8/600',
        ANONYMOUS_UPLOAD_BYTES_PER_REQUEST: String(2 * 1024 * 1024),
        ANONYMOUS_UPLOAD_BYTES_PER_DAY: String(3 * 1024 * 1024),
        RATE_LIMIT_WEBHOOK: '4/60',
        RATE_LIMIT_FAQ: '5/60',
        PASSWORD_SCRYPT_N: String(2 ** 15),
        // Addresses from X-Forwarded-For, so a test can speak from several (none given: 127.0.0.1).
        TRUST_PROXY: 'loopback',
        // As production has it by default (NODE_ENV=production): no published map of the API.
        API_DOCS: 'off',
        // The lock-outs here are tried with bursts of sign-ins from one address; the rate limit that would cut
        // them short first is tried in http-connections.test.ts.
        RATE_LIMIT_SIGN_IN: 'off',
        RATE_LIMIT_SIGN_IN_ALL: 'off',
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
        AND entity_id = $1 ORDER BY id`,
      [victim.id],
    )) as { action: string; outcome: string; details: Record<string, unknown> }[];
    expect(audit.filter((a) => a.action === 'sign-in-lockout')).toHaveLength(1);
    expect(audit.at(-1)).toMatchObject({
      action: 'sign-in',
      outcome: 'denied',
      details: { reason: 'locked-out' },
    });
    const lockouts = await json(fetch(`${stack.baseUrl}/api/v1/users/lockouts`, { headers: admin.headers }));
    expect(lockouts).toContainEqual(
      expect.objectContaining({ kind: 'login', subject: victim.login, accountId: victim.id, failures: 6 }),
    );

    // The next failure after the lock-out runs out doubles it (time passes: the lock is moved to the past).
    await stack.db.dataSource.query(
      `UPDATE sign_in_failures SET locked_until = now() - interval '1 second' WHERE key = $1`,
      [`login:${victim.id}@127.0.0.1`],
    );
    expect((await login({ login: victim.login, password: 'guess-6' })).status).toBe(401);
    const [{ seconds }] = (await stack.db.dataSource.query(
      // From the failure that locked it (set in the same statement), not from whenever this reads it.
      `SELECT extract(epoch FROM locked_until - last_failure_at)::int AS seconds
         FROM sign_in_failures WHERE key = $1`,
      [`login:${victim.id}@127.0.0.1`],
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

  const loginFrom = (address: string, body: { login: string; password: string }) =>
    fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify(body),
    });

  it('locks a guesser out of an account, not the employee signing in from another address', async () => {
    const victim = await account();
    const guesser = '198.51.100.9';
    for (let i = 0; i < 6; i++) {
      expect((await loginFrom(guesser, { login: victim.login, password: `guess-${i}` })).status).toBe(401);
    }
    // The guesser is stopped, the right password too (a lucky guess tells nothing) …
    const stopped = await loginFrom(guesser, { login: victim.login, password: victim.password });
    expect(stopped.status).toBe(429);
    expect(Number(stopped.headers.get('retry-after'))).toBeGreaterThan(0);
    // … the employee at their own desk is not (the lock-out was per account: any guesser could lock anyone).
    const desk = '198.51.100.10';
    expect((await loginFrom(desk, { login: victim.login, password: victim.password })).status).toBe(200);
    expect((await loginFrom(guesser, { login: victim.login, password: victim.password })).status).toBe(429);
  });

  it('locks an account guessed from many addresses, except for the addresses it signed in from', async () => {
    const victim = await account();
    const home = '203.0.113.10';
    expect((await loginFrom(home, { login: victim.login, password: victim.password })).status).toBe(200);
    // Fifty failures from ten addresses, five each (none past its own five free ones; written here, each sign-in
    // costs a scrypt), then the account's 51st failure from an eleventh.
    await stack.db.dataSource.query(
      `INSERT INTO sign_in_failures (key, failures, last_failure_at) VALUES ($1, 50, now())`,
      [`login:${victim.id}`],
    );
    expect((await loginFrom('203.0.113.111', { login: victim.login, password: 'g-51' })).status).toBe(401);
    // A fresh address is refused even the right password: no botnet guesses on for ever …
    const fresh = await loginFrom('203.0.113.200', { login: victim.login, password: victim.password });
    expect(fresh.status).toBe(429);
    // … while the employee's own address still signs in.
    expect((await loginFrom(home, { login: victim.login, password: victim.password })).status).toBe(200);
  });

  it("lets the owner in at the office after a colleague there typed the owner's login ten times; not a guesser", async () => {
    const owner = await account();
    const office = '198.51.100.20';
    const failuresOf = async (key: string) =>
      (
        (await stack.db.dataSource.query(`SELECT failures FROM sign_in_failures WHERE key = $1`, [key])) as {
          failures: number;
        }[]
      )[0]?.failures ?? 0;
    // The owner signed in at the office before (this morning, last week).
    expect((await loginFrom(office, { login: owner.login, password: owner.password })).status).toBe(200);
    // A colleague behind the same NAT address types the owner's login for their own, ten times.
    for (let i = 0; i < 10; i++) {
      expect((await loginFrom(office, { login: owner.login, password: `colleague-${i}` })).status).toBe(401);
    }
    // The owner still signs in at their desk (before, the sixth typo locked them out there: 429) …
    expect((await loginFrom(office, { login: owner.login, password: owner.password })).status).toBe(200);
    // … and the typos did not bring the account's lock-out from everywhere nearer: only unknown addresses count.
    expect(await failuresOf(`login:${owner.id}`)).toBe(0);
    // A guesser's from an address the owner never used count there as before (locked out by the tests above).
    expect((await loginFrom('198.51.100.21', { login: owner.login, password: 'guess' })).status).toBe(401);
    expect(await failuresOf(`login:${owner.id}`)).toBe(1);
    // One inside the office is stopped too, past the fifty failures an office's address is allowed (written here:
    // each sign-in costs a scrypt); then the owner waits there as anyone does.
    await stack.db.dataSource.query(
      `INSERT INTO sign_in_failures (key, failures, last_failure_at) VALUES ($1, 50, now())`,
      [`login:${owner.id}@${office}`],
    );
    expect((await loginFrom(office, { login: owner.login, password: 'insider-51' })).status).toBe(401);
    expect((await loginFrom(office, { login: owner.login, password: owner.password })).status).toBe(429);
  });

  it('forgets sign-in records that no longer count: a rotating guesser left an address row each for good', async () => {
    const victim = await account();
    const ds = stack.db.dataSource;
    const key = (n: string) => `address:192.0.2.${n}`;
    await ds.query(
      `INSERT INTO sign_in_failures (key, failures, last_failure_at, locked_until) VALUES
         ($1, 3, now() - interval '2 days', NULL),
         ($2, 30, now() - interval '2 days', now() + interval '1 hour'),
         ($3, 3, now() - interval '1 hour', NULL)`,
      [key('1'), key('2'), key('3')],
    );
    await ds.query(
      `INSERT INTO sign_in_known_sources (account_id, source, signed_in_at) VALUES
         ($1, '192.0.2.4', now() - interval '91 days'), ($1, '192.0.2.5', now() - interval '89 days')`,
      [victim.id],
    );
    // The worker's retention sweep calls this (retention.worker.ts).
    await stack.api.get(StaffUsers).forgetStaleSignInRecords();
    const failures = (await ds.query(`SELECT key FROM sign_in_failures WHERE key = ANY($1)`, [
      [key('1'), key('2'), key('3')],
    ])) as {
      key: string;
    }[];
    // Gone: no failure for a day and no lock-out running. Kept: a lock-out running, a recent failure.
    expect(failures.map((r) => r.key).sort()).toEqual([key('2'), key('3')]);
    const sources = (await ds.query(`SELECT source FROM sign_in_known_sources WHERE account_id = $1`, [
      victim.id,
    ])) as { source: string }[];
    expect(sources.map((r) => r.source)).toEqual(['192.0.2.5']);
  });

  it('counts guesses sent at once one after another: a burst gets no more passwords checked than one by one', async () => {
    const victim = await account();
    // Thirty at once: checked first and counted after, all of them passed the check before the first failure
    // was on record (18 of 40 were checked against the account's five free tries).
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        login({ login: victim.login, password: `burst-${i}` }).then((res) => res.status),
      ),
    );
    expect(burst.filter((s) => s === 401)).toHaveLength(6);
    expect(burst.filter((s) => s === 429)).toHaveLength(24);
    const [row] = (await stack.db.dataSource.query(
      `SELECT failures, locked_until > now() AS locked FROM sign_in_failures WHERE key = $1`,
      [`login:${victim.id}@127.0.0.1`],
    )) as { failures: number; locked: boolean }[];
    expect(row).toEqual({ failures: 6, locked: true });
    expect((await login({ login: victim.login, password: victim.password })).status).toBe(429);
    // A right password gives the address back the try it was counted: signing in costs an office nothing.
    await stack.db.dataSource.query(`DELETE FROM sign_in_failures`);
    const colleague = await account();
    const right = { login: colleague.login, password: colleague.password };
    for (let i = 0; i < 25; i++) expect((await login(right)).status).toBe(200);
    expect(
      await stack.db.dataSource.query(
        `SELECT key, failures FROM sign_in_failures WHERE failures > 0 OR locked_until IS NOT NULL`,
      ),
    ).toEqual([]);
  });

  it('locks an address spraying many logins, whatever login it tries next, not the colleagues who work there', async () => {
    // The test's address is 127.0.0.1: start from a clean count for it.
    await stack.db.dataSource.query(`DELETE FROM sign_in_failures WHERE key LIKE 'address:%'`);
    // A colleague behind the same NAT address, who signed in from it before.
    const colleague = await account();
    expect((await login({ login: colleague.login, password: colleague.password })).status).toBe(200);
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
    // The colleague still signs in (before, the address's lock-out locked the whole office out); their typo is
    // checked, and the next login tried from there is refused as before.
    expect((await login({ login: colleague.login, password: colleague.password })).status).toBe(200);
    expect((await login({ login: colleague.login, password: 'typo' })).status).toBe(401);
    expect((await login({ login: 'nobody-22', password: 'demo' })).status).toBe(429);
    await stack.db.dataSource.query(`DELETE FROM sign_in_failures WHERE key LIKE 'address:%'`);
  });

  it('keeps no typed login of a failed sign-in in the audit log, only whether it matched an account', async () => {
    const user = await account();
    // The password typed into the login field, then the right login with a wrong password.
    expect((await login({ login: user.password, password: 'whatever' })).status).toBe(401);
    expect((await login({ login: user.login, password: 'wrong-password' })).status).toBe(401);
    const rows = (await stack.db.dataSource.query(
      `SELECT entity_id AS "entityId", details FROM audit_log WHERE action = 'sign-in' AND outcome = 'denied'
        ORDER BY id DESC LIMIT 2`,
    )) as { entityId: string | null; details: Record<string, unknown> }[];
    expect(rows.reverse()).toEqual([
      { entityId: null, details: { knownAccount: false } },
      { entityId: user.id, details: { knownAccount: true } },
    ]);
    const [{ n }] = (await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE details::text LIKE '%' || $1 || '%'
          OR details::text LIKE '%' || $2 || '%'`,
      [user.password, user.login],
    )) as { n: number }[];
    expect(n).toBe(0);
  });

  it('keeps no typed login in the lock-out counts: the account it names, or a keyed hash, locked all the same', async () => {
    await stack.db.dataSource.query(`DELETE FROM sign_in_failures WHERE key LIKE 'address:%'`);
    const user = await account();
    // The password typed into the login field (counted under no account), and wrong passwords for the login.
    const typed = user.password.toUpperCase();
    expect((await login({ login: typed, password: 'whatever' })).status).toBe(401);
    expect((await login({ login: user.login, password: 'wrong-password' })).status).toBe(401);
    const keys = (
      (await stack.db.dataSource.query(`SELECT key FROM sign_in_failures`)) as { key: string }[]
    ).map((r) => r.key);
    expect(keys).toContain(`login:${user.id}`);
    expect(
      keys.filter((k) => k.toLowerCase().includes(user.login) || k.toLowerCase().includes(user.password)),
    ).toEqual([]);
    // A login that names no account is still counted and locked like one that does: a lock-out must not tell
    // which logins exist.
    const nobody = `nobody-${randomBytes(3).toString('hex')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await login({ login: nobody, password: `g-${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429]);
    const unknown = (await stack.db.dataSource.query(
      `SELECT key FROM sign_in_failures WHERE key LIKE 'login:unknown:%@127.0.0.1' AND failures = 6`,
    )) as { key: string }[];
    expect(unknown).toHaveLength(1);
    expect(unknown[0].key).not.toContain(nobody);
    // Administrators see the unknown login's lock-out without it.
    const lockouts = (await json(
      fetch(`${stack.baseUrl}/api/v1/users/lockouts`, { headers: admin.headers }),
    )) as { kind: string; subject: string | null; accountId: string | null }[];
    expect(lockouts).toContainEqual(
      expect.objectContaining({ kind: 'login', subject: null, accountId: null }),
    );
    expect(JSON.stringify(lockouts)).not.toContain(nobody);
    await stack.db.dataSource.query(`DELETE FROM sign_in_failures`);
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

  it('opens the live stream with a single-use ticket, never with the session token in the URL', async () => {
    const operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    const token = operator.headers.authorization.slice('Bearer '.length);
    const open = async (query: string) => {
      const abort = new AbortController();
      const res = await fetch(`${stack.baseUrl}/api/v1/appeals/stream?${query}`, { signal: abort.signal });
      abort.abort();
      return res.status;
    };
    // The long-lived token in the URL (where proxies log it) opens nothing any more.
    expect(await open(`access_token=${encodeURIComponent(token)}`)).toBe(401);
    const ticketRes = await fetch(`${stack.baseUrl}/api/v1/appeals/stream/ticket`, {
      method: 'POST',
      headers: operator.headers,
    });
    expect(ticketRes.status).toBe(200);
    const { ticket } = (await json(ticketRes)) as { ticket: string };
    expect(ticket).not.toContain(token);
    expect(await open(`ticket=${ticket}`)).toBe(200);
    // Used once: a replay (from a log line, say) is refused.
    expect(await open(`ticket=${ticket}`)).toBe(401);
    // Only a signed-in member of staff gets one.
    expect((await fetch(`${stack.baseUrl}/api/v1/appeals/stream/ticket`, { method: 'POST' })).status).toBe(
      401,
    );
  });

  it('shows an administrator no personal data: no applicant, phones or e-mails in the text, answers or files', async () => {
    const item = inboundItem({
      channel: Channel.Email,
      text: 'Прошу перезвонить по номеру +7 913 555-12-34 или написать на arkady.p@example.ru — во дворе яма.',
      author: {
        externalId: `mail-${randomBytes(3).toString('hex')}`,
        surname: 'Петров',
        firstName: 'Аркадий',
      },
      thread: { key: `mail-thread-${randomBytes(3).toString('hex')}` },
      attachments: [
        {
          fileName: 'scan.pdf',
          contentType: 'application/pdf',
          contentBase64: pdf(2000).toString('base64'),
          size: 2000,
        },
      ],
    });
    const [stored] = await stack.api.get(InboundStore).store([item], { enqueue: false });
    const outcome = await stack.api.get(AppealRegistrar).registerInboundItem(stored.inboundItemId);
    if (outcome.kind !== 'registered') throw new Error(`not registered: ${outcome.kind}`);
    const id = outcome.appealId;
    // The citizen's correction of that message joins the appeal, its own words kept in the history.
    const correction = inboundItem({
      channel: Channel.Email,
      author: item.author,
      thread: item.thread,
      text: 'Исправляю: звонить на +7 913 555-98-76, яма у второго подъезда.',
      features: { correctionOf: item.externalId },
    });
    const [storedCorrection] = await stack.api.get(InboundStore).store([correction], { enqueue: false });
    expect(
      (await stack.api.get(AppealRegistrar).registerInboundItem(storedCorrection.inboundItemId)).kind,
    ).toBe('follow-up');
    const operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    const drafted = await fetch(`${stack.baseUrl}/api/v1/appeals/${id}/answers`, {
      method: 'POST',
      headers: operator.headers,
      body: JSON.stringify({ text: 'Уважаемый(ая) Аркадий Петрович! Яму заделают до пятницы.' }),
    });
    expect(drafted.status).toBe(201);

    const card = await json(fetch(`${stack.baseUrl}/api/v1/appeals/${id}`, { headers: admin.headers }));
    expect(card.applicant).toBeNull();
    expect(card.address).toBeNull();
    expect(card.attachments).toEqual([]);
    expect(card.text).not.toContain('555-12-34');
    expect(card.text).not.toContain('arkady.p@example.ru');
    // Nor in the citizen's later words the history keeps (the correction stays, redacted).
    const followUp = card.history.find((e: { type: string }) => e.type === 'follow-up-received');
    expect(followUp.data.text).toBe('Исправляю: звонить на [телефон скрыт], яма у второго подъезда.');
    expect(JSON.stringify(card.history)).not.toContain('555-98-76');
    const answers = await json(
      fetch(`${stack.baseUrl}/api/v1/appeals/${id}/answers`, { headers: admin.headers }),
    );
    expect(answers).toHaveLength(1);
    expect(JSON.stringify(answers)).not.toContain('Аркадий');
    const [file] = (await stack.db.dataSource.query(`SELECT id FROM attachments WHERE appeal_id = $1`, [
      id,
    ])) as {
      id: string;
    }[];
    const download = await fetch(`${stack.baseUrl}/api/v1/appeals/${id}/attachments/${file.id}`, {
      headers: admin.headers,
    });
    expect(download.status).toBe(403);
    const denied = (await stack.db.dataSource.query(
      `SELECT action FROM audit_log WHERE user_id = $1 AND entity_id = $2 AND outcome = 'denied'`,
      [admin.userId, id],
    )) as { action: string }[];
    expect(denied.map((d) => d.action)).toContain('read-attachment');
    // The operator, whose work it is, sees it all.
    const theirs = await json(
      fetch(`${stack.baseUrl}/api/v1/appeals/${id}/answers`, { headers: operator.headers }),
    );
    expect(theirs[0].text).toContain('Аркадий Петрович');
  });

  it('audits every refusal: a role refused an endpoint, ids asked for outside the scope', async () => {
    const operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    expect((await fetch(`${stack.baseUrl}/api/v1/users`, { headers: operator.headers })).status).toBe(403);
    const [roleRow] = (await stack.db.dataSource.query(
      `SELECT details FROM audit_log WHERE user_id = $1 AND action = 'call-endpoint' AND outcome = 'denied'`,
      [operator.userId],
    )) as { details: Record<string, unknown> }[];
    expect(roleRow.details).toMatchObject({ method: 'GET', route: '/api/v1/users' });

    const [{ id: outside }] = (await stack.db.dataSource.query(`SELECT id FROM appeals LIMIT 1`)) as {
      id: string;
    }[];
    const clerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'omsk-district');
    const page = await json(
      fetch(`${stack.baseUrl}/api/v1/appeals?ids=${outside}`, { headers: clerk.headers }),
    );
    expect(page.items).toEqual([]);
    const idRows = (await stack.db.dataSource.query(
      `SELECT 1 FROM audit_log WHERE user_id = $1 AND action = 'list-appeals' AND entity_id = $2 AND outcome = 'denied'`,
      [clerk.userId, outside],
    )) as unknown[];
    expect(idRows).toHaveLength(1);
  });

  it('drops personal data from the raw payload once the item is registered, keeping what routing reads', async () => {
    const item = inboundItem({
      channel: Channel.Email,
      author: {
        externalId: `mail-${randomBytes(3).toString('hex')}`,
        surname: 'Сидорова',
        firstName: 'Нина',
        email: 'nina.s@example.ru',
        phone: '+79135550000',
      },
      text: 'Прошу отремонтировать подъезд, мой телефон +7 913 555-00-00.',
      address: 'г. Омск, ул. Мира, 5, кв. 12',
      replyAddress: { email: 'nina.s@example.ru' },
      features: { district: 'Центральный' },
      attachments: [
        {
          fileName: 'Паспорт Сидоровой.pdf',
          contentType: 'application/pdf',
          contentBase64: pdf(500).toString('base64'),
        },
      ],
    });
    const [stored] = await stack.api.get(InboundStore).store([item], { enqueue: false });
    const before = (await stack.db.dataSource.query(
      `SELECT payload::text AS p FROM inbound_items WHERE id = $1`,
      [stored.inboundItemId],
    )) as { p: string }[];
    expect(before[0].p).toContain('Сидорова');
    const outcome = await stack.api.get(AppealRegistrar).registerInboundItem(stored.inboundItemId);
    expect(outcome.kind).toBe('registered');
    const [{ p }] = (await stack.db.dataSource.query(
      `SELECT payload::text AS p FROM inbound_items WHERE id = $1`,
      [stored.inboundItemId],
    )) as { p: string }[];
    for (const personal of [
      'Сидорова',
      'Нина',
      'nina.s@example.ru',
      '5550000',
      '555-00-00',
      'ул. Мира',
      'Паспорт',
    ]) {
      expect(p).not.toContain(personal);
    }
    const payload = JSON.parse(p) as Record<string, unknown>;
    expect(payload).toMatchObject({
      author: { externalId: item.author.externalId },
      features: { district: 'Центральный' },
      personalDataRemoved: true,
    });
    // The appeal itself has them, where access is scoped and every read audited.
    const [appeal] = (await stack.db.dataSource.query(
      `SELECT a.text, ap.surname FROM appeals a JOIN applicants ap ON ap.id = a.applicant_id WHERE a.id = $1`,
      [(outcome as { appealId: string }).appealId],
    )) as { text: string; surname: string }[];
    expect(appeal).toMatchObject({ surname: 'Сидорова' });
  });

  it('publishes no API documentation with API_DOCS=off, production’s default: no Swagger UI, no document', async () => {
    for (const path of ['/api/docs', '/api/docs/', '/api/docs-json', '/api/docs/swagger-ui-init.js']) {
      const res = await fetch(`${stack.baseUrl}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(await res.text()).not.toMatch(/swagger|openapi/i);
    }
  });

  it('keeps no token-signing secret in the database', async () => {
    const rows = (await stack.db.dataSource.query(
      `SELECT key FROM settings WHERE key ILIKE '%secret%'`,
    )) as unknown[];
    expect(rows).toEqual([]);
  });

  it('answers a burst of public FAQ searches with 429 and Retry-After (each one a full-text query)', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const q = encodeURIComponent(`Как вывезти мусор ${i} ${'очень длинный вопрос '.repeat(40)}`);
      const res = await fetch(`${stack.baseUrl}/api/v1/public/faq${i % 2 ? '' : `/search?q=${q}`}`);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.slice(0, 5).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('answers a burst of status-code guesses with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await publicStatus(stack.baseUrl, '2026-000001', `GUESS${i}AA`);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  const validFields = {
    surname: 'Кузнецова',
    firstName: 'Ольга',
    email: 'olga.k@example.ru',
    text: 'Третий день нет горячей воды в доме по ул. Ленина, 15. Управляющая компания не отвечает.',
    consent: 'true',
  };
  const submit = (
    files: { name: string; type: string; content: Buffer }[],
    headers: Record<string, string> = {},
  ) => {
    const body = new FormData();
    for (const [k, v] of Object.entries(validFields)) body.append(k, v);
    for (const f of files) body.append('attachments', new Blob([f.content], { type: f.type }), f.name);
    return fetch(`${stack.baseUrl}/api/v1/public/appeals`, { method: 'POST', body, headers });
  };
  const exe = Buffer.concat([Buffer.from('4d5a90000300000004000000ffff0000', 'hex'), Buffer.alloc(4096)]);
  const pdf = (bytes: number) => Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(bytes - 9, 0x20)]);

  it('refuses an executable named doc.pdf and a web page named page.pdf (sniffed, not by name): 415', async () => {
    for (const file of [
      { name: 'doc.pdf', type: 'application/pdf', content: exe },
      {
        name: 'page.pdf',
        type: 'application/pdf',
        content: Buffer.from('<html><script>alert(1)</script></html>'),
      },
    ]) {
      const res = await submit([file]);
      expect(res.status).toBe(415);
      expect((await json(res)).errors).toHaveProperty('attachments');
    }
  });

  it('keeps anonymous uploads within a budget per request and per address and day', async () => {
    // Five files of 1 MiB each pass the per-file limit, but not the request's 2 MiB.
    const five = await submit(
      [1, 2, 3, 4, 5].map((i) => ({
        name: `scan-${i}.pdf`,
        type: 'application/pdf',
        content: pdf(1024 * 1024),
      })),
    );
    expect(five.status).toBe(413);
    // 1.6 MiB is accepted; another 1.6 MiB from the same address the same day exceeds the day's 3 MiB.
    expect((await submit([{ name: 'a.pdf', type: 'application/pdf', content: pdf(1_700_000) }])).status).toBe(
      201,
    );
    const second = await submit([{ name: 'b.pdf', type: 'application/pdf', content: pdf(1_700_000) }]);
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(3600);
  });

  it("counts a submission's files once: not a try refused while the database was away, nor a repeat of the same key", async () => {
    // A citizen whose browser retries one 1.6 MiB scan (day budget 3 MiB) through a database restart: the try cut
    // off by it (503) and the repeat of the registered submission under the same key cost nothing. Before, every
    // try spent the budget, and the retry after the outage was refused for the rest of the day (429).
    const from = {
      'x-forwarded-for': '203.0.113.77',
      'idempotency-key': `scan-${randomBytes(4).toString('hex')}`,
    };
    const scan = [{ name: 'scan.pdf', type: 'application/pdf', content: pdf(1_700_000) }];
    const holder = stack.db.dataSource.createQueryRunner();
    await holder.connect();
    let cut: Response;
    try {
      await holder.startTransaction();
      await holder.query('LOCK TABLE inbound_items IN EXCLUSIVE MODE');
      const pending = submit(scan, from);
      // The api's session waits for the lock; Postgres ends it (a restart does so to every session): 57P01.
      for (let ended = 0; ended === 0; ) {
        ended = (
          (await holder.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
          )) as unknown[]
        ).length;
        if (ended === 0) await new Promise((r) => setTimeout(r, 50));
      }
      cut = await pending;
    } finally {
      await holder.rollbackTransaction().catch(() => undefined);
      await holder.release();
    }
    expect(cut.status).toBe(503);
    expect((await submit(scan, from)).status).toBe(201);
    expect((await submit(scan, from)).status).toBe(200);
    // The budget still counts what was taken: another 1.6 MiB exceeds the day's 3 MiB.
    const other = await submit(scan, { ...from, 'idempotency-key': 'another-scan' });
    expect(other.status).toBe(429);
  });

  it('keeps no channel file its bytes do not allow: an executable an e-mail called a PDF is flagged, never served', async () => {
    const item = inboundItem({
      channel: Channel.Email,
      attachments: [
        {
          fileName: 'doc.pdf',
          contentType: 'application/pdf',
          contentBase64: exe.toString('base64'),
          size: exe.length,
        },
        {
          fileName: 'scan.pdf',
          contentType: 'application/octet-stream',
          contentBase64: pdf(2000).toString('base64'),
          size: 2000,
        },
      ],
    });
    const [stored] = await stack.api.get(InboundStore).store([item], { enqueue: false });
    const outcome = await stack.api.get(AppealRegistrar).registerInboundItem(stored.inboundItemId);
    if (outcome.kind !== 'registered') throw new Error(`not registered: ${outcome.kind}`);
    const files = (await stack.db.dataSource.query(
      `SELECT id, file_name AS "fileName", status, rejection_reason AS reason, sha256 FROM attachments
        WHERE appeal_id = $1`,
      [outcome.appealId],
    )) as { id: string; fileName: string; status: string; reason: string | null; sha256: string | null }[];
    // Sniffed when stored: the executable is a reference marked for staff, its bytes kept nowhere.
    expect(files.find((f) => f.fileName === 'doc.pdf')).toMatchObject({
      status: 'rejected',
      reason: 'type-not-allowed',
      sha256: null,
    });
    const sha = createHash('sha256').update(exe).digest('hex');
    expect(
      await stack.db.dataSource.query(`SELECT 1 FROM attachment_contents WHERE sha256 = $1`, [sha]),
    ).toEqual([]);
    const operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    const get = (name: string) =>
      fetch(
        `${stack.baseUrl}/api/v1/appeals/${outcome.appealId}/attachments/${files.find((f) => f.fileName === name)!.id}`,
        { headers: operator.headers },
      );
    expect((await get('doc.pdf')).status).toBe(404);
    const real = await get('scan.pdf');
    expect(real.headers.get('content-type')).toBe('application/pdf');
    expect(real.headers.get('content-disposition')).toMatch(/^inline;/);
  });

  it('limits the public form per address', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 9; i++) {
      const res = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'x' }),
      });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    // Eight forms in ten minutes from one address (the ones above count too); then none is even read.
    const first = statuses.indexOf(429);
    expect(first).toBeGreaterThan(0);
    expect(statuses.slice(first).every((s) => s === 429)).toBe(true);
    expect(statuses.slice(0, first).every((s) => s === 400)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThan(0);
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
