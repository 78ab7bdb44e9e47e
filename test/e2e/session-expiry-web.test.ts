import { type Route } from 'playwright-core';
import { Role, StaffUsers } from '@inbox/access';
import { idOf } from '../factories/directory';
import { staffPages } from '../support/staff-pages';
import { startTestStack, type TestStack } from '../support/test-stack';

const PASSWORD = 'korotky-seans-2026';
const ENDED = 'Сеанс завершён: истёк наибольший срок работы без повторного входа. Войдите снова';
/** The session's absolute lifetime for this file (AUTH_SESSION_MAX_SECONDS), its tokens' the shortest allowed. */
const LIFETIME_SECONDS = 25;

/**
 * A session's absolute lifetime in Chromium: the workspace renews its token while the session lasts, then goes
 * back to the sign-in screen saying why, in Russian. The session's last token expires with it, so its last
 * renewal came with an expired token and was answered «Требуется вход в систему»: the screen never said that the
 * session's time was over.
 */
describe('a staff session past its absolute lifetime in the browser (e2e)', () => {
  let stack: TestStack;
  const pages = staffPages();

  beforeAll(async () => {
    stack = await startTestStack({
      env: { AUTH_SESSION_MAX_SECONDS: String(LIFETIME_SECONDS), AUTH_TOKEN_TTL_SECONDS: '60' },
    });
    await stack.api.get(StaffUsers).create({
      login: 'korotkov',
      password: PASSWORD,
      fullName: 'Коротков Сергей Ильич',
      role: Role.Operator,
      organisationId: await idOf(stack.db.dataSource, 'organisations', 'cur'),
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('returns to the sign-in screen with the reason once the lifetime is over, and signs in again', async () => {
    const refusals: { url: string; status: number; message: string }[] = [];
    const started = Date.now();
    const page = await pages.openByForm(
      () => stack.baseUrl,
      { login: 'korotkov', password: PASSWORD },
      '/inbox',
    );
    page.on('response', (r) => {
      if (r.status() === 401)
        void r
          .json()
          .then((b: { message: string }) => refusals.push({ url: r.url(), status: 401, message: b.message }))
          .catch(() => undefined);
    });
    await page.getByTestId('current-user').waitFor();
    const renewals: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/v1/auth/refresh')) renewals.push(r.url());
    });
    // The workspace stays while the session lasts (renewed: the token's own minute is the session's).
    await page.waitForTimeout(10_000);
    expect(await page.getByTestId('current-user').count()).toBe(1);
    expect(renewals.length).toBeGreaterThan(0);
    // The renewal held back from here on: past the lifetime the first refusal is another request's (a list here),
    // which must say why too. It said nothing when the tab's own copy of the token had run out with the session,
    // as it has by then — whichever of the two came first decided whether the reason was shown.
    const held: Route[] = [];
    await page.route('**/api/v1/auth/refresh', (route) => void held.push(route));
    await page.waitForTimeout(Math.max(0, started + (LIFETIME_SECONDS + 5) * 1000 - Date.now()));
    // A list asked for, unless the menu's own polling was refused first (the workspace then is gone already).
    if (await page.getByTestId('current-user').count())
      await page
        .locator('a[href$="queue=mine"]')
        .first()
        .click({ timeout: 5_000 })
        .catch(() => undefined);
    // Past the lifetime: the sign-in screen, saying why.
    const notice = page.getByText(ENDED);
    await notice.waitFor({ timeout: 30_000 });
    await page.unroute('**/api/v1/auth/refresh');
    await Promise.all(held.map((route) => route.abort('aborted').catch(() => undefined)));
    expect(Date.now() - started).toBeGreaterThanOrEqual((LIFETIME_SECONDS - 1) * 1000);
    expect(await page.getByTestId('current-user').count()).toBe(0);
    await page.getByRole('button', { name: 'Войти' }).waitFor();
    // What the browser was refused: every 401 says the session is over, in Russian.
    expect(refusals.length).toBeGreaterThan(0);
    expect(new Set(refusals.map((r) => r.message))).toEqual(new Set([ENDED]));
    // Signing in again opens the workspace; the notice goes.
    await page.getByLabel('Логин').fill('korotkov');
    await page.getByLabel('Пароль').fill(PASSWORD);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByTestId('current-user').waitFor();
    expect(await notice.count()).toBe(0);
    // Nothing went wrong but the refusals of the ended session.
    const problems = pages.problems.get(page)!.filter((p) => !/\b401\b|status of 401|auth\/refresh/.test(p));
    expect(problems).toEqual([]);
  }, 150_000);
});
