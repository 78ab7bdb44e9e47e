import { join } from 'node:path';
import { type Locator, type Page } from 'playwright-core';
import { Role, StaffUsers } from '@inbox/access';
import { staffStack } from '../support/staff-stack';
import { json } from '../support/test-stack';
import { foreignWords } from '../support/screen-language';
import { SHOTS, staffPages } from '../support/staff-pages';

const PASSWORD = 'rukovoditel-2026';
/** The signed-in test staff's names (`Тестовый сотрудник clerk-minzhkh-…`), in the history of what they did. */
const TEST_STAFF = [/Тестовый сотрудник [\w-]+/g];
const NARROW = { width: 1024, height: 768 };
/** What the api answers when its database is busy or away (DomainErrorFilter: 'unavailable', Retry-After). */
const OVERLOADED = {
  status: 503,
  contentType: 'application/json',
  headers: { 'retry-after': '30' },
  body: JSON.stringify({
    statusCode: 503,
    code: 'unavailable',
    message: 'Сервис временно недоступен. Повторите попытку через минуту.',
  }),
};

/**
 * In the browser, for an element and a fragment of its text ('' for all of it): on how many lines the fragment's
 * characters stand. (Through the element's own document: the tests' TypeScript has no DOM globals.)
 */
const linesOf = (locator: Locator, fragment: string): Promise<number> =>
  locator.evaluate((el, fragment) => {
    const doc = el.ownerDocument;
    const text = el.textContent ?? '';
    const at = text.indexOf(fragment);
    const end = at + (fragment || text).length;
    const walker = doc.createTreeWalker(el, 4 /* NodeFilter.SHOW_TEXT */);
    const tops = new Set<number>();
    let offset = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const length = node.textContent?.length ?? 0;
      const from = Math.max(at, offset);
      const to = Math.min(end, offset + length);
      if (from < to) {
        const range = doc.createRange();
        range.setStart(node, from - offset);
        range.setEnd(node, to - offset);
        for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
      }
      offset += length;
    }
    return tops.size;
  }, fragment);

/**
 * What a head, a narrow window and a busy api did to a working day: a head landed on the organisation's appeals
 * although their work is approving answers; below 1200 px the queue counts hid in the folded menu; at 1024 px the
 * card broke a citizen's phone and e-mail across lines; a single 503 of the api showed «Нет связи с сервером».
 */
