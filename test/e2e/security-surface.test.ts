import { Role, StaffUsers } from '@inbox/access';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { watchProblems } from '../support/page-problems';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * The pages a citizen or a clerk opens may not be framed (clickjacking of the rating page or the workspace's
 * buttons), take no plugin or <base>, are nosniff and send no referrer. Before, none had any such header: any
 * site could frame /app/ or rate.html under its own buttons.
 */
describe('security: headers on the pages, bounded multipart (e2e)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  const pages = [
    '/',
    '/index.html',
    '/status.html',
    '/rate.html',
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
