import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { Role, StaffUsers } from '@inbox/access';
import { signInAs, type SignedIn } from '../factories/staff';
import { json, startTestStack, type TestStack } from '../support/test-stack';

type Schema = { $ref?: string; properties?: Record<string, Schema>; allOf?: Schema[] };
type Operation = { requestBody?: { content: Record<string, { schema: Schema }> } };
type OpenApi = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

/** Fields an attacker adds to a body hoping they are taken: who owns it, its state, who may do what. */
const MASS_ASSIGNMENT = {
  organisationId: randomUUID(),
  status: 'closed',
  role: 'admin',
  userId: randomUUID(),
  createdBy: randomUUID(),
  regime: 'message',
  channel: 'email',
  accessCode: 'AAAAAAAA',
  passwordHash: 'x',
  isAdmin: true,
};

/**
 * An attacker's body: extra fields on every write, an oversized body, a malformed multipart field. Each of these
 * is an attack on the whole OpenAPI document, so an endpoint added tomorrow is covered.
 */
describe('attack surface: mass assignment, body limits (e2e)', () => {
  let stack: TestStack;
  let doc: OpenApi;
  let staff: SignedIn[];

  beforeAll(async () => {
    stack = await startTestStack({
      // scrypt as dear as in production's order (the tests' default is 2^14), so that a sign-in's time is its hash's.
      env: {
        API_DOCS: 'public',
        RATE_LIMIT_FORM: 'off',
        RATE_LIMIT_STATUS: 'off',
        RATE_LIMIT_FAQ: 'off',
        RATE_LIMIT_SIGN_IN: 'off',
        RATE_LIMIT_SIGN_IN_ALL: 'off',
        PASSWORD_SCRYPT_N: String(2 ** 15),
      },
    });
    staff = [
      await signInAs(stack.api, stack.baseUrl, Role.Admin, 'cur'),
      await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur'),
      await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'region'),
      await signInAs(stack.api, stack.baseUrl, Role.Head, 'minzhkh'),
      await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh'),
    ];
    doc = (await json(fetch(`${stack.baseUrl}/api/docs-json`))) as OpenApi;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const properties = (s: Schema): string[] => {
    if (s.$ref) return properties(doc.components.schemas[s.$ref.split('/').pop()!]);
    return [...Object.keys(s.properties ?? {}), ...(s.allOf ?? []).flatMap(properties)];
  };
  const pathValue = (name: string) => (name === 'registrationNumber' ? '2026-000001' : randomUUID());

  it('refuses every field a write body does not declare, naming it: none is quietly taken or ignored', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (path.startsWith('/api/v1/webhooks/')) continue;
      for (const [method, op] of Object.entries(ops)) {
        const schema = op.requestBody?.content['application/json']?.schema;
        if (!schema || !['post', 'put', 'patch'].includes(method)) continue;
        const declared = new Set(properties(schema));
        const extras = Object.fromEntries(Object.entries(MASS_ASSIGNMENT).filter(([k]) => !declared.has(k)));
        const url = `${stack.baseUrl}${path.replace(/\{(\w+)\}/g, (_, p: string) => pathValue(p))}`;
        // The first member of staff the role guard lets through (the public endpoints need none).
        let res: Response | undefined;
        for (const who of staff) {
          res = await fetch(url, {
            method: method.toUpperCase(),
            headers: who.headers,
            body: JSON.stringify(extras),
          });
          if (res.status !== 403) break;
          await res.text();
        }
        const body = (await res!.json().catch(() => ({}))) as { errors?: Record<string, string> };
        const key = `${method.toUpperCase()} ${path}`;
        // The public form takes its fields by name from a form (connector), not a DTO: checked below.
        if (key === 'POST /api/v1/public/appeals') continue;
        checked += 1;
        const taken = Object.keys(extras).filter((k) => !body.errors?.[k]);
        if (res!.status !== 400 || taken.length > 0)
          failures.push(`${key}: ${res!.status}, not refused: ${taken.join(', ')}`);
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect(failures).toEqual([]);
  });

  it('the public form takes only its own fields: an appeal of the website, under 59-ФЗ, registered, whatever else is sent', async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...MASS_ASSIGNMENT,
        surname: 'Орлова',
        firstName: 'Вера',
        email: 'orlova@mail.example',
        text: 'Во дворе дома по ул. Мира, 4 не горят фонари уже неделю.',
        consent: true,
        fastTrack: true,
        topicId: randomUUID(),
      }),
    });
    expect(res.status).toBe(201);
    const { registrationNumber } = await json(res);
    const [row] = (await stack.db.dataSource.query(
      `SELECT channel, regime, status, fast_track AS "fastTrack", topic_id AS "topicId" FROM appeals
        WHERE registration_number = $1`,
      [registrationNumber],
    )) as Record<string, unknown>[];
    expect(row).toEqual({
      channel: 'website',
      regime: 'appeal',
      status: 'registered',
      fastTrack: false,
      topicId: null,
    });
  });

  it('refuses a JSON body over 1 MB before reading it: 413', async () => {
    const big = JSON.stringify({ text: 'а'.repeat(600_000) });
    for (const [path, headers] of [
      ['/api/v1/appeals', staff[1].headers],
      ['/api/v1/public/appeals', { 'content-type': 'application/json' }],
    ] as const) {
      const res = await fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers, body: big });
      expect(res.status).toBe(413);
      await res.text();
    }
  });

  it('refuses an anonymous upload larger than the form takes before reading it: 413 on its declared length', async () => {
    // Multer holds every file in memory (50 of 10 MB each), the form takes 20 MB together: a body declaring 200 MB
    // is answered at once, with only its first bytes sent — not held until it has all come.
    const boundary = 'x-boundary';
    const req = request(`${stack.baseUrl}/api/v1/public/appeals`, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(200 * 1024 * 1024),
      },
    });
    const answer = new Promise<{ status: number; body: string }>((resolve) => {
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on('error', (error) => resolve({ status: 0, body: String(error) }));
      req.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="a.pdf"\r\n` +
          `Content-Type: application/pdf\r\n\r\n%PDF-1.4\n${'0'.repeat(1024)}`,
      );
    });
    const waited = new Promise<string>((resolve) => setTimeout(() => resolve('no answer in 5 s'), 5000));
    const res = await Promise.race([answer, waited]);
    req.destroy();
    expect(res).toMatchObject({ status: 413 });
    expect((res as { body: string }).body).toContain('Вложения вместе больше 20 МБ');
  });

  it('answers a knowledge base file for an organisation that is not an id with 400, not 500', async () => {
    const form = new FormData();
    form.append('organisationId', 'не-идентификатор');
    form.append('file', new Blob(['приказ'], { type: 'text/plain' }), 'order.txt');
    const res = await fetch(`${stack.baseUrl}/api/v1/knowledge/attachments`, {
      method: 'POST',
      headers: { authorization: staff[1].headers.authorization },
      body: form,
    });
    expect(res.status).toBe(400);
  });

  it('takes as long to refuse an unknown login as a known one with a wrong password (no enumeration by timing)', async () => {
    const users = stack.api.get(StaffUsers);
    const [{ id: organisationId }] = (await stack.db.dataSource.query(
      `SELECT id FROM organisations WHERE code = 'cur'`,
    )) as { id: string }[];
    const attempt = async (login: string) => {
      const started = process.hrtime.bigint();
      const res = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login, password: 'wrong-password' }),
      });
      await res.text();
      expect(res.status).toBe(401);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    await attempt(`nobody-${randomUUID()}`);
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, one attempt per account (five free before a lock-out), well under the address's twenty.
    for (let i = 0; i < 5; i++) {
      const login = `timing-${i}-${randomUUID().slice(0, 8)}`;
      await users.create({
        login,
        password: `pw-${randomUUID()}`,
        fullName: 'Проверка',
        role: Role.Clerk,
        organisationId,
      });
      known.push(await attempt(login));
      unknown.push(await attempt(`nobody-${randomUUID()}`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // Without the hash of a stand-in password an unknown login is refused in a few milliseconds, a known one after
    // its scrypt (tens to hundreds): a ratio of about 0.1, against about 1 with it.
    expect(median(unknown) / median(known)).toBeGreaterThan(0.5);
  });

  it('redirects nowhere outside its own origin (no open redirect through a path, the workspace or its assets)', async () => {
    const paths = [
      '//evil.example/',
      '//evil.example/%2e%2e',
      '/%2F%2Fevil.example',
      '/%5Cevil.example',
      '/app',
      '/app//evil.example',
      '/app/%2F%2Fevil.example',
      '/app/assets',
      '/app/assets//evil.example/',
      '/api/docs',
      '/api/docs//evil.example',
    ];
    const leaks: string[] = [];
    for (const path of paths) {
      const res = await fetch(`${stack.baseUrl}${path}`, { redirect: 'manual' });
      await res.text();
      const location = res.headers.get('location');
      if (
        location &&
        (new URL(location, stack.baseUrl).origin !== stack.baseUrl || /^\/[/\\]/.test(location))
      )
        leaks.push(`${path} → ${res.status} ${location}`);
    }
    expect(leaks).toEqual([]);
  });

  it('takes no prototype from a body: __proto__ and constructor.prototype are refused and pollute nothing', async () => {
    const bodies = [
      '{"__proto__": {"polluted": "yes"}, "login": "x", "password": "y"}',
      '{"constructor": {"prototype": {"polluted": "yes"}}, "login": "x", "password": "y"}',
    ];
    for (const [path, headers] of [
      ['/api/v1/auth/login', { 'content-type': 'application/json' }],
      ['/api/v1/appeals', staff[1].headers],
      ['/api/v1/public/appeals', { 'content-type': 'application/json' }],
    ] as const) {
      for (const body of bodies) {
        const res = await fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers, body });
        await res.text();
        expect([400, 401]).toContain(res.status);
      }
    }
    // The api runs in this process: a polluted prototype would show here.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