describe('a head, a folded menu, a narrow card and an overloaded api (browser e2e)', () => {
  const t = staffStack({
    organisations: { minzhkh: 'minzhkh', cur: 'cur' },
    topics: { housing: 'housing', heating: 'housing-heating' },
    staff: {
      operator: [Role.Operator, 'cur'],
      clerk: [Role.Clerk, 'minzhkh'],
      admin: [Role.Admin, 'region'],
    },
  });
  const { ids, staff, call } = t;
  const pages = staffPages();
  const { problems } = pages;

  beforeAll(async () => {
    for (const [login, fullName, role] of [
      ['kuznetsov', 'Кузнецов Олег Иванович', Role.Head],
      ['sidorova', 'Сидорова Анна Петровна', Role.Clerk],
      ['konstantinopolskaya', 'Константинопольская-Щедрина Екатерина Александровна', Role.Clerk],
    ] as const)
      await t.stack.api
        .get(StaffUsers)
        .create({ login, password: PASSWORD, fullName, role, organisationId: ids.minzhkh });
    // The longest menu: a supervisor's every queue and section.
    await t.stack.api.get(StaffUsers).create({
      login: 'ivanova',
      password: PASSWORD,
      fullName: 'Иванова Светлана Петровна',
      role: Role.Supervisor,
      organisationId: ids.cur,
    });
  });

  /** A call line 1 registered and escalated to the housing ministry; with a clerk's draft answer if `draft`. */
  async function escalated(
    subject: string,
    draft: boolean,
    email = 'ekaterina.konstantinopolskaya@example.ru',
  ): Promise<{ id: string; number: string }> {
    const created = await call('POST', '/api/v1/appeals', staff.operator, {
      medium: 'phone',
      surname: 'Константинопольская',
      firstName: 'Екатерина',
      patronymic: 'Александровна',
      // As a messenger's shared contact is stored.
      phone: '+79132221101',
      email,
      subject,
      text: `Звонок: ${subject.toLowerCase()} в доме по ул. Мира, 8.`,
    });
    expect(created.status).toBe(201);
    const { id } = (await json(created)) as { id: string };
    const sent = await call('POST', `/api/v1/appeals/${id}/escalate`, staff.operator, {
      organisationIds: [ids.minzhkh],
      topicId: ids.housing,
    });
    expect(sent.status).toBe(204);
    if (draft)
      expect(
        (
          await call('POST', `/api/v1/appeals/${id}/answers`, staff.clerk, {
            text: 'Горячая вода подана, управляющей компании выдано предписание.',
          })
        ).status,
      ).toBe(201);
    const { registrationNumber } = (await json(call('GET', `/api/v1/appeals/${id}`, staff.operator))) as {
      registrationNumber: string;
    };
    return { id, number: registrationNumber };
  }

  const signIn = async (login: string, viewport?: { width: number; height: number }) => {
    const page = await pages.newPage('ru-RU', viewport ? { viewport } : {});
    await pages.signIn(page, t.stack.baseUrl, { login, password: PASSWORD });
    await page.goto(`${t.stack.baseUrl}/app/`);
    await page.getByTestId('current-user').waitFor();
    return page;
  };

  it('a head starts at «На согласовании», where the drafts wait for them alone', async () => {
    const { number } = await escalated('Нет горячей воды', true);
    const page = await signIn('kuznetsov');
    await page.getByRole('heading', { name: 'На согласовании' }).waitFor();
    await page.getByTestId('inbox-row').filter({ hasText: number }).waitFor();
    // The menu marks where they are.
    const approval = page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', {
      name: /На согласовании/,
    });
    expect(await approval.getAttribute('data-active')).toBe('true');
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    expect(problems.get(page)).toEqual([]);
  });

  it('below 1200 px the counts of what needs doing stay in the header, each leading to its queue', async () => {
    const page = await signIn('kuznetsov', NARROW);
    await page.getByRole('heading', { name: 'На согласовании' }).waitFor();
    // The menu is folded…
    const menu = page.getByRole('navigation', { name: 'Разделы' });
    expect(await menu.evaluate((el) => el.getBoundingClientRect().right <= 0)).toBe(true);
    await page.getByRole('button', { name: 'Меню' }).waitFor();
    // …and the header still says how many wait for approval and how many are overdue, in full view.
    const counts = page.getByRole('navigation', { name: 'Очереди, требующие действий' });
    const approval = counts.getByTestId('header-count-approval');
    await approval.getByText(/На согласовании:\s*[1-9]/).waitFor();
    const overdue = counts.getByTestId('header-count-overdue');
    await overdue.getByText(/Просроченные сроки:\s*\d/).waitFor();
    for (const badge of [approval, overdue]) {
      const box = (await badge.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(NARROW.width);
      expect(box.y + box.height).toBeLessThanOrEqual(56);
      // Nothing of the queue's name cut off.
      const cut = await badge.evaluate((el) =>
        [el, ...el.querySelectorAll('*')].some((e) => e.scrollWidth > e.clientWidth + 1),
      );
      expect(cut).toBe(false);
    }
    await page.screenshot({ path: join(SHOTS, 'head-narrow-header.png') });
    await overdue.click();
    await page.getByRole('heading', { name: 'Просроченные сроки' }).waitFor();
    await approval.click();
    await page.getByRole('heading', { name: 'На согласовании' }).waitFor();

    // A clerk sees their own queue's count there.
    const clerk = await signIn('sidorova', NARROW);
    await clerk.getByRole('heading', { name: 'Моей организации' }).waitFor();
    await clerk
      .getByTestId('header-count-organisation')
      .getByText(/Моей организации:\s*[1-9]/)
      .waitFor();
    // Where the organisation has a head, nothing waits for a clerk's approval: the empty queue says what comes
    // there and leads on.
    await clerk.goto(`${t.stack.baseUrl}/app/inbox?queue=approval`);
    await clerk.getByText('Проекты ответов, которые ждут вашего согласования, появятся здесь.').waitFor();
    await clerk.getByRole('link', { name: 'Обращения моей организации' }).click();
    await clerk.getByRole('heading', { name: 'Моей организации' }).waitFor();
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    for (const p of [page, clerk]) expect(problems.get(p)).toEqual([]);
  });

  it("at 1024 px the card shows the citizen's phone and e-mail each whole on one line, the phone in groups", async () => {
    const { id, number } = await escalated('Не вывозят мусор', false);
    const page = await signIn('sidorova', NARROW);
    await page.goto(`${t.stack.baseUrl}/app/appeals/${id}`);
    await page.getByRole('heading', { name: `Обращение № ${number}` }).waitFor();
    const applicant = page.getByRole('region', { name: 'Заявитель' });
    for (const value of ['+7 913 222-11-01', 'ekaterina.konstantinopolskaya@example.ru']) {
      const field = applicant.getByText(value, { exact: true });
      await field.waitFor();
      // One line box for the whole value, and none of it cut off.
      const shape = {
        lines: await linesOf(field, ''),
        cut: await field.evaluate((el) => el.scrollWidth > el.clientWidth),
      };
      expect([value, shape]).toEqual([value, { lines: 1, cut: false }]);
    }
    await page.screenshot({ path: join(SHOTS, 'card-contacts-1024.png') });
    expect(problems.get(page)).toEqual([]);
  });

  it('at 1280 px a long e-mail address reads whole, wrapped only after «@» and before dots', async () => {
    const email =
      'ekaterina.aleksandrovna.konstantinopolskaya-shchedrina@obrazovanie.severnaya-oblast.example.ru';
    const { id, number } = await escalated('Не работает лифт', false, email);
    const page = await signIn('sidorova', { width: 1280, height: 720 });
    await page.goto(`${t.stack.baseUrl}/app/appeals/${id}`);
    await page.getByRole('heading', { name: `Обращение № ${number}` }).waitFor();
    const applicant = page.getByRole('region', { name: 'Заявитель' });
    const field = applicant.getByText(email, { exact: true });
    await field.waitFor();
    // Nothing of it hidden: it scrolled, cut at the panel's edge («…konstantinopolskaya-shch»).
    expect(await field.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    const panel = (await applicant.boundingBox())!;
    const box = (await field.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(panel.x + panel.width);
    // Each piece between the sensible breaks stands on one line: never split inside a name or at a hyphen.
    for (const piece of email.split(/(?<=@)|(?=\.)/))
      expect([piece, await linesOf(field, piece)]).toEqual([piece, 1]);
    await page.screenshot({ path: join(SHOTS, 'card-long-email-1280.png') });
    expect(problems.get(page)).toEqual([]);
  });

  it('at 1024 px an inbox row reads whole: the subject in two lines, «2-ю» never split', async () => {
    const subject = 'Нет горячей воды в доме по ул. Мира, 8';
    const { number } = await escalated(subject, false);
    const page = await signIn('kuznetsov', NARROW);
    await page.goto(`${t.stack.baseUrl}/app/inbox?queue=organisation`);
    const row = page.getByTestId('inbox-row').filter({ hasText: number });
    const title = row.getByText(subject, { exact: true });
    await title.waitFor();
    // Clamped to one line it held «Нет горячей…».
    expect(await title.evaluate((el) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
    const status = row.getByText('Передано на 2-ю линию');
    await status.waitFor();
    expect(await linesOf(status, '2-ю')).toBe(1);
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'head-inbox-1024.png') });
    expect(problems.get(page)).toEqual([]);
  });

  it("at 1280 px the card names the appeal's topic and subtopic whole", async () => {
    // The housing topic named as in the demo rubricator, longer than the field.
    const topic = 'Жилищно-коммунальное хозяйство';
    const renamed = await call('PATCH', `/api/v1/rubricator/topics/${ids.housing}`, staff.admin, {
      name: topic,
    });
    expect(renamed.status).toBe(200);
    const { id, number } = await escalated('Течёт батарея', false);
    // A subtopic longer than its field too («Водоснабжение и водоотведен…» in the demo).
    const subtopic = 'Отопление и горячее водоснабжение';
    expect(
      (await call('PATCH', `/api/v1/rubricator/topics/${ids.heating}`, staff.admin, { name: subtopic }))
        .status,
    ).toBe(200);
    expect(
      (
        await call('POST', `/api/v1/appeals/${id}/classify`, staff.clerk, {
          topicId: ids.housing,
          subtopicId: ids.heating,
        })
      ).status,
    ).toBeLessThan(300);
    const page = await signIn('sidorova', { width: 1280, height: 720 });
    await page.goto(`${t.stack.baseUrl}/app/appeals/${id}`);
    await page.getByRole('heading', { name: `Обращение № ${number}` }).waitFor();
    const panel = page.getByRole('region', { name: 'Классификация' });
    const field = panel.getByRole('textbox', { name: 'Тема', exact: true });
    // The field names the topic once the card and the rubricator have both loaded.
    const loaded = Date.now() + 15_000;
    while ((await field.inputValue()) === '' && Date.now() < loaded) await page.waitForTimeout(100);
    expect(await field.inputValue()).toBe(topic);
    // Whole in the field, or (when the field cuts it, «Жилищно-коммунальное хозяйс…») written whole beside it.
    const readable = (name: string) =>
      panel.evaluate(
        (el, name) =>
          [...el.querySelectorAll('input, *:not(:has(*))')].some((e) => {
            const text = e.tagName === 'INPUT' ? (e as unknown as { value: string }).value : e.textContent;
            const r = e.getBoundingClientRect();
            return text === name && r.width > 0 && e.scrollWidth <= e.clientWidth + 1;
          }),
        name,
      );
    expect(await readable(topic)).toBe(true);
    expect(await panel.getByRole('textbox', { name: 'Подтема', exact: true }).inputValue()).toBe(subtopic);
    expect(await readable(subtopic)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'card-topic-1280.png') });
    expect(problems.get(page)).toEqual([]);
  });

  it("at 720 px of height the menu's last items are not under its foot", async () => {
    const page = await signIn('ivanova', { width: 1280, height: 720 });
    const menu = page.getByRole('navigation', { name: 'Разделы' });
    const last = menu.getByRole('link', { name: 'Исправления классификатора' });
    await last.waitFor();
    const foot = menu.getByText('Руководитель', { exact: true });
    const links = menu.getByRole('link');
    // Seen as it opens, no item stands under the foot's role line (at the window's foot, «Регистрация» did)…
    const underFoot = async () => {
      const f = (await foot.boundingBox())!;
      const under: string[] = [];
      for (const link of await links.all()) {
        const b = await link.boundingBox();
        if (b && b.y < f.y + f.height && b.y + b.height > f.y) under.push(await link.innerText());
      }
      return under;
    };
    expect(await underFoot()).toEqual([]);
    // …and the wheel over the menu brings its last item into view, whole, above the window's foot.
    const box = (await menu.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 10; i++) await page.mouse.wheel(0, 200);
    await page.waitForTimeout(200);
    expect(await underFoot()).toEqual([]);
    const item = (await last.boundingBox())!;
    expect(item.y + item.height).toBeLessThanOrEqual(720);
    const hit = await last.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const at = el.ownerDocument.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return at !== null && el.contains(at);
    });
    expect(hit).toBe(true);
    await last.click();
    await page.waitForURL(/\/app\/corrections/);
    expect(problems.get(page)).toEqual([]);
  });

  it("on a phone's width a long name reads as the surname and initials, the profile button on the screen", async () => {
    const phone = { width: 390, height: 844 };
    const page = await signIn('konstantinopolskaya', phone);
    // The surname whole (cut to one line, it read «Конс…»), nothing of the shown name hidden.
    const name = page.getByTestId('current-user');
    expect(await name.innerText()).toMatch(/^Константинопольская-\s*Щедрина Е\. А\.$/);
    expect(
      await name.evaluate(
        (el) => el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1,
      ),
    ).toBe(true);
    const profile = page.getByTitle('Профиль и выход');
    const box = (await profile.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(phone.width);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
    await profile.click();
    await page.getByRole('menuitem', { name: 'Выйти' }).waitFor();
    // The full name is in the menu.
    await page
      .getByRole('menu')
      .getByText('Константинопольская-Щедрина Екатерина Александровна', { exact: true })
      .waitFor();
    await page.screenshot({ path: join(SHOTS, 'header-long-name-390.png') });
    await page.keyboard.press('Escape');

    // At 375 px an escalated appeal's card in the inbox names its holders whole: beside the term they read
    // «через ЦУР Северной…».
    const appeal = await escalated('Нет горячей воды (телефон)', false);
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${t.stack.baseUrl}/app/inbox?queue=organisation`);
    const holders = page
      .locator(`[data-testid="inbox-row"][data-number="${appeal.number}"]`)
      .getByTestId('holders');
    await holders.getByText(/^через /).waitFor();
    const cut = await holders.evaluate((el) =>
      [...el.children]
        .filter((c) => c.scrollWidth > c.clientWidth + 1 || c.scrollHeight > c.clientHeight + 1)
        .map((c) => c.textContent),
    );
    expect(cut).toHaveLength(0);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    // Its card's heading keeps the number on one line (it broke at the hyphen: «№ 2026-» / «000006»).
    await page.locator(`[data-testid="inbox-row"][data-number="${appeal.number}"]`).click();
    const heading = page.getByRole('heading', { name: `Обращение № ${appeal.number}` });
    const lines = await heading
      .getByText(`№ ${appeal.number}`)
      .evaluate((el) => new Set([...el.getClientRects()].map((r) => Math.round(r.top))).size);
    expect(lines).toBe(1);
    expect(problems.get(page)).toEqual([]);

    // The head's dashboard and report at 375 px do not scroll sideways: the knowledge base's table and the
    // report chart's hidden tooltip did; the report's groupings are all on the screen.
    const head = await signIn('kuznetsov', { width: 375, height: 812 });
    for (const path of ['/dashboard', '/reports']) {
      await head.goto(`${t.stack.baseUrl}/app${path}`);
      await head.getByRole('heading', { level: 1 }).waitFor();
      await head.locator('.recharts-surface').first().waitFor();
      expect([path, await head.evaluate('document.documentElement.scrollWidth')]).toEqual([path, 375]);
    }
    const byLine = head.getByRole('radio', { name: 'По линиям' });
    const linesBox = (await byLine.locator('xpath=..').boundingBox())!;
    expect(linesBox.x + linesBox.width).toBeLessThanOrEqual(375);
    expect(problems.get(head)).toEqual([]);
  });

  /** Whether the «Нет связи с сервером» banner has shown on `page` at any moment since it loaded. */
  const bannerShown = (page: Page) => page.evaluate('window.bannerShown === true');

  it('a 503 of the api: a read is asked again unseen; a refused write says so in Russian and keeps the text', async () => {
    const { id, number } = await escalated('Протекает крыша', false);
    const page = await signIn('sidorova', { width: 1280, height: 720 });
    await page.addInitScript(`new MutationObserver(() => {
      if (document.querySelector('[data-testid="connection-lost"]')) window.bannerShown = true;
    }).observe(document, { childList: true, subtree: true })`);
    // The card's first read meets a busy api.
    let refused = 0;
    await page.route(`**/api/v1/appeals/${id}`, (route) =>
      route.request().method() === 'GET' && refused++ === 0 ? route.fulfill(OVERLOADED) : route.continue(),
    );
    // A slow start says in words what it waits for (a bare spinner stood on an empty page).
    let meAnswered = () => {};
    const meHeld = new Promise<void>((r) => (meAnswered = r));
    await page.route('**/api/v1/me', async (route) => {
      await meHeld;
      await route.continue();
    });
    await page.goto(`${t.stack.baseUrl}/app/appeals/${id}`);
    await page.getByRole('status').filter({ hasText: 'Открываем рабочее место…' }).waitFor();
    meAnswered();
    await page.getByRole('heading', { name: `Обращение № ${number}` }).waitFor();
    expect(refused).toBeGreaterThanOrEqual(2);
    expect(await bannerShown(page)).toBe(false);
    expect(await page.getByRole('alert').count()).toBe(0);

    // A note sent while the api is busy: not kept by the server, kept on the screen, said why.
    const note = 'Позвонить заявителю после осмотра кровли, телефон в карточке.';
    const notes = page.getByRole('form', { name: 'Заметка к обращению' });
    await notes.getByLabel('Новая заметка').fill(note);
    await page.route(`**/api/v1/appeals/${id}/notes`, (route) =>
      route.request().method() === 'POST' ? route.fulfill(OVERLOADED) : route.continue(),
    );
    await notes.getByRole('button', { name: 'Добавить заметку' }).click();
    await notes.getByText('Сервер перегружен, действие не выполнено', { exact: false }).waitFor();
    expect(await notes.getByLabel('Новая заметка').inputValue()).toBe(note);
    expect(await bannerShown(page)).toBe(false);
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'overloaded-note.png') });
    // Asked again once the api is free: saved, and the field cleared.
    await page.unroute(`**/api/v1/appeals/${id}/notes`);
    await notes.getByRole('button', { name: 'Добавить заметку' }).click();
    await page.getByTestId('note').getByText(note).waitFor();
    expect(await notes.getByLabel('Новая заметка').inputValue()).toBe('');

    // The same for a draft answer, the longest text a clerk types.
    const answer =
      'Кровля дома по ул. Мира, 8 будет отремонтирована до 15 декабря силами управляющей компании.';
    const panel = page.getByRole('region', { name: 'Ответ заявителю' });
    await panel.getByLabel('Текст ответа').fill(answer);
    await page.route(`**/api/v1/appeals/${id}/answers`, (route) =>
      route.request().method() === 'POST' ? route.fulfill(OVERLOADED) : route.continue(),
    );
    await panel.getByRole('button', { name: 'Сохранить проект ответа' }).click();
    await panel.getByText('Сервер перегружен, действие не выполнено', { exact: false }).waitFor();
    expect(await panel.getByLabel('Текст ответа').inputValue()).toBe(answer);
    await page.unroute(`**/api/v1/appeals/${id}/answers`);
    await panel.getByRole('button', { name: 'Сохранить проект ответа' }).click();
    await page.getByTestId('answer').getByText(answer).waitFor();

    // What failed is what the test refused, nothing else.
    const base = t.stack.baseUrl;
    expect(problems.get(page)!.filter((p) => !p.startsWith('console: Failed to load resource'))).toEqual([
      `503: GET ${base}/api/v1/appeals/${id}`,
      `503: POST ${base}/api/v1/appeals/${id}/notes`,
      `503: POST ${base}/api/v1/appeals/${id}/answers`,
    ]);
  });
});
