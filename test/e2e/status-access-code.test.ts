import { createHash } from 'node:crypto';
import { AppealRegistrar } from '@inbox/appeals';
import { launchChromium, postsOf } from '../support/browser';
import { publicRating, publicStatus } from '../support/citizen';
import { startTestStack, type TestStack } from '../support/test-stack';

/** Wrong access codes allowed per registration number and per address within the window, here. */
const GUESSES = 3;

/**
 * The citizen's access code never travels in an address (access logs, history, Referer keep addresses): the
 * status, its files and the rating take it in a POST body, the registration's status link carries it in the
 * fragment. Wrong codes are counted per registration number and address, per address, and per number from
 * all addresses (ten times as many); past a budget even the right code is refused, so a guess that happens to be
 * right tells nothing, but one guesser cannot lock the applicant out.
 */
describe("the citizen's access code (e2e)", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        // The per-address request limit off, so only the budget of wrong codes refuses; addresses from
        // X-Forwarded-For, so the test can speak from several.
        RATE_LIMIT_STATUS: 'off',
        RATE_LIMIT_STATUS_GUESSES: `${GUESSES}/3600`,
        TRUST_PROXY: 'loopback',
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function register(surname: string) {
    const res = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        surname,
        firstName: 'Ольга',
        email: 'olga.k@example.ru',
        text: 'Третий день нет горячей воды в доме по ул. Ленина, 15. Управляющая компания не отвечает.',
        consent: 'true',
      }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { registrationNumber: string; accessCode: string; statusUrl: string };
  }

  const statusFrom = (address: string, number: string, code: string) =>
    fetch(`${stack.baseUrl}/api/v1/public/appeals/${number}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ code }),
    });

  it('takes the code in a body, never in the address; the status link has it in the fragment', async () => {
    const created = await register('Кузнецова');
    const link = new URL(created.statusUrl);
    expect([link.pathname, link.search, link.hash]).toEqual([
      '/status.html',
      `?number=${created.registrationNumber}`,
      `#code=${created.accessCode}`,
    ]);
    expect((await publicStatus(stack.baseUrl, created.registrationNumber, created.accessCode)).status).toBe(
      200,
    );
    // The old address with the code in the query answers nothing, and neither does a rating so addressed.
    const old = `${stack.baseUrl}/api/v1/public/appeals/${created.registrationNumber}?code=${created.accessCode}`;
    expect((await fetch(old)).status).toBe(404);
    const ratingByQuery = await fetch(
      `${stack.baseUrl}/api/v1/public/appeals/${created.registrationNumber}/rating?code=${created.accessCode}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answered: true, satisfaction: 'satisfied' }),
      },
    );
    expect(ratingByQuery.status).toBe(400);
    // The code in the body: the rating is heard (nothing answered yet, so refused in Russian).
    const rated = await publicRating(stack.baseUrl, created.registrationNumber, created.accessCode, {
      answered: true,
      satisfaction: 'satisfied',
    });
    expect(rated.status).toBe(409);
  });

  it('reads the number and code as citizens copy them, and ties a malformed number to its field', async () => {
    const created = await register('Фомина');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 375, height: 667 }, locale: 'ru-RU' });
      const posts = postsOf(page);
      await page.goto(`${stack.baseUrl}/status.html`);
      const number = page.getByRole('textbox', { name: 'Регистрационный номер' });
      const code = page.getByRole('textbox', { name: 'Код доступа' });
      // Half a number: said under the field, the field focused, nothing asked (no wrong guess spent).
      await number.fill('2026-12');
      await code.fill(created.accessCode);
      await page.getByRole('button', { name: 'Проверить статус' }).click();
      await page.locator('#number-error', { hasText: 'в формате 2026-000123' }).waitFor();
      expect(await number.getAttribute('aria-invalid')).toBe('true');
      expect(await number.evaluate((el) => el.ownerDocument.activeElement === el)).toBe(true);
      expect(posts).toEqual([]);
      const alert = page.locator('#status-alert');
      expect(await alert.innerText()).toBe('Проверьте правильность заполнения формы');
      // As pasted from a letter Word typeset (№, a long dash) and the code written down in lower case in halves.
      const [year, sequence] = created.registrationNumber.split('-');
      await number.fill(`№ ${year}\u2013${sequence}`);
      // Put right: the summary above the form goes with the field's error, before the next check.
      expect(await alert.innerText()).toBe('');
      expect(await number.getAttribute('aria-invalid')).toBeNull();
      const lower = created.accessCode.toLowerCase();
      await code.fill(`${lower.slice(0, 4)} ${lower.slice(4)}`);
      await page.getByRole('button', { name: 'Проверить статус' }).click();
      await page.getByRole('heading', { name: `Обращение № ${created.registrationNumber}` }).waitFor();
      expect(await number.getAttribute('aria-invalid')).toBeNull();
      // At 375 px the heading wraps, but never inside the number: «2026-» on one line and «000123» on the next
      // reads as two numbers.
      expect(await page.locator('#result-number').evaluate((el) => el.getClientRects().length)).toBe(1);
      // «Ответ ещё не дан…» stands apart from the history above it, not on its last entry's heels.
      const historyBox = await page.locator('#result-history').boundingBox();
      const note = await page.locator('#result-no-answer').boundingBox();
      expect((note?.y ?? 0) - ((historyBox?.y ?? 0) + (historyBox?.height ?? 0))).toBeGreaterThanOrEqual(12);
    } finally {
      await browser.close();
    }
  });

  it('tells the citizen past the budget of wrong codes why and for how long, in the page', async () => {
    const created = await register('Зуева');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 375, height: 667 }, locale: 'ru-RU' });
      await page.goto(`${stack.baseUrl}/status.html`);
      await page.getByRole('textbox', { name: 'Регистрационный номер' }).fill(created.registrationNumber);
      const alert = page.locator('#status-alert');
      for (let i = 0; i <= GUESSES; i++) {
        await page.getByRole('textbox', { name: 'Код доступа' }).fill(`WRONG${i}AA`);
        await page.getByRole('button', { name: 'Проверить статус' }).click();
        await page.getByRole('button', { name: 'Проверить статус' }).and(page.locator(':enabled')).waitFor();
        if (i < GUESSES)
          expect(await alert.innerText()).toBe('Обращение не найдено. Проверьте номер и код доступа.');
      }
      // Not «wait a few minutes»: the server's reason, and the hour its budget runs.
      expect(await alert.innerText()).toMatch(
        /^Слишком много попыток с неверным кодом доступа\. Попробуйте позже\. Повторить можно через (59|60) минут\.$/,
      );
    } finally {
      await browser.close();
    }
  });

  it('stops a guesser at one number without locking the applicant out of it from another address', async () => {
    const created = await register('Петрова');
    const guesser = '198.51.100.7';
    for (let i = 0; i < GUESSES; i++) {
      expect((await statusFrom(guesser, created.registrationNumber, `WRONG${i}AA`)).status).toBe(404);
    }
    // The guesser is refused, the right code too (a lucky guess tells nothing) …
    const refused = await statusFrom(guesser, created.registrationNumber, created.accessCode);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(((await refused.json()) as { message: string }).message).toBe(
      'Слишком много попыток с неверным кодом доступа. Попробуйте позже',
    );
    // … the applicant is not: their wrong codes' hour was the guesser's to spend, not theirs.
    expect((await statusFrom('198.51.100.200', created.registrationNumber, created.accessCode)).status).toBe(
      200,
    );
  });

  it('refuses a number guessed from many addresses past its ceiling, except where its code was shown', async () => {
    const created = await register('Морозова');
    const home = '203.0.113.77';
    expect((await statusFrom(home, created.registrationNumber, created.accessCode)).status).toBe(200);
    // Ten times an address's budget, spread over ten addresses (none of them over its own budget).
    for (let a = 0; a < 10; a++) {
      for (let i = 0; i < GUESSES; i++) {
        const wrong = await statusFrom(`203.0.113.${a + 1}`, created.registrationNumber, `WRONG${i}AA`);
        expect(wrong.status).toBe(404);
      }
    }
    // A fresh address is refused, the right code too: no botnet guesses on for ever …
    expect((await statusFrom('203.0.113.99', created.registrationNumber, created.accessCode)).status).toBe(
      429,
    );
    // … while the applicant's own address, which showed the code before, still reads the status.
    expect((await statusFrom(home, created.registrationNumber, created.accessCode)).status).toBe(200);
  });

  it('refuses an address after its budget of wrong codes, whichever numbers it tried', async () => {
    const created = await register('Сидорова');
    const guesser = '192.0.2.7';
    for (let i = 0; i < GUESSES; i++) {
      expect((await statusFrom(guesser, `2026-9${String(i).padStart(5, '0')}`, 'GUESSAAA')).status).toBe(404);
    }
    expect((await statusFrom(guesser, created.registrationNumber, created.accessCode)).status).toBe(429);
    // The applicant from another address still reads the status.
    expect((await statusFrom('192.0.2.8', created.registrationNumber, created.accessCode)).status).toBe(200);
  });

  it('stores the code keyed (ACCESS_CODE_KEY), and keeps the codes issued before working, keyed in place', async () => {
    const { registrationNumber: number, accessCode: code } = await register('Соколова');
    const ds = stack.db.dataSource;
    const stored = async () =>
      (
        (await ds.query(`SELECT access_code_hash AS hash FROM appeals WHERE registration_number = $1`, [
          number,
        ])) as { hash: string }[]
      )[0].hash;
    const at = '192.0.2.30';
    // What a leaked database held: SHA-256 of `number:code`, whose 31^8 codes a search tried in seconds.
    const unkeyed = createHash('sha256').update(`${number}:${code}`).digest('hex');
    expect(await stored()).toMatch(/^k1:[0-9a-f]{64}$/);
    expect(await stored()).not.toContain(unkeyed);
    // A code issued before the key: its unkeyed hash still opens the status …
    await ds.query(`UPDATE appeals SET access_code_hash = $2 WHERE registration_number = $1`, [
      number,
      unkeyed,
    ]);
    expect((await statusFrom(at, number, code)).status).toBe(200);
    // … and the worker's first sweep keys it where it lies (here called directly), the code still opening it.
    expect(await stack.api.get(AppealRegistrar).keyUnkeyedAccessCodes()).toBeGreaterThanOrEqual(1);
    expect(await stored()).toMatch(/^k1w:[0-9a-f]{64}$/);
    expect((await statusFrom(at, number, code)).status).toBe(200);
    expect((await statusFrom(at, number, 'WRONG2AA')).status).toBe(404);
  });
});
