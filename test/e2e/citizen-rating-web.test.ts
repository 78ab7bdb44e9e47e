import { type Browser, type Page } from 'playwright-core';
import { Role } from '@inbox/access';
import { signInAs, type SignedIn } from '../factories/staff';
import { type DovecotInstance, startDovecot } from '../fakes/email/dovecot';
import { type SmtpReceiver, startSmtpReceiver } from '../fakes/email/smtp-receiver';
import { axeViolations, launchChromium } from '../support/browser';
import { phoneAppeal } from '../factories/appeals';
import { watchProblems } from '../support/page-problems';

import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import { answerAndRatingLinks, answerAppeal, EMAIL_ENV, mailHeader, readMail } from './feed-helpers';
import { publicRating } from '../support/citizen';
import { PublicAnswerLinks1796207200000 } from '../../migrations/1796207200000-PublicAnswerLinks';

const OURS = 'obrashcheniya@region.test';

/**
 * Issue 12, a citizen rates an answer in a real browser, on one stack (api, worker, mail):
 * - by the link in the answer letter: a call registered with the caller's e-mail is answered by letter; the
 *   citizen opens the rating link, reads which answer it rates, answers both questions poorly and is told the
 *   appeal goes to the superior organisation (it is reopened there); the key leaves the address bar; the same
 *   link again says the answer is rated; an altered link says it is not valid;
 * - on the status page with the access code (the appeal written on the portal's form, after a look at its FAQ):
 *   before any answer the page says there is nothing to rate yet (and the API refuses a rating in Russian);
 *   once answered, the citizen enters the number and the code, rates poorly with the form rate.html uses and is
 *   told the appeal is reopened; checked again, the answer is rated.
 * No serious or critical WCAG 2.1 A/AA violation, no console error and no failed request but the refusals.
 */
