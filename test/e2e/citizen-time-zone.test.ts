import { type Browser } from 'playwright-core';
import { Role } from '@inbox/access';
import { PublicAnswerLinks } from '@inbox/appeals';
import { signInAs } from '../factories/staff';
import { launchChromium } from '../support/browser';
import { fillAppealForm } from '../support/citizen';
import { watchProblems } from '../support/page-problems';
import { startTestStack, type TestStack } from '../support/test-stack';
import { answerAppeal } from './feed-helpers';

/** 00:30 on 2 December in Novosibirsk (UTC+7) is still 1 December in UTC. */
const NEAR_MIDNIGHT = '2026-12-01T17:30:00Z';

/**
 * The citizen reads dates in the appeal's zone (its organisation's, as staff screens show them), not the
 * browser's: a browser set to UTC, or a citizen away from the region, sees the registration date and the answer
 * date the letters and the staff give. A time says its zone when the browser's differs, as on staff screens.
 */
describe("the citizen's pages read dates in the appeal's zone (e2e)", () => {
  let stack: TestStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startTestStack();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows the registration and answer dates of the region to a browser in UTC', async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        surname: 'Белова',
        firstName: 'Ирина',
        email: 'belova.i@example.ru',
        text: 'Во дворе дома по ул. Кирова, 3 не горят фонари, вечером темно и опасно ходить.',
        consent: 'true',
      }),
    });
    expect(res.status).toBe(201);
    const { registrationNumber: number, accessCode: code } = (await res.json()) as {
      registrationNumber: string;
      accessCode: string;
    };
    await stack.db.dataSource.query(
      `UPDATE appeals SET time_zone = 'Asia/Novosibirsk', registered_at = $2 WHERE registration_number = $1`,
      [number, NEAR_MIDNIGHT],
    );
    const [{ id }] = (await stack.db.dataSource.query(
      `SELECT id FROM appeals WHERE registration_number = $1`,
      [number],
    )) as { id: string }[];
    const operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    const supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'cur');
    const text = 'Фонари во дворе отремонтированы, освещение восстановлено.';
    const answerId = await answerAppeal(stack, id, operator, supervisor, text, { take: true });
    await stack.db.dataSource.query(`UPDATE answers SET sent_at = $2 WHERE id = $1`, [
      answerId,
      NEAR_MIDNIGHT,
    ]);
    const [message] = (await stack.db.dataSource.query(
      `SELECT m.id FROM outbound_messages m JOIN outbound_message_answers x ON x.outbound_message_id = m.id
        WHERE x.answer_id = $1`,
      [answerId],
    )) as { id: string }[];
    const [link] = await stack.api.get(PublicAnswerLinks).mint({ id: message.id, appealId: id });

    const context = await browser.newContext({ bypassCSP: true, locale: 'ru-RU', timezoneId: 'UTC' });
    const page = await context.newPage();
    const problems = watchProblems(page);

    // The status page: the registration date is the region's (2 December), not the browser's (1 December); the
    // answer's time is the region's and says whose.
    await page.goto(`${stack.baseUrl}/status.html`);
    await page.locator('#number').fill(number);
    await page.locator('#code').fill(code);
    await page.getByRole('button', { name: 'Проверить статус' }).click();
    await page.getByRole('heading', { name: `Обращение № ${number}` }).waitFor();
    expect(await page.locator('#result-registered').textContent()).toBe('2 декабря 2026 г.');
    expect(await page.locator('#result-answers time').first().textContent()).toMatch(
      /^2 декабря 2026 г\., 00:30 \(Новосибирск, UTC\+7\), /,
    );

    // The rating page behind the answer letter's link: the answer's date is the region's too.
    const url = new URL(link.url);
    await page.goto(`${stack.baseUrl}${url.pathname}${url.search}${url.hash}`);
    await page.getByText(`Обращение № ${number}: ответ `).waitFor();
    expect(await page.locator('#rate-lead').textContent()).toMatch(/ от 2 декабря 2026 г\.$/);
    expect(problems).toEqual([]);
    await context.close();

    // A browser in the region's own zone: the same dates, and no zone said.
    const local = await browser.newContext({
      bypassCSP: true,
      locale: 'ru-RU',
      timezoneId: 'Asia/Novosibirsk',
    });
    const there = await local.newPage();
    await there.goto(`${stack.baseUrl}/status.html?number=${number}#code=${code}`);
    await there.getByRole('heading', { name: `Обращение № ${number}` }).waitFor();
    expect(await there.locator('#result-registered').textContent()).toBe('2 декабря 2026 г.');
    expect(await there.locator('#result-answers time').first().textContent()).toMatch(
      /^2 декабря 2026 г\., 00:30, /,
    );
    await local.close();
  });

  it("shows the registration date of the region on the form's confirmation, whatever the browser's zone", async () => {
    const [{ zone: region }] = (await stack.db.dataSource.query(
      `SELECT min(time_zone) AS zone FROM organisations`,
    )) as { zone: string }[];
    const dayIn = (timeZone: string, at: Date) =>
      new Intl.DateTimeFormat('ru-RU', { day: 'numeric', month: 'long', year: 'numeric', timeZone }).format(
        at,
      );
    // A browser whose date is not the region's from now until the form is sent: UTC−11 and UTC+14 are 25 hours
    // apart, so one of them is on another day than the region at any instant. Across the region's own midnight
    // no zone stays on another day, so the last minute before it is waited out.
    const away = async (): Promise<string> => {
      const [now, soon] = [new Date(), new Date(Date.now() + 60_000)];
      const zone = ['Pacific/Pago_Pago', 'Pacific/Kiritimati'].find((z) =>
        [now, soon].every((at) => dayIn(z, at) !== dayIn(region, at)),
      );
      if (zone) return zone;
      await new Promise((resolve) => setTimeout(resolve, 60_000));
      return away();
    };
    const browserZone = await away();
    const context = await browser.newContext({
      bypassCSP: true,
      locale: 'ru-RU',
      timezoneId: browserZone,
      viewport: { width: 375, height: 667 },
    });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${stack.baseUrl}/`);
    await fillAppealForm(page, {
      surname: 'Котова',
      firstName: 'Вера',
      phone: '+7 (913) 555-66-77',
      text: 'У остановки «Школа» на ул. Мира сломана скамейка, пожилым людям негде присесть.',
    });
    const sent = page.waitForResponse((r) => r.url().endsWith('/api/v1/public/appeals'));
    await page.getByRole('button', { name: 'Отправить обращение' }).click();
    const created = (await (await sent).json()) as { registeredAt: string; timeZone: string };
    await page.getByRole('heading', { name: 'Обращение зарегистрировано' }).waitFor();
    expect(created.timeZone).toBe(region);
    const registered = new Date(created.registeredAt);
    expect(dayIn(region, registered)).not.toBe(dayIn(browserZone, registered));
    expect(await page.locator('#result-registered').textContent()).toBe(dayIn(region, registered));
    expect(problems).toEqual([]);
    await context.close();
  });
});
