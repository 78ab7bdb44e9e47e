import { randomUUID } from 'node:crypto';
import { addCalendarDays, localDateOf, ProductionCalendar } from '@inbox/deadlines';
import { InboundStore } from '@inbox/intake';
import { Channel } from '@inbox/integrations/contract';
import { Role } from '@inbox/access';
import { inboundItem } from '../factories/inbound-items';
import { signInAs, type SignedIn } from '../factories/staff';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import { fillAppealForm, publicStatus } from '../support/citizen';
import { answerAppeal } from './feed-helpers';
import { type Browser } from 'playwright-core';
import { axeViolations, launchChromium, postsOf } from '../support/browser';

/** The expected due date: N calendar days on, moved back to a working day (the default last-day rule). */
function expectedDue(registeredAt: Date, days: number, zone: string): string {
  const calendar = ProductionCalendar.russian();
  let date = addCalendarDays(localDateOf(registeredAt, zone), days);
  while (!calendar.isWorkingDay(date)) date = addCalendarDays(date, -1);
  return date;
}

function form(fields: Record<string, string>, files: { name: string; type: string; content: Buffer }[] = []) {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  for (const f of files) body.append('attachments', new Blob([f.content], { type: f.type }), f.name);
  return body;
}

const validFields = {
  surname: 'Кузнецова',
  firstName: 'Ольга',
  patronymic: 'Викторовна',
  email: 'olga.k@example.ru',
  phone: '8 913 555-12-34',
  address: 'г. Новосибирск, ул. Ленина, 15',
  text: 'Третий день нет горячей воды в доме по ул. Ленина, 15. Управляющая компания не отвечает на звонки.',
  consent: 'true',
};

