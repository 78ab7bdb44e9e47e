import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Role, StaffUsers } from '@inbox/access';
import { launchChromium } from '../support/browser';
import { watchProblems } from '../support/page-problems';
import { staffStack } from '../support/staff-stack';
import { json } from '../support/test-stack';
import { ensureWebBuilt } from '../support/web-build';

const SHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');
const PASSWORD = 'den-v-rabote-2026';

/**
 * A working day in the workspace at 1366×768, what staff hit in the demo: a line-2 clerk who takes an
 * escalated appeal sees it is theirs (the button goes, the card names them).
 */
describe('a working day in the staff workspace (browser e2e)', () => {
  const t = staffStack({
    organisations: { minzhkh: 'minzhkh' },
    topics: { housing: 'housing' },
    staff: {
      operator: [Role.Operator, 'cur'],
    },
  });
  const { ids, staff, call } = t;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems = new Map<Page, string[]>();

  beforeAll(async () => {
    ensureWebBuilt();
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    // Staff who sign in through the login page, as people do.
    await t.stack.api.get(StaffUsers).create({
      login: 'petrov',
      password: PASSWORD,
      fullName: 'Петров Сергей Владимирович',
      role: Role.Clerk,
      organisationId: ids.minzhkh,
    });
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Signs in through the login page and opens the path. */
  async function open(login: string, path: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ru-RU' });
    contexts.push(context);
    const page = await context.newPage();
    problems.set(page, watchProblems(page));
    page.setDefaultTimeout(20_000);
    await page.goto(`${t.stack.baseUrl}/app${path}`);
    await page.getByLabel('Логин').fill(login);
    await page.getByLabel('Пароль').fill(PASSWORD);
    await page.getByRole('button', { name: 'Войти' }).click();
    return page;
  }

  /** A call registered by line 1 and escalated to Минжкх. */
  async function escalatedCall(): Promise<{ id: string; registrationNumber: string }> {
    const appeal = await json(
      call('POST', '/api/v1/appeals', staff.operator, {
        medium: 'phone',
        surname: 'Орлова',
        firstName: 'Мария',
        patronymic: 'Петровна',
        phone: '+7 913 222-11-00',
        subject: 'Нет отопления',
        text: 'В квартире на ул. Мира, 7 третий день холодные батареи, управляющая компания не отвечает.',
        topicId: ids.housing,
      }),
    );
    const escalated = await call('POST', `/api/v1/appeals/${appeal.id}/escalate`, staff.operator, {
      organisationIds: [ids.minzhkh],
    });
    expect(escalated.status).toBe(204);
    return appeal;
  }

  it('clerk: takes the escalated appeal; the button goes and the card names the clerk as its executor', async () => {
    const appeal = await escalatedCall();
    const page = await open('petrov', `/appeals/${appeal.id}`);
    await page.getByRole('heading', { name: `Обращение № ${appeal.registrationNumber}` }).waitFor();
    const part = page.getByTestId('appeal-organisation').filter({ hasText: 'Министерство ЖКХ' });
    await part.getByTestId('part-assignee').getByText('Исполнитель не назначен').waitFor();
    const toolbar = page.getByRole('toolbar', { name: 'Действия с обращением' });
    await toolbar.getByRole('button', { name: 'Взять в работу' }).click();
    await page.getByText('Обращение взято в работу').waitFor();
    await part.getByTestId('part-assignee').getByText('Исполнитель: Петров Сергей Владимирович').waitFor();
    // Taken: nothing left to take (it used to stay, as if the clerk's part were still nobody's).
    await toolbar.getByRole('button', { name: 'Вернуть как не по адресу' }).waitFor();
    expect(await toolbar.getByRole('button', { name: 'Взять в работу' }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'workspace-day-clerk-taken.png') });
    expect(problems.get(page)).toEqual([]);
  });
});
