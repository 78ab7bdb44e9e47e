import { type Page } from 'playwright-core';
import { Role, StaffUsers } from '@inbox/access';
import { phoneAppeal } from '../factories/appeals';
import { foreignWords } from '../support/screen-language';

import { staffPages } from '../support/staff-pages';
import { staffStack } from '../support/staff-stack';
import { json } from '../support/test-stack';

const PASSWORD = 'uzkoe-okno-2026';
const WINDOWS = [
  { width: 1280, height: 720 },
  { width: 1024, height: 768 },
];

/**
 * A department clerk's and their head's day on a laptop's window (1280×720, 1024×768) with the keyboard
 * alone: signed in, the inbox read whole (its deadline column was cut off at 1024 px beside the menu), an
 * appeal taken and answered, the answer approved by the head — and every screen on the way in Russian,
 * with no raw codes or ISO dates.
 */
describe('a clerk and a head on a narrow window, keyboard only (browser e2e)', () => {
  const t = staffStack({
    organisations: { minzhkh: 'minzhkh' },
    topics: { housing: 'housing' },
    staff: { operator: [Role.Operator, 'cur'] },
  });
  const pages = staffPages();
  const { problems } = pages;

  beforeAll(async () => {
    const users = t.stack.api.get(StaffUsers);
    for (const [login, fullName, role] of [
      ['sidorov', 'Сидоров Павел Андреевич', Role.Clerk],
      ['nachalnik', 'Начальникова Ирина Олеговна', Role.Head],
    ] as const)
      await users.create({ login, password: PASSWORD, fullName, role, organisationId: t.ids.minzhkh });
  });

  /** A call line 1 registered and passed to Минжкх. */
  async function escalatedCall(subject: string): Promise<{ id: string; registrationNumber: string }> {
    const appeal = await json(
      t.call(
        'POST',
        '/api/v1/appeals',
        t.staff.operator,
        phoneAppeal('Орлова Мария Петровна', '+7 913 222-11-00', {
          subject,
          text: 'Третий день холодные батареи в квартире на ул. Мира, 7.',
          topicId: t.ids.housing,
        }),
      ),
    );
    const escalated = await t.call('POST', `/api/v1/appeals/${appeal.id}/escalate`, t.staff.operator, {
      organisationIds: [t.ids.minzhkh],
    });
    expect([escalated.status, escalated.status === 204 ? '' : await escalated.text()]).toEqual([204, '']);
    return appeal;
  }

  /** A page at `size`, signed in from the keyboard alone: the login field has the focus, Tab, Enter. */
  async function signInByKeyboard(size: { width: number; height: number }, login: string, path: string) {
    const page = await pages.newPage();
    await page.setViewportSize(size);
    await page.goto(`${t.stack.baseUrl}/app${path}`);
    await page.getByLabel('Логин').waitFor();
    await page.keyboard.type(login);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByTestId('current-user').waitFor();
    return page;
  }

  /** Tabs forward (at most 40 times) until the focus is on the control named `name`, then presses Enter. */
  async function tabTo(page: Page, name: RegExp) {
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const [focused, inSight] = (await page.evaluate(
        `(() => { const e = document.activeElement; if (!e) return ['', true]; const r = e.getBoundingClientRect();
          return [e.getAttribute('aria-label') || e.innerText || e.id || '', r.right > 0 && r.left < window.innerWidth]; })()`,
      )) as [string, boolean];
      // Never out of sight sideways: the folded menu's links took a dozen presses, the focus nowhere to be seen.
      expect([focused.trim(), inSight]).toEqual([focused.trim(), true]);
      if (name.test(focused.trim())) return;
    }
    throw new Error(`${name} was not reached with Tab`);
  }

  /** From the inbox's first row, j down to the appeal's row (the list marks it selected), then Enter. */
  async function openByKeyboard(page: Page, registrationNumber: string) {
    const row = page.locator('tr', { hasText: `№ ${registrationNumber}` });
    for (let i = 0; i < 20 && (await row.getAttribute('aria-selected')) !== 'true'; i++)
      await page.keyboard.press('j');
    expect(await row.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
  }

  /** What stands out of the window sideways: the page itself, or a table that must be scrolled to read. */
  async function cutOff(page: Page): Promise<string[]> {
    return (await page.evaluate(`(() => {
      const out = [];
      if (document.documentElement.scrollWidth > window.innerWidth) out.push('the page scrolls sideways');
      for (const th of document.querySelectorAll('main th')) {
        const r = th.getBoundingClientRect();
        if (r.width > 0 && r.right > window.innerWidth) out.push('column cut off: ' + th.innerText);
      }
      return out;
    })()`)) as string[];
  }

  /** Raw codes, ids, ISO dates and English words on the screen. */
  async function notRussian(page: Page): Promise<string[]> {
    const text = await page.locator('main').innerText();
    return [
      // The test's own staff (a line-1 operator's generated login) are data, not the screen's words.
      ...(await foreignWords(page, [/\bsidorov\b|\bnachalnik\b|\boperator-[\w-]+/g])),
      ...(text.match(/\d{4}-\d\d-\d\d(T\d\d:\d\d)?/g) ?? []),
    ];
  }

  for (const size of WINDOWS) {
    it(`${size.width}×${size.height}: the clerk reads the inbox whole, takes an appeal and drafts its answer without a mouse`, async () => {
      const appeal = await escalatedCall(`Холодные батареи (${size.width})`);
      const page = await signInByKeyboard(size, 'sidorov', '/inbox?queue=organisation');
      const row = page.locator('tr', { hasText: `№ ${appeal.registrationNumber}` });
      await row.waitFor();
      await page.locator('main th', { hasText: 'Ближайший срок' }).waitFor();
      expect(await cutOff(page)).toEqual([]);
      expect(await notRussian(page)).toEqual([]);

      // A search that finds nothing says so and leads back («Обращений нет» read as an empty queue).
      await page.keyboard.press('/');
      await page.keyboard.type('йцукенгшщз');
      await page.keyboard.press('Enter');
      await page
        .getByTestId('nothing-found')
        .getByText('По заданным условиям обращений не найдено')
        .waitFor();
      await tabTo(page, /^Сбросить поиск и фильтры$/);
      await page.keyboard.press('Enter');
      await row.waitFor();

      // The keyboard's way in: j moves down to the appeal's row, Enter opens it.
      await openByKeyboard(page, appeal.registrationNumber);
      await page.getByRole('heading', { name: `Обращение № ${appeal.registrationNumber}` }).waitFor();
      await tabTo(page, /^Взять в работу$/);
      await page.keyboard.press('Enter');
      await page.getByText('Обращение взято в работу').waitFor();
      // What was done is said politely (a status); Mantine's Alert had made every notice an alarm (role="alert").
      await page.getByRole('status').filter({ hasText: 'Обращение взято в работу' }).waitFor();
      expect(await page.getByRole('alert').count()).toBe(0);
      // The button went away with the action: the focus goes to the notice, not lost to the page's body.
      const focusOn = (text: string) =>
        page.waitForFunction(
          `document.activeElement?.classList.contains('mantine-Alert-root') &&
            document.activeElement.innerText.includes(${JSON.stringify(text)})`,
          undefined,
          {
            timeout: 5_000,
          },
        );
      await focusOn('Обращение взято в работу');
      await page.getByLabel('Текст ответа').focus();
      await page.keyboard.type('Управляющей компании выдано предписание восстановить отопление до пятницы.');
      await tabTo(page, /^Сохранить проект ответа$/);
      await page.keyboard.press('Enter');
      await page.getByTestId('draft-next-step').waitFor();
      await focusOn('Проект ответа сохранён');
      expect(await cutOff(page)).toEqual([]);
      expect(await notRussian(page)).toEqual([]);
      expect(problems.get(page)).toEqual([]);

      // The head finds it waiting for approval and approves it, from the keyboard too.
      const head = await signInByKeyboard(size, 'nachalnik', '/inbox?queue=approval');
      await head.locator('tr', { hasText: `№ ${appeal.registrationNumber}` }).waitFor();
      expect(await cutOff(head)).toEqual([]);
      await openByKeyboard(head, appeal.registrationNumber);
      await head.getByRole('heading', { name: `Обращение № ${appeal.registrationNumber}` }).waitFor();
      await tabTo(head, /^Согласовать$/);
      await head.keyboard.press('Enter');
      await head.getByText('Согласовал: Начальникова Ирина Олеговна').waitFor();
      expect(await cutOff(head)).toEqual([]);
      expect(await notRussian(head)).toEqual([]);
      expect(problems.get(head)).toEqual([]);
    });
  }
});
