import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { Role } from '@inbox/access';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { json, startTestStack, type TestStack } from '../support/test-stack';
import { watchProblems } from '../support/page-problems';
import { ensureWebBuilt } from '../support/web-build';

const SHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');
const TEMPORARY = 'Vremenny-2026!';
const OWN = 'moy-sobstvenny-parol-7';

/**
 * Issue 14 in a real browser: an account an administrator created signs in with the temporary password, is
 * held on the change-password screen, sets its own; then the new password signs in and the old one does not.
 * And a card whose personal data retention erased says so.
 */
describe('temporary password and erased personal data in the workspace (browser e2e)', () => {
  let stack: TestStack;
  let browser: Browser;
  let admin: SignedIn;
  const contexts: BrowserContext[] = [];
  const login = 'novy-operator';

  beforeAll(async () => {
    ensureWebBuilt();
    mkdirSync(SHOTS, { recursive: true });
    stack = await startTestStack();
    admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'cur');
    const created = await fetch(`${stack.baseUrl}/api/v1/users`, {
      method: 'POST',
      headers: admin.headers,
      body: JSON.stringify({
        login,
        password: TEMPORARY,
        fullName: 'Новикова Дарья Павловна',
        role: Role.Operator,
        organisationId: await idOf(stack.db.dataSource, 'organisations', 'cur'),
      }),
    });
    expect(created.status).toBe(201);
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await stack?.close();
  });

  async function signIn(password: string): Promise<Page> {
    const context = await browser.newContext({
      bypassCSP: true,
      viewport: { width: 1366, height: 900 },
      locale: 'ru-RU',
    });
    contexts.push(context);
    const page = await context.newPage();
    problems.set(page, watchProblems(page));
    page.setDefaultTimeout(15_000);
    await page.goto(`${stack.baseUrl}/app/`);
    await page.getByLabel('Логин').fill(login);
    await page.getByLabel('Пароль').fill(password);
    await page.getByRole('button', { name: 'Войти' }).click();
    return page;
  }
  const problems = new Map<Page, string[]>();

  /** The server's refusals the walk provokes (each with the browser's note of it), and nothing else. */
  function expectOnly(page: Page, refusals: string[]): void {
    const notes = refusals.map((r) => {
      const status = r.split(':')[0];
      const text = { '400': 'Bad Request', '401': 'Unauthorized' }[status] ?? '';
      return `console: Failed to load resource: the server responded with a status of ${status} (${text})`;
    });
    expect([...problems.get(page)!].sort()).toEqual([...refusals, ...notes].sort());
  }

  it('temporary password → forced change → the new password works, the old one does not', async () => {
    const page = await signIn(TEMPORARY);
    // Held on the change screen: the workspace is not there.
    await page.getByRole('heading', { name: 'Смените временный пароль' }).waitFor();
    expect(await page.getByTestId('current-user').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'change-password.png') });

    // The two new passwords differ: said at the field, nothing sent.
    await page.getByLabel('Временный пароль').fill(TEMPORARY);
    await page.getByLabel('Новый пароль', { exact: false }).first().fill(OWN);
    await page.getByLabel('Новый пароль ещё раз').fill(`${OWN}x`);
    await page.getByRole('button', { name: 'Сменить пароль и продолжить' }).click();
    await page.getByText('Пароли не совпадают').waitFor();
    // A wrong temporary password: the server's refusal is shown, the screen stays.
    await page.getByLabel('Временный пароль').fill('ne-tot-parol');
    await page.getByLabel('Новый пароль ещё раз').fill(OWN);
    await page.getByRole('button', { name: 'Сменить пароль и продолжить' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByTestId('current-user').count()).toBe(0);
    // Right: the workspace opens.
    await page.getByLabel('Временный пароль').fill(TEMPORARY);
    await page.getByRole('button', { name: 'Сменить пароль и продолжить' }).click();
    await page.getByTestId('current-user').waitFor();
    expect(await page.getByRole('heading', { name: 'Смените временный пароль' }).count()).toBe(0);

    // The old password no longer signs in.
    const old = await signIn(TEMPORARY);
    await old.getByRole('alert').waitFor();
    expect(await old.getByTestId('current-user').count()).toBe(0);
    // The new one does, straight into the workspace.
    const fresh = await signIn(OWN);
    await fresh.getByTestId('current-user').waitFor();
    expect(await fresh.getByRole('heading', { name: 'Смените временный пароль' }).count()).toBe(0);
    expectOnly(page, [`400: POST ${stack.baseUrl}/api/v1/auth/password`]);
    expectOnly(old, [`401: POST ${stack.baseUrl}/api/v1/auth/login`]);
    expectOnly(fresh, []);
  });

  it('«Выйти» ends the session on the server: a copy of its token no longer works', async () => {
    const page = await signIn(OWN);
    await page.getByTestId('current-user').waitFor();
    const token = await page.evaluate<string | undefined>(
      "JSON.parse(sessionStorage.getItem('inbox.session') ?? '{}').token",
    );
    expect(token).toBeTruthy();
    const me = () =>
      fetch(`${stack.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.status,
      );
    expect(await me()).toBe(200);
    await page.getByTestId('current-user').click();
    const loggedOut = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'));
    await page.getByRole('menuitem', { name: 'Выйти' }).click();
    expect((await loggedOut).status()).toBe(204);
    await page.getByLabel('Логин').waitFor();
    expect(await me()).toBe(401);
    expectOnly(page, []);
  });

  it('a card whose personal data retention erased says «Персональные данные удалены …»', async () => {
    const operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    const created = await json(
      fetch(`${stack.baseUrl}/api/v1/appeals`, {
        method: 'POST',
        headers: operator.headers,
        body: JSON.stringify({
          medium: 'phone',
          surname: 'Архипова',
          firstName: 'Зоя',
          subject: 'Старое обращение',
          text: 'Текст, который уже удалён.',
        }),
      }),
    );
    await stack.db.dataSource.query(
      `UPDATE appeals SET personal_data_erased_at = '2026-06-01T05:00:00Z' WHERE id = $1`,
      [created.id],
    );
    const page = await signIn(OWN);
    await page.getByTestId('current-user').waitFor();
    await page.goto(`${stack.baseUrl}/app/appeals/${created.id}`);
    const notice = page.getByTestId('personal-data-erased');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/^Персональные данные удалены 01\.06\.2026/);
    await page.screenshot({ path: join(SHOTS, 'personal-data-erased.png') });
    expectOnly(page, []);
  });
});