describe('website form → appeal (e2e)', () => {
  let stack: TestStack;
  let operator: SignedIn;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack.close();
  });

  it("serves each citizens' page with the one header, menu and footer, and its own title and scripts", async () => {
    const pages: [string, string, string][] = [
      ['/', 'Обращение в органы власти', 'form.js'],
      ['/index.html', 'Обращение в органы власти', 'form.js'],
      ['/status.html', 'Проверить статус обращения', 'status.js'],
      ['/faq.html', 'Частые вопросы', 'faq.js'],
      ['/rate.html?t=x', 'Оценить ответ на обращение', 'rate.js'],
    ];
    for (const [path, title, script] of pages) {
      const res = await fetch(`${stack.baseUrl}${path}`);
      expect([path, res.status, res.headers.get('content-type')]).toEqual([
        path,
        200,
        'text/html; charset=utf-8',
      ]);
      const html = await res.text();
      expect(html).toContain(`<title>${title} — Портал обращений граждан</title>`);
      expect(html).toContain(`<script src="${script}" defer></script>`);
      expect(html).toContain('<h1 id="page-title">' + title + '</h1>');
      expect(html).toMatch(/<header class="site-header">[\s\S]*Основное меню[\s\S]*<\/header>/);
      expect(html).toMatch(/<footer class="site-footer">[\s\S]*59-ФЗ[\s\S]*<\/footer>/);
      expect(html).not.toContain('{{');
    }
    // Their scripts and styles are still plain files.
    for (const file of [
      'form.js',
      'phone-rule.js',
      'status.js',
      'faq.js',
      'rate.js',
      'rating-form.js',
      'styles.css',
    ])
      expect([file, (await fetch(`${stack.baseUrl}/${file}`)).status]).toEqual([file, 200]);

    // On a desktop the e-mail and phone inputs stand level, the phone's hint of two lines beside the e-mail's
    // one; on a phone the header's menu is one line of short labels, each link still named in full.
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
    await page.goto(`${stack.baseUrl}/`);
    const box = async (name: string) =>
      (await page.getByRole('textbox', { name, exact: true }).boundingBox())!;
    const [email, phone] = [await box('Электронная почта'), await box('Телефон')];
    expect([phone.y, phone.height]).toEqual([email.y, email.height]);
    // The height of a hint's text (its box is the row's, as tall as the taller hint beside it).
    const hintHeight = (id: string) =>
      page.locator(id).evaluate((el) => {
        const text = el.ownerDocument.createRange();
        text.selectNodeContents(el);
        return Math.round(text.getBoundingClientRect().height);
      });
    expect(await hintHeight('#phone-hint')).toBeGreaterThan(await hintHeight('#email-hint'));
    await page.setViewportSize({ width: 375, height: 667 });
    const menu = page.getByRole('navigation', { name: 'Основное меню' });
    await menu.getByRole('link', { name: 'Проверить статус обращения' }).waitFor();
    const short = menu.locator('.site-nav__short');
    expect(await short.allInnerTexts()).toEqual(['Статус', 'Вопросы']);
    for (const label of await short.all()) expect(await label.isVisible()).toBe(true);
    const tops = await menu
      .getByRole('link')
      .evaluateAll((links) => links.map((l) => Math.round(l.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBe(1);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.close();
  });

  it('registers a form appeal with a number, a private code and a 30-day deadline in the organisation zone', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const res = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, {
      method: 'POST',
      body: form(validFields, [{ name: 'фото двора.png', type: 'image/png', content: png }]),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Record<string, string>;
    expect(created.registrationNumber).toMatch(/^\d{4}-\d{6}$/);
    expect(created.accessCode).toMatch(/^[2-9A-Z]{8}$/);
    const registeredAt = new Date(created.registeredAt);
    expect(created.answerDueDate).toBe(expectedDue(registeredAt, 30, 'Asia/Novosibirsk'));

    const list = await json(
      fetch(`${stack.baseUrl}/api/v1/appeals?channel=website`, { headers: operator.headers }),
    );
    expect(list.items).toHaveLength(1);
    const card = await json(
      fetch(`${stack.baseUrl}/api/v1/appeals/${list.items[0].id}`, { headers: operator.headers }),
    );
    expect(card).toMatchObject({
      registrationNumber: created.registrationNumber,
      regime: 'appeal',
      status: 'registered',
      timeZone: 'Asia/Novosibirsk',
      applicant: { surname: 'Кузнецова', email: 'olga.k@example.ru', phone: '+79135551234' },
    });
    expect(card.attachments).toEqual([
      expect.objectContaining({
        fileName: 'фото двора.png',
        contentType: 'image/png',
        size: png.length,
        status: 'stored',
      }),
    ]);
    expect(card.attachments[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(card.history.map((e: { type: string }) => e.type)).toEqual(['received', 'registered', 'routed']);

    const status = await publicStatus(stack.baseUrl, created.registrationNumber, created.accessCode);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ status: 'registered', statusText: 'Зарегистрировано' });
    const wrong = await publicStatus(stack.baseUrl, created.registrationNumber, 'ZZZZ2222');
    expect(wrong.status).toBe(404);
  });

  it('rejects bad input with Russian messages per field and stores nothing', async () => {
    const before = await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM inbound_items`);
    const res = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, {
      method: 'POST',
      body: form({ surname: 'Кузнецова', text: 'мало', email: 'не-почта' }),
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body).toMatchObject({ statusCode: 400, code: 'invalid-input' });
    expect(body.message).toBe('Проверьте правильность заполнения формы');
    expect(body.errors).toMatchObject({
      firstName: 'Укажите имя',
      email: expect.stringContaining('name@example.ru'),
      text: expect.stringContaining('от 10 до 10000'),
      consent: expect.stringContaining('согласие'),
    });
    const after = await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM inbound_items`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('answers 413 for a file over the limit and stores nothing', async () => {
    const before = await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM inbound_items`);
    const big = Buffer.alloc(10 * 1024 * 1024 + 10, 0x25);
    const res = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, {
      method: 'POST',
      body: form(validFields, [{ name: 'scan.pdf', type: 'application/pdf', content: big }]),
    });
    expect(res.status).toBe(413);
    expect(await json(res)).toEqual({
      statusCode: 413,
      code: 'too-large',
      message: 'Файлы слишком большие',
      errors: { attachments: 'Файлы слишком большие' },
    });
    const after = await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM inbound_items`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('answers 400 for files sent under another field name', async () => {
    const body = form(validFields);
    body.append('scan', new Blob([Buffer.from('%PDF-1.4')], { type: 'application/pdf' }), 'scan.pdf');
    const res = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, { method: 'POST', body });
    expect(res.status).toBe(400);
    const message = 'Вложения переданы некорректно: используйте поле «attachments»';
    expect(await json(res)).toEqual({
      statusCode: 400,
      code: 'invalid-input',
      message,
      errors: { attachments: message },
    });
  });

  it('gives the same appeal and code for the same form submitted twice, and nothing for other contents', async () => {
    const key = `retry-${randomUUID()}`;
    const send = (fields = validFields) =>
      fetch(`${stack.baseUrl}/api/v1/public/appeals`, {
        method: 'POST',
        headers: { 'Idempotency-Key': key },
        body: form(fields),
      });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    const a = await json(first);
    const b = await json(second);
    // The citizen may never have seen the first answer: the retry shows the same code, which still opens the
    // status (a new code each time would let anyone holding the key take the status away from its citizen).
    expect(b.registrationNumber).toBe(a.registrationNumber);
    expect(a.accessCode).toMatch(/^[2-9A-Z]{8}$/);
    expect(b.accessCode).toBe(a.accessCode);
    expect(b.statusUrl).toContain(`#code=${a.accessCode}`);
    // Someone who knows only the key sends other contents under it: refused, the first appeal's number and code
    // told nowhere, no second appeal, the citizen's code still opens the status.
    const other = await send({
      ...validFields,
      surname: 'Злоумышленников',
      text: `${validFields.text} Ещё.`,
    });
    expect(other.status).toBe(409);
    const refused = await other.text();
    expect(refused).not.toContain(a.registrationNumber);
    expect(refused).not.toContain(a.accessCode);
    const items = await stack.db.dataSource.query(
      `SELECT count(*)::int AS n, count(appeal_id)::int AS appeals FROM inbound_items WHERE external_id = $1`,
      [`form:${key}`],
    );
    expect(items).toEqual([{ n: 1, appeals: 1 }]);
    expect((await publicStatus(stack.baseUrl, a.registrationNumber, a.accessCode)).status).toBe(200);
  });

  it('keeps what the citizen typed when the answer is lost, and the retry gives the one appeal and its code', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 667 }, locale: 'ru-RU' });
    const page = await context.newPage();
    const text =
      'Во дворе дома по ул. Гоголя, 7 кв. 12 третью неделю не вывозят мусор 😡 — контейнеры переполнены.';
    // The first submission reaches the server and is registered, but its answer never comes back (a dropped
    // mobile connection).
    const startedAt = new Date();
    let posts = 0;
    await page.route('**/api/v1/public/appeals', async (route) => {
      posts += 1;
      // First a gateway in front of the api turns it away in English: the citizen reads Russian all the same.
      if (posts === 1)
        return route.fulfill({
          status: 429,
          json: { message: 'Too Many Requests' },
          headers: { 'Retry-After': '60' },
        });
      if (posts > 2) return route.continue();
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.goto(`${stack.baseUrl}/`);
    await fillAppealForm(page, { surname: 'Гусева', firstName: 'Дарья', phone: '+7 (913) 444-55-66', text });
    await page.getByRole('button', { name: 'Отправить обращение' }).click();
    await page.locator('#form-alert', { hasText: 'Слишком много обращений' }).waitFor();
    expect(await page.locator('#form-alert').innerText()).toBe(
      'Слишком много обращений за короткое время. Подождите несколько минут и попробуйте снова. ' +
        'Повторить можно через 1 минуту.',
    );
    await page.getByRole('button', { name: 'Отправить обращение' }).click();
    await page.locator('#form-alert', { hasText: 'Не удалось связаться с сервером' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Текст обращения' }).inputValue()).toBe(text);

    await page.getByRole('button', { name: 'Отправить обращение' }).click();
    await page.getByRole('heading', { name: 'Обращение зарегистрировано' }).waitFor();
    expect(await page.locator('#result-repeated').isVisible()).toBe(true);
    // A phone only: no letter will bring the answer, and the page says where it will be.
    expect(await page.locator('#result-answer-where').innerText()).toContain(
      'ответ не придёт письмом: он появится на странице статуса обращения',
    );
    // What happens next, and where this citizen (no e-mail: no notice reaches them) will read of it: the term, its
    // extension and why, a redirection and where to.
    const next = await page.getByRole('list', { name: 'Что будет дальше' }).innerText();
    expect(next).toContain('в течение 30 дней со дня регистрации');
    expect(next).toContain('о продлении и его причине будет сказано на странице статуса обращения');
    expect(next).toContain(
      'в течение 7 дней обращение передадут ей; на странице статуса будет указано, какой',
    );
    // At 375 px «Проверить статус обращения» takes two lines, each centred in its button as the one-line
    // buttons' labels are, not flush left.
    const lines = await page.locator('#result-status-link').evaluate((el) => {
      const box = el.getBoundingClientRect();
      const range = el.ownerDocument.createRange();
      range.selectNodeContents(el);
      return Array.from(range.getClientRects(), (r: { left: number; right: number }) =>
        Math.round(r.left - box.left - (box.right - r.right)),
      );
    });
    expect(lines.length).toBeGreaterThan(1);
    for (const offCentre of lines) expect(Math.abs(offCentre)).toBeLessThanOrEqual(2);
    const number = await page.locator('#result-number').innerText();
    const code = await page.locator('#result-code').innerText();
    const rows = await stack.db.dataSource.query(
      `SELECT registration_number FROM appeals WHERE registered_at > $1`,
      [startedAt],
    );
    expect(rows).toEqual([{ registration_number: number }]);
    expect((await publicStatus(stack.baseUrl, number, code)).status).toBe(200);
    await context.close();
  });

  it('checks on the page as the server does: a WordPad document taken, a one-letter domain refused', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
    const posts = postsOf(page);
    await page.goto(`${stack.baseUrl}/`);
    await page.getByRole('textbox', { name: 'Фамилия' }).fill('Ершов');
    await page.getByRole('textbox', { name: 'Имя', exact: true }).fill('Глеб');
    const email = page.getByRole('textbox', { name: 'Электронная почта' });
    await email.fill('ershov@mail.r');
    await page
      .getByRole('textbox', { name: 'Текст обращения' })
      .fill('Заявление о перерасчёте платы — во вложении.');
    await page.setInputFiles('#attachments', {
      name: 'заявление.rtf',
      mimeType: 'application/rtf',
      buffer: Buffer.from('{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Прошу сделать перерасчёт.}'),
    });
    expect(await page.getByRole('list', { name: 'Выбранные файлы' }).innerText()).toContain('заявление.rtf');
    await page.getByRole('checkbox', { name: /согласие на обработку персональных данных/ }).check();
    await page.getByRole('button', { name: 'Отправить обращение' }).click();
    // The address the server would refuse is refused here, before the files travel.
    await page.locator('#email-error', { hasText: 'ivanov@example.ru' }).waitFor();
    expect(await email.evaluate((el) => el.ownerDocument.activeElement === el)).toBe(true);
    expect(posts).toEqual([]);
    await email.fill('ershov@mail.ru');
    await page.getByRole('button', { name: 'Отправить обращение' }).click();
    await page.getByRole('heading', { name: 'Обращение зарегистрировано' }).waitFor();
    const number = await page.locator('#result-number').innerText();
    const files = await stack.db.dataSource.query(
      `SELECT f.file_name FROM attachments f JOIN appeals a ON a.id = f.appeal_id WHERE a.registration_number = $1`,
      [number],
    );
    expect(files).toEqual([{ file_name: 'заявление.rtf' }]);
  });

  it('updates the error summary as the citizen corrects each field, and removes it when all are right', async () => {
    // CSP bypassed for axe's inline script only.
    const page = await browser.newPage({
      viewport: { width: 375, height: 667 },
      locale: 'ru-RU',
      bypassCSP: true,
    });
    await page.goto(`${stack.baseUrl}/`);
    await page.getByRole('button', { name: 'Отправить обращение' }).click();
    const summary = page.locator('#form-alert li');
    const entries = async () => (await summary.allInnerTexts()).map((t) => t.split(':')[0]);
    expect(await entries()).toEqual([
      'Фамилия',
      'Имя',
      'Контактные данные',
      'Текст обращения',
      'Согласие на обработку персональных данных',
    ]);
    // Focus went to the first field in error, which names its error for a screen reader.
    const surname = page.getByRole('textbox', { name: 'Фамилия' });
    expect(await surname.evaluate((el) => el.ownerDocument.activeElement === el)).toBe(true);
    expect(await surname.getAttribute('aria-invalid')).toBe('true');
    // With every error shown, the page still passes WCAG 2.1 AA as axe reads it (labels, error ties, contrast).
    expect(await axeViolations(page)).toEqual([]);
    await surname.fill('Зайцева');
    expect(await entries()).toEqual([
      'Имя',
      'Контактные данные',
      'Текст обращения',
      'Согласие на обработку персональных данных',
    ]);
    expect(await surname.getAttribute('aria-invalid')).toBeNull();
    const text = page.getByRole('textbox', { name: 'Текст обращения' });
    await text.fill('Яма');
    expect(await summary.allInnerTexts()).toContain(
      'Текст обращения: Текст обращения должен содержать не менее 10 символов',
    );
    await page.getByRole('textbox', { name: 'Имя', exact: true }).fill('Анна');
    await page.getByRole('textbox', { name: 'Телефон' }).fill('383 222-33-44');
    await text.fill('Яма на дороге у дома по ул. Мира, 3.');
    expect(await entries()).toEqual(['Согласие на обработку персональных данных']);
    await page.getByRole('checkbox', { name: /согласие на обработку персональных данных/ }).check();
    expect(await page.locator('#form-alert').innerText()).toBe('');
    await page.close();
  });

  it('takes a landline typed without 8 or +7 as the server does, and asks for the city code where it is missing', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 667 }, locale: 'ru-RU' });
    const posts = postsOf(page);
    await page.goto(`${stack.baseUrl}/`);
    await page.getByRole('textbox', { name: 'Фамилия' }).fill('Тихонов');
    await page.getByRole('textbox', { name: 'Имя', exact: true }).fill('Павел');
    const phone = page.getByRole('textbox', { name: 'Телефон' });
    await phone.fill('222-33-44');
    await page
      .getByRole('textbox', { name: 'Текст обращения' })
      .fill('Не работает уличное освещение на ул. Садовой от дома 1 до дома 15.');
    await page.getByRole('checkbox', { name: /согласие на обработку персональных данных/ }).check();
    await page.getByRole('button', { name: 'Отправить обращение' }).click();
    // The server's own words, under the field, read out with it; focus on it; nothing sent.
    const error = 'Укажите номер вместе с кодом города, например: 8 383 222-33-44';
    await page.locator('#phone-error', { hasText: error }).waitFor();
    expect(await phone.evaluate((el) => el.ownerDocument.activeElement === el)).toBe(true);
    expect(await phone.getAttribute('aria-describedby')).toContain('phone-error');
    expect(posts).toEqual([]);
    const refused = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, {
      method: 'POST',
      body: form({ ...validFields, email: '', phone: '222-33-44' }),
    });
    expect((await json(refused)).errors.phone).toBe(error);

    await phone.fill('383 222-33-44');
    expect(await page.locator('#phone-error').innerText()).toBe('');
    await page.getByRole('button', { name: 'Отправить обращение' }).click();
    await page.getByRole('heading', { name: 'Обращение зарегистрировано' }).waitFor();
    const number = await page.locator('#result-number').innerText();
    const [row] = await stack.db.dataSource.query(
      `SELECT p.phone FROM appeals a JOIN applicants p ON p.id = a.applicant_id WHERE a.registration_number = $1`,
      [number],
    );
    expect(row.phone).toBe('+73832223344');
    await page.close();
  });

  it('does not take files beyond what the server accepts together, and says so under the field', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 667 }, locale: 'ru-RU' });
    await page.goto(`${stack.baseUrl}/`);
    // Three phone photos of 7.5 MB: each within 10 MB, together over the 20 MB the server takes at once.
    const photo = Buffer.alloc(7.5 * 1024 * 1024, 7);
    Buffer.from('ffd8ffe000104a464946', 'hex').copy(photo);
    await page.setInputFiles(
      '#attachments',
      ['подъезд.jpg', 'двор.jpg', 'крыша.jpg'].map((name) => ({
        name,
        mimeType: 'image/jpeg',
        buffer: photo,
      })),
    );
    const list = page.getByRole('list', { name: 'Выбранные файлы' });
    expect(await list.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringContaining('подъезд.jpg'),
      expect.stringContaining('двор.jpg'),
    ]);
    expect(await page.locator('#attachments-error').innerText()).toBe(
      'Файл «крыша.jpg» не добавлен: все файлы вместе должны быть не больше 20 МБ.',
    );
    expect(await page.locator('#attachments-hint').innerText()).toContain('все вместе — не больше 20 МБ');

    // An iPhone's HEIC photo: refused with how to make it a JPG.
    await page.setInputFiles('#attachments', {
      name: 'IMG_0042.HEIC',
      mimeType: 'image/heic',
      buffer: Buffer.from('000000186674797068656963', 'hex'),
    });
    expect(await page.locator('#attachments-error').innerText()).toContain(
      'фото в формате HEIC не принимается. Сохраните его как JPG',
    );
    // A file whose contents are not what its name says, which only the server finds (415): under the files, with
    // what to do, and the citizen is taken there (it went to the top of the page alone).
    await list.getByRole('button', { name: 'Удалить файл двор.jpg' }).click();
    await page.setInputFiles('#attachments', {
      name: 'акт.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('MZ\x90\x00 not a pdf at all'),
    });
    await fillAppealForm(page, {
      surname: 'Жукова',
      firstName: 'Инна',
      phone: '+7 913 444-55-67',
      text: 'Протекает крыша над подъездом, фото и акт прилагаю.',
    });
    await page.getByRole('button', { name: 'Отправить обращение' }).click();
    await page.locator('#attachments-error', { hasText: 'акт.pdf' }).waitFor();
    expect(await page.locator('#attachments-error').innerText()).toBe(
      'Файл «акт.pdf» не является документом или изображением указанного типа. Удалите этот файл из списка ' +
        '(«Удалить» рядом с ним) или замените его файлом JPG, PNG, PDF, DOC, DOCX, ODT, RTF или TXT.',
    );
    expect(await page.locator('#attachments').evaluate((el) => el.ownerDocument.activeElement === el)).toBe(
      true,
    );
    await page.close();
  });

  it('registers a fast-track item with a 10-day deadline through the worker', async () => {
    const store = stack.api.get(InboundStore);
    const [stored] = await store.store([inboundItem({ fastTrack: true })]);
    const appeal = await eventually(async () => {
      const [row] = await stack.db.dataSource.query(
        `SELECT registered_at, to_char(answer_due_date, 'YYYY-MM-DD') AS due, fast_track FROM appeals
          WHERE inbound_item_id = $1`,
        [stored.inboundItemId],
      );
      return row;
    });
    expect(appeal.fast_track).toBe(true);
    expect(appeal.due).toBe(expectedDue(appeal.registered_at, 10, 'Asia/Novosibirsk'));
  });

  it('turns the same item delivered twice into one appeal', async () => {
    const store = stack.api.get(InboundStore);
    const item = inboundItem();
    const first = await store.store([item]);
    const second = await store.store([item]);
    expect(second[0]).toMatchObject({ duplicate: true, inboundItemId: first[0].inboundItemId });
    await eventually(async () => {
      const [row] = await stack.db.dataSource.query(`SELECT status FROM inbound_items WHERE id = $1`, [
        first[0].inboundItemId,
      ]);
      return row.status === 'processed' ? row : undefined;
    });
    const appeals = await stack.db.dataSource.query(`SELECT id FROM appeals WHERE external_id = $1`, [
      item.externalId,
    ]);
    expect(appeals).toHaveLength(1);
  });

  it('joins a follow-up on the same thread to the open appeal as a new event', async () => {
    const store = stack.api.get(InboundStore);
    const chat = `chat:${randomUUID()}`;
    const author = { externalId: 'tg-user-1', displayName: 'Андрей' };
    const [first] = await store.store([
      inboundItem({
        channel: Channel.Telegram,
        externalId: `tg-${randomUUID()}`,
        author,
        thread: { key: chat },
      }),
    ]);
    const appealId = await eventually(async () => {
      const [row] = await stack.db.dataSource.query(`SELECT appeal_id FROM inbound_items WHERE id = $1`, [
        first.inboundItemId,
      ]);
      return row?.appeal_id ?? undefined;
    });
    const [second] = await store.store([
      inboundItem({
        channel: Channel.Telegram,
        externalId: `tg-${randomUUID()}`,
        author,
        thread: { key: chat },
        text: 'Дополняю: люк так и не закрыли, фото прилагаю.',
      }),
    ]);
    const joined = await eventually(async () => {
      const [row] = await stack.db.dataSource.query(`SELECT appeal_id FROM inbound_items WHERE id = $1`, [
        second.inboundItemId,
      ]);
      return row?.appeal_id ?? undefined;
    });
    expect(joined).toBe(appealId);
    const card = await json(
      fetch(`${stack.baseUrl}/api/v1/appeals/${appealId}`, { headers: operator.headers }),
    );
    const followUp = card.history.find((e: { type: string }) => e.type === 'follow-up-received');
    expect(followUp.data.text).toContain('Дополняю');
    const count = await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM appeals WHERE channel = 'telegram'`,
    );
    expect(count[0].n).toBe(1);
  });

  it('posts the answer where the citizen gave a postal address for it, and publishes it on the status page', async () => {
    const supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'cur');
    const { email, ...noEmail } = validFields;
    expect(email).toBeTruthy();
    const answered = async (fields: Record<string, string>) => {
      const res = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, {
        method: 'POST',
        body: form(fields),
      });
      expect(res.status).toBe(201);
      const created = (await res.json()) as { registrationNumber: string; accessCode: string };
      const [{ id }] = (await stack.db.dataSource.query(
        `SELECT id FROM appeals WHERE registration_number = $1`,
        [created.registrationNumber],
      )) as { id: string }[];
      const text = 'Горячая вода подана, управляющей компании выдано предписание.';
      const answerId = await answerAppeal(stack, id, operator, supervisor, text, { take: true });
      const [message] = (await stack.db.dataSource.query(
        `SELECT delivery_state AS state FROM outbound_messages WHERE answer_id = $1`,
        [answerId],
      )) as { state: string }[];
      const status = await json(publicStatus(stack.baseUrl, created.registrationNumber, created.accessCode));
      return [message.state, (status.answers as { text: string }[]).map((a) => a.text)];
    };
    const text = ['Горячая вода подана, управляющей компании выдано предписание.'];
    // «Почтовый адрес — если хотите получить ответ почтой»: staff are to post it (it was only published, and no
    // letter ever went), and the status page has it meanwhile.
    expect(
      await answered({ ...noEmail, postalAddress: '630099, г. Новосибирск, ул. Ленина, д. 15, кв. 3' }),
    ).toEqual(['awaiting-handover', text]);
    // Neither an e-mail nor a postal address: the status page is where the answer is.
    expect(await answered(noEmail)).toEqual(['published', text]);

    // And where an extension is told: the status page's history, not a notice that fails for want of an address
    // (it was listed among staff's failed deliveries).
    const res = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, {
      method: 'POST',
      body: form(noEmail),
    });
    const { registrationNumber } = (await res.json()) as { registrationNumber: string };
    const [{ id }] = (await stack.db.dataSource.query(
      `SELECT id FROM appeals WHERE registration_number = $1`,
      [registrationNumber],
    )) as { id: string }[];
    const take = await fetch(`${stack.baseUrl}/api/v1/appeals/${id}/take`, {
      method: 'POST',
      headers: operator.headers,
    });
    expect(take.status).toBe(204);
    const extend = await fetch(`${stack.baseUrl}/api/v1/appeals/${id}/extend`, {
      method: 'POST',
      headers: supervisor.headers,
      body: JSON.stringify({ kind: 'appeal', days: 30, reason: 'Нужна выездная проверка' }),
    });
    expect(extend.status).toBe(204);
    expect(
      await stack.db.dataSource.query(
        `SELECT kind, status, delivery_state AS state FROM outbound_messages WHERE appeal_id = $1`,
        [id],
      ),
    ).toEqual([{ kind: 'status-notice', status: 'sent', state: 'published' }]);
  });
});