describe('a citizen rates an answer in the browser (e2e)', () => {
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

  it('rates the answer from the letter, once, and refuses an altered link', async () => {
    const citizen = 'orlov.p@example.ru';
    const res = await fetch(`${stack.baseUrl}/api/v1/appeals`, {
      method: 'POST',
      headers: operator.headers,
      body: JSON.stringify(
        phoneAppeal('Орлов Пётр Ильич', '+7 913 555-00-11', {
          email: citizen,
          subject: 'Нет горячей воды',
          text: 'Звонок: в доме по ул. Мира, 8 неделю нет горячей воды, управляющая компания не отвечает.',
        }),
      ),
    });
    expect(res.status).toBe(201);
    const appeal = (await res.json()) as { id: string; registrationNumber: string };
    expect(
      (
        await fetch(`${stack.baseUrl}/api/v1/appeals/${appeal.id}/take`, {
          method: 'POST',
          headers: operator.headers,
        })
      ).status,
    ).toBe(204);
    const text = 'Управляющей компании выдано предписание, горячая вода будет подана до пятницы.';
    await answerAppeal(stack, appeal.id, operator, supervisor, text);

    // The answer letter, and the link under it (rebased onto this stack's address).
    const letter = await eventually(async () =>
      smtp.accepted().find((m) => m.to.includes(citizen) && !mailHeader(m, 'Auto-Submitted')),
    );
    const { answer, links } = answerAndRatingLinks((await readMail(letter, citizen)).text);
    expect(answer).toBe(text);
    expect(links).toHaveLength(1);
    const link = new URL(links[0]);
    const url = `${stack.baseUrl}${link.pathname}${link.search}${link.hash}`;
    // A link sent while its table was `rating_links` opens after the rename (PublicAnswerLinks), as sent.
    const renamed = new PublicAnswerLinks1796207200000();
    await renamed.down(stack.db.dataSource.createQueryRunner());
    const kept = `SELECT count(*)::int AS n FROM rating_links WHERE appeal_id = $1`;
    expect(await stack.db.dataSource.query(kept, [appeal.id])).toEqual([{ n: 1 }]);
    await renamed.up(stack.db.dataSource.createQueryRunner());

    const context = await browser.newContext({
      bypassCSP: true,
      locale: 'ru-RU',
      timezoneId: 'Asia/Novosibirsk',
    });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(url);
    await page
      .getByText(new RegExp(`Обращение № ${appeal.registrationNumber}: ответ .+ от \\d+ \\S+ \\d{4} г\\.`))
      .waitFor();
    // The personal key does not stay in the address bar.
    expect(page.url()).toBe(`${stack.baseUrl}/rate.html`);
    expect(await axeViolations(page)).toEqual([]);

    // Both questions are asked; one alone is not enough.
    await page.getByLabel('Нет, ответа на вопрос нет').check();
    await page.getByRole('button', { name: 'Отправить оценку' }).click();
    await page.getByRole('alert').getByText('Ответьте на оба вопроса').waitFor();
    await page.getByLabel('Не удовлетворён').check();
    // Both answered now: the reminder goes before the citizen sends.
    expect(await page.getByText('Ответьте на оба вопроса').count()).toBe(0);
    await page.getByRole('button', { name: 'Отправить оценку' }).click();
    await page
      .getByText(
        'Спасибо за оценку. Обращение направлено на повторное рассмотрение в вышестоящую организацию.',
      )
      .waitFor();
    const card = await json(
      fetch(`${stack.baseUrl}/api/v1/appeals/${appeal.id}`, { headers: supervisor.headers }),
    );
    expect(card.status).toBe('reopened');
    const ratings = (await stack.db.dataSource.query(
      `SELECT channel, answered, satisfaction, poor FROM ratings WHERE appeal_id = $1`,
      [appeal.id],
    )) as unknown[];
    expect(ratings).toEqual([
      { channel: 'email', answered: false, satisfaction: 'not-satisfied', poor: true },
    ]);

    // The same link again: the answer is rated already, nothing to send.
    await page.goto(url);
    await page.getByText('Этот ответ уже оценён. Спасибо!').waitFor();
    expect(await page.getByRole('button', { name: 'Отправить оценку' }).isVisible()).toBe(false);
    expect(problems).toEqual([]);

    // An altered link: refused in Russian, the form never shown.
    const token = new URLSearchParams(link.hash.slice(1)).get('t')!;
    const altered = url.replace(token, token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'));
    await page.goto(altered);
    await page
      .getByRole('alert')
      .getByText('Ссылка для оценки недействительна. Откройте её из письма с ответом целиком, без изменений.')
      .waitFor();
    expect(await page.getByRole('button', { name: 'Отправить оценку' }).isVisible()).toBe(false);
    // The one problem on the way is that refusal (the browser logs the 404 of the lookup too).
    expect(problems.sort()).toEqual([
      expect.stringMatching(/^404: POST .*\/api\/v1\/public\/rating-links\/read$/),
      'console: Failed to load resource: the server responded with a status of 404 (Not Found)',
    ]);
    expect((await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM ratings`))[0].n).toBe(1);

    // The link opened after its term: not a dead end, the citizen is told where the answer can still be rated.
    await stack.db.dataSource.query(
      `UPDATE public_answer_links SET expires_at = now() - interval '1 day' WHERE appeal_id = $1`,
      [appeal.id],
    );
    problems.length = 0;
    await page.goto(url);
    await page
      .getByRole('alert')
      .getByText(
        // A call's citizen holds no access code: the status page alone was a dead end.
        'Срок действия ссылки для оценки истёк. Чтобы оценить ответ, ответьте на письмо с ответом и напишите в ' +
          'нём свою оценку. Если обращение подано на портале и у вас есть код доступа, оценить ответ можно и на ' +
          'странице «Проверить статус обращения».',
      )
      .waitFor();
    // Gone, as an expired link to an answer's files (test/e2e/ok-channel.test.ts): it was, and is no more.
    expect(problems.sort()).toEqual([
      expect.stringMatching(/^410: POST .*\/api\/v1\/public\/rating-links\/read$/),
      'console: Failed to load resource: the server responded with a status of 410 (Gone)',
    ]);
    expect(await page.getByRole('link', { name: 'Проверить статус обращения' }).first().isVisible()).toBe(
      true,
    );
    // Reloaded (or come back to): the key left the address on opening, and the page says so and where to go —
    // not that the letter's link was incomplete.
    await page.reload();
    await page
      .getByRole('alert')
      .getByText(
        /^В адресе страницы нет ключа для оценки: он убирается из адреса сразу после открытия ссылки\. .* Если обращение подано на портале и у вас есть код доступа/,
      )
      .waitFor();
    await context.close();
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
    const context = await browser.newContext({
      bypassCSP: true,
      locale: 'ru-RU',
      timezoneId: 'Asia/Novosibirsk',
    });
    const page = await context.newPage();
    const problems = watchProblems(page);
    const submit = page.getByRole('button', { name: 'Отправить оценку' });

    // The FAQ with its server failing (a page of its own: the failure is meant): a server error, not «check your
    // connection», which would send the citizen to fix what is not broken.
    const down = await context.newPage();
    await down.route('**/api/v1/public/faq', (route) => route.fulfill({ status: 503, body: '' }));
    await down.goto(`${stack.baseUrl}/faq.html`);
    await down.getByRole('alert').filter({ hasText: 'временной ошибки на сервере' }).waitFor();
    await down.close();

    // The FAQ first (nothing published on this stack), then the appeal through the form on the first page.
    await page.goto(`${stack.baseUrl}/faq.html`);
    await page.getByText('Пока нет опубликованных ответов.').waitFor();
    // The question box is a field like the form's: its field's width, a finger's height and the page's 16 px type
    // (under 16 px a phone's browser zooms the page in on it), not the browser's bare search box.
    expect(
      await page.locator('#faq-q').evaluate((el) => {
        const box = el.getBoundingClientRect();
        return {
          fullWidth: box.width === el.parentElement?.getBoundingClientRect().width,
          tall: box.height >= 40,
          fontSize: el.ownerDocument.defaultView?.getComputedStyle(el).fontSize,
        };
      }),
    ).toEqual({ fullWidth: true, tall: true, fontSize: '16px' });
    await page.locator('#faq-q').fill('мусор во дворе');
    await page.getByRole('button', { name: 'Найти ответ' }).click();
    await page.getByText('Готового ответа не нашлось. Вы можете подать обращение.').waitFor();
    // The outcome stands apart from the buttons above it, not on their heels.
    const buttons = await page.locator('#faq-form .form-actions').boundingBox();
    const outcome = await page.locator('#faq-status').boundingBox();
    expect((outcome?.y ?? 0) - ((buttons?.y ?? 0) + (buttons?.height ?? 0))).toBeGreaterThanOrEqual(12);
    await page.goto(`${stack.baseUrl}/`);
    await page.locator('#surname').fill('Смирнова');
    await page.locator('#firstName').fill('Анна');
    await page.locator('#email').fill('smirnova.a@example.ru');
    await page
      .locator('#text')
      .fill('Во дворе дома по ул. Гагарина, 21 второй месяц не вывозят мусор, контейнеры переполнены.');
    await page.locator('#consent').check();
    await page.getByRole('button', { name: 'Отправить обращение' }).click();
    await page.locator('#success-section').waitFor();
    const number = (await page.locator('#result-number').textContent()) ?? '';
    const code = (await page.locator('#result-code').textContent()) ?? '';
    expect(await page.locator('#result-due').textContent()).toMatch(/^до \d{1,2} [а-я]+ \d{4} г\.$/);
    // With an e-mail given: the answer and the notices come to it (the page said nothing of what comes next).
    const next = await page.getByRole('list', { name: 'Что будет дальше' }).innerText();
    expect(next).toContain('о продлении и его причине сообщим по электронной почте');
    expect(next).toContain('Ответ придёт на указанную электронную почту');
    const [{ id }] = await eventually(async () => {
      const rows = (await stack.db.dataSource.query(`SELECT id FROM appeals WHERE registration_number = $1`, [
        number,
      ])) as { id: string }[];
      return rows.length ? rows : undefined;
    });

    // The success page's link carries the code in the fragment, which the browser never sends: the status page
    // reads it, posts it in a body and takes it out of the address bar; no request has it in its address.
    expect(await page.locator('#result-status-link').getAttribute('href')).toBe(
      `status.html?number=${number}#code=${code}`,
    );
    const addresses: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      addresses.push(url.pathname + url.search);
    });
    await page.locator('#result-status-link').click();
    // Before any answer: nothing to rate, and a rating is refused in Russian.
    await page.getByRole('heading', { name: `Обращение № ${number}` }).waitFor();
    await page.getByText('Ответ ещё не дан. Оценить ответ можно будет здесь').waitFor();
    expect(page.url()).toBe(`${stack.baseUrl}/status.html?number=${number}`);
    expect(addresses).toContain(`/api/v1/public/appeals/${number}/status`);
    expect(addresses.filter((a) => a.includes(code))).toEqual([]);
    expect(await submit.count()).toBe(0);
    const early = await publicRating(stack.baseUrl, number, code, {
      answered: false,
      satisfaction: 'not-satisfied',
    });
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
    // The status above says so too, not «Дан ответ» beside the thanks: the page reads it again after a rating.
    await page.locator('#result-status').getByText('Направлено на повторное рассмотрение').waitFor();
    await page
      .locator('#result-history')
      .getByText('Обращение направлено на повторное рассмотрение')
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);

    const card = await json(fetch(`${stack.baseUrl}/api/v1/appeals/${id}`, { headers: supervisor.headers }));
    expect(card.status).toBe('reopened');

    // Reviewed again, the term is extended and the appeal then passed on: the history says the new last day and
    // why, and where the appeal went and who answers now, as the notices did (it said «Срок рассмотрения продлён»
    // alone, and nothing of where the appeal went).
    const staffPost = (action: string, body: unknown) =>
      fetch(`${stack.baseUrl}/api/v1/appeals/${id}/${action}`, {
        method: 'POST',
        headers: supervisor.headers,
        body: JSON.stringify(body),
      });
    const why = 'Запрошены сведения у регионального оператора.';
    const extend = await staffPost('extend', { kind: 'appeal', days: 30, reason: why });
    expect([extend.status, await extend.text()]).toEqual([204, '']);
    const extended = await json(
      fetch(`${stack.baseUrl}/api/v1/appeals/${id}`, { headers: supervisor.headers }),
    );
    const newDue = (extended.deadlines.answerDueDate as string).split('-').reverse().join('.');
    expect(
      (await staffPost('redirect', { body: 'Администрация г. Бердска', reason: 'Вопрос местного значения' }))
        .status,
    ).toBe(204);
    await checkStatus(page, number, code);
    const history = page.locator('#result-history');
    await history
      .getByText(
        `Срок рассмотрения продлён: ответ будет направлен не позднее ${newDue}. ` +
          'Причина: запрошены сведения у регионального оператора.',
        { exact: true },
      )
      .waitFor();
    await history
      .getByText(
        'Обращение передано в организацию, которая решает такие вопросы: Администрация г. Бердска. ' +
          'Ответ вам направит она.',
        { exact: true },
      )
      .waitFor();
    // Nor a last day of ours for an answer another organisation gives.
    expect(await page.locator('#result-due').textContent()).toBe(
      'ответ направит организация, в которую передано обращение',
    );
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

    // An old link, the code in the query: still opens the status, and the code leaves the address bar.
    await page.goto(`${stack.baseUrl}/status.html?number=${number}&code=${code}`);
    await page.getByText('Этот ответ уже оценён. Спасибо!').waitFor();
    expect(page.url()).toBe(`${stack.baseUrl}/status.html?number=${number}`);

    expect(problems).toEqual([]);
    await context.close();
  });
});
