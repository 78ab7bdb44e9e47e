import { type Browser, type Page } from 'playwright-core';
import { Role } from '@inbox/access';
import { signInAs, type SignedIn } from '../factories/staff';
import { type DovecotInstance, startDovecot } from '../fakes/email/dovecot';
import { type SmtpReceiver, startSmtpReceiver } from '../fakes/email/smtp-receiver';
import { axeViolations, launchChromium } from '../support/browser';
import { watchProblems } from '../support/page-problems';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import { answerAppeal, EMAIL_ENV } from './feed-helpers';

const OURS = 'obrashcheniya@region.test';

/**
 * Issue 12, item 4, in a real browser: the applicant rates an answer on the status page with the access code.
 * A web-form appeal: before any answer the page says there is nothing to rate yet (and the API refuses a rating
 * in Russian); once answered, the citizen enters the number and the code, sees the answer with its rating form
 * (the one rate.html uses), must answer both questions, rates poorly and is told the appeal goes to the superior
 * organisation (it is reopened there); checked again, the answer says it is rated and offers no form. No serious
 * or critical WCAG 2.1 A/AA violation, no console error and no failed request.
 */
describe('rating an answer on the status page (browser e2e)', () => {
  let dovecot: DovecotInstance;
  let smtp: SmtpReceiver;
  let stack: TestStack;
  let browser: Browser;
  let operator: SignedIn;
  let supervisor: SignedIn;

  beforeAll(async () => {
    dovecot = await startDovecot();
    smtp = await startSmtpReceiver();
    stack = await startTestStack({ worker: true, env: EMAIL_ENV(dovecot, smtp, OURS) });
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'cur');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });

  /** The citizen opens the status page and enters the number and the code. */
  async function checkStatus(page: Page, number: string, code: string): Promise<void> {
    await page.goto(`${stack.baseUrl}/status.html`);
    await page.locator('#number').fill(number);
    await page.locator('#code').fill(code);
    await page.getByRole('button', { name: 'Проверить статус' }).click();
    await page.getByRole('heading', { name: `Обращение № ${number}` }).waitFor();
  }

  it('rates the answer once with the access code; a poor rating reopens the appeal', async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({
      surname: 'Смирнова',
      firstName: 'Анна',
      email: 'smirnova.a@example.ru',
      text: 'Во дворе дома по ул. Гагарина, 21 второй месяц не вывозят мусор, контейнеры переполнены.',
      consent: 'true',
    }))
      form.append(k, v);
    const created = (await json(
      fetch(`${stack.baseUrl}/api/v1/public/appeals`, { method: 'POST', body: form }),
    )) as { registrationNumber: string; accessCode: string };
    const { registrationNumber: number, accessCode: code } = created;
    const [{ id }] = await eventually(async () => {
      const rows = (await stack.db.dataSource.query(`SELECT id FROM appeals WHERE registration_number = $1`, [
        number,
      ])) as { id: string }[];
      return rows.length ? rows : undefined;
    });

    const context = await browser.newContext({ locale: 'ru-RU', timezoneId: 'Asia/Novosibirsk' });
    const page = await context.newPage();
    const problems = watchProblems(page);
    const submit = page.getByRole('button', { name: 'Отправить оценку' });

    // Before any answer: nothing to rate, and a rating is refused in Russian.
    await checkStatus(page, number, code);
    await page.getByText('Ответ ещё не дан. Оценить ответ можно будет здесь').waitFor();
    expect(await submit.count()).toBe(0);
    const early = await fetch(
      `${stack.baseUrl}/api/v1/public/appeals/${number}/rating?code=${encodeURIComponent(code)}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answered: false, satisfaction: 'not-satisfied' }),
      },
    );
    expect([early.status, ((await early.json()) as { message: string }).message]).toEqual([
      409,
      'Ответ по обращению ещё не дан: оценить можно после ответа',
    ]);

    expect(
      (
        await fetch(`${stack.baseUrl}/api/v1/appeals/${id}/take`, {
          method: 'POST',
          headers: operator.headers,
        })
      ).status,
    ).toBe(204);
    const text = 'Региональному оператору выдано предписание, мусор вывезен, график вывоза восстановлен.';
    await answerAppeal(stack, id, operator, supervisor, text);

    // Answered: the answer and its rating form, both questions asked.
    await eventually(async () => {
      await checkStatus(page, number, code);
      return (await page.getByText(text).count()) > 0 ? true : undefined;
    });
    await submit.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Нет, ответа на вопрос нет').check();
    await submit.click();
    await page.getByRole('alert').getByText('Ответьте на оба вопроса').waitFor();
    await page.getByLabel('Не удовлетворён', { exact: true }).check();
    await submit.click();
    await page
      .getByText(
        'Спасибо за оценку. Обращение направлено на повторное рассмотрение в вышестоящую организацию.',
      )
      .waitFor();
    expect(await submit.isVisible()).toBe(false);
    expect(await axeViolations(page)).toEqual([]);

    const card = await json(fetch(`${stack.baseUrl}/api/v1/appeals/${id}`, { headers: supervisor.headers }));
    expect(card.status).toBe('reopened');
    const ratings = (await stack.db.dataSource.query(
      `SELECT r.channel, r.answered, r.satisfaction, r.poor, r.answer_id = a.id AS "ofTheAnswer"
         FROM ratings r JOIN answers a ON a.appeal_id = r.appeal_id WHERE r.appeal_id = $1`,
      [id],
    )) as unknown[];
    expect(ratings).toEqual([
      { channel: 'website', answered: false, satisfaction: 'not-satisfied', poor: true, ofTheAnswer: true },
    ]);

    // Checked again (a reload clears the form): the answer is rated, nothing to send.
    await page.reload();
    await checkStatus(page, number, code);
    await page.getByText(text).waitFor();
    await page.getByText('Этот ответ уже оценён. Спасибо!').waitFor();
    expect(await submit.count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    expect(problems).toEqual([]);
    await context.close();
  });
});
