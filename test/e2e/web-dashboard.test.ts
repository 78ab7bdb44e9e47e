import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { type Page } from 'playwright-core';
import { AppealRegistrar } from '@inbox/appeals';
import { ChannelAccountsRepository } from '@inbox/channels';
import { InboundStore } from '@inbox/intake';
import { Channel } from '@inbox/integrations/contract';
import { inboundItem } from '../factories/inbound-items';
import { axeViolations } from '../support/browser';
import { eventually, json } from '../support/test-stack';
import {
  axeTour,
  headingShown,
  PHONE,
  settled,
  clickBar,
  VIEWPORT,
  workspaceWalk,
} from '../support/workspace-walk';
import { zoneDateTime } from '../support/zone-time';

/**
 * Issue 7 in a real browser, the supervisor's and line 1's overview (web-workspace.test.ts has the line 1 and
 * 2 walk): an incident answered at once, the dashboard's charts drilled down, channel quarantine, every other
 * screen checked by axe-core, and the exports that read past the loaded page — last, as their 220 appeals
 * would push the earlier walks' appeals off their first pages.
 */
describe('staff web workspace: dashboards and overview (browser e2e)', () => {
  const walk = workspaceWalk();
  const { signIn, signInHeaders, expectClean } = walk;

  it('an incident from three channels: the operator drafts one answer, the supervisor approves it for all three; 59-ФЗ flags decided on the card', async () => {
    const burst = 'На улице Советской у дома 5 прорвало трубу, вода заливает проезжую часть и подвалы домов.';
    const items = [Channel.Vk, Channel.Telegram, Channel.Pos].map((channel, i) =>
      inboundItem({
        channel,
        externalId: `web-incident-${channel}`,
        text: `${burst}${['', ' Срочно!', ' Помогите!'][i]}`,
        address: undefined,
        regime: 'message',
        author: { externalId: `${channel}-web-${i}`, displayName: `Житель ${i}` },
        replyAddress: { chatId: String(7000 + i) },
      }),
    );
    const flagged = inboundItem({
      channel: Channel.Website,
      externalId: 'web-flagged',
      regime: 'appeal',
      address: undefined,
      author: { displayName: 'Аноним' },
      text: 'Вы там все идиоты! Прошу пересмотреть решение районного суда по моему делу.',
    });
    await walk.stack.api.get(InboundStore).store([...items, flagged]);
    const operatorHeaders = await signInHeaders('operator');
    const incident = await eventually(async () => {
      const list = await json(
        fetch(`${walk.stack.baseUrl}/api/v1/incidents?status=open`, { headers: operatorHeaders }),
      );
      return (list.items as { id: string; number: number; appealsCount: number; title: string }[]).find(
        (i) => i.appealsCount === 3,
      );
    }, 30_000);
    const flaggedId = await eventually(async () => {
      const [row] = (await walk.ds.query(
        `SELECT a.id FROM appeals a WHERE a.external_id = 'web-flagged'
            AND EXISTS (SELECT 1 FROM appeal_flags f WHERE f.appeal_id = a.id)`,
      )) as { id: string }[];
      return row?.id;
    }, 30_000);

    const operator = await signIn('operator');
    await operator.getByRole('link', { name: 'Инциденты' }).click();
    await operator.getByRole('heading', { name: 'Инциденты' }).waitFor();
    await operator.getByTestId('incident-row').getByText(incident.title).first().click();
    await operator
      .getByRole('heading', { name: `Инцидент № ${incident.number}: ${incident.title}` })
      .waitFor();
    await operator.waitForFunction(
      `document.querySelectorAll('[data-testid="incident-appeal"]').length === 3`,
    );
    // Line 1 drafts the one answer; another person approves it.
    await operator
      .getByLabel('Текст ответа')
      .fill('Аварийная бригада устранила прорыв трубы на ул. Советской, водоснабжение восстановлено.');
    await operator.getByRole('button', { name: 'Подготовить проект ответа' }).click();
    await operator
      .getByTestId('incident-outcome')
      .getByText(/Проект ответа подготовлен по 3 обращениям/)
      .waitFor();
    await operator
      .getByTestId('incident-draft')
      .getByText(/водоснабжение восстановлено/)
      .waitFor();
    await operator.getByTestId('incident-awaits-approval').waitFor();
    expect(
      await operator.getByRole('button', { name: 'Согласовать и отправить всем заявителям' }).count(),
    ).toBe(0);

    // The flags wait for a person on the card: one dismissed with a comment, one confirmed.
    await operator.goto(`${walk.stack.baseUrl}/app/appeals/${flaggedId}`);
    const flags = operator.getByRole('region', { name: 'Признаки по 59-ФЗ' });
    const anonymous = flags.locator('[data-testid="legal-flag"][data-flag="anonymous"]');
    await flags.locator('[data-testid="legal-flag"][data-flag="anonymous"][data-status="raised"]').waitFor();
    await anonymous.getByLabel('Комментарий к решению').fill('Адрес для ответа указан в тексте');
    await anonymous.getByRole('button', { name: 'Отклонить' }).click();
    await flags
      .locator('[data-testid="legal-flag"][data-flag="anonymous"][data-status="dismissed"]')
      .waitFor();
    const offensive = flags.locator('[data-testid="legal-flag"][data-flag="offensive"]');
    await offensive.getByRole('button', { name: 'Подтвердить' }).click();
    await flags
      .locator('[data-testid="legal-flag"][data-flag="offensive"][data-status="confirmed"]')
      .waitFor();
    await operator.locator('[data-testid="history-item"][data-type="legal-flag-dismissed"]').waitFor();
    expect(await axeViolations(operator)).toEqual([]);
    const card = await json(
      fetch(`${walk.stack.baseUrl}/api/v1/appeals/${flaggedId}`, { headers: operatorHeaders }),
    );
    const statusOf = (flag: string) =>
      (card.flags as { flag: string; status: string }[]).find((f) => f.flag === flag)?.status;
    expect([statusOf('anonymous'), statusOf('offensive')]).toEqual(['dismissed', 'confirmed']);
    expectClean(operator);

    const supervisor = await signIn('supervisor');
    await supervisor.goto(`${walk.stack.baseUrl}/app/incidents/${incident.id}`);
    await supervisor
      .getByRole('heading', { name: `Инцидент № ${incident.number}: ${incident.title}` })
      .waitFor();
    await supervisor
      .getByTestId('incident-draft')
      .getByText(/водоснабжение восстановлено/)
      .waitFor();
    await supervisor.getByRole('button', { name: 'Согласовать и отправить всем заявителям' }).click();
    await supervisor
      .getByTestId('incident-outcome')
      .getByText(/Ответ согласован и отправлен по 3 обращениям/)
      .waitFor();
    await supervisor.getByText('Ответ согласован и отправлен', { exact: false }).first().waitFor();
    expect(await axeViolations(supervisor)).toEqual([]);
    const after = await json(
      fetch(`${walk.stack.baseUrl}/api/v1/incidents/${incident.id}`, { headers: operatorHeaders }),
    );
    expect(after.status).toBe('answered');
    expect(after.appeals.map((a: { status: string }) => a.status)).toEqual([
      'answered',
      'answered',
      'answered',
    ]);
    expectClean(supervisor);
  });

  it("supervisor: the intake chart drills down to the day's appeals", async () => {
    // A browser in Moscow: the day is the organisation's (Novosibirsk), and so is the selection's title.
    const page = await signIn('supervisor', VIEWPORT, 'Europe/Moscow');
    const chart = page.getByRole('figure', { name: /Поступление обращений по дням и каналам/ });
    await chart.locator('.recharts-area').first().waitFor();
    const box = (await chart.locator('.recharts-cartesian-grid').boundingBox())!;
    // Today, the right edge of the plot: the walk registered appeals today.
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    await page.mouse.click(box.x + box.width - 2, box.y + box.height / 2);
    await page.waitForURL(/registeredAfter=/);
    const url = new URL(page.url());
    const after = new Date(url.searchParams.get('registeredAfter')!);
    const before = new Date(url.searchParams.get('registeredBefore')!);
    expect(before.getTime() - after.getTime()).toBe(86_400_000);
    expect(after.getTime()).toBeLessThanOrEqual(Date.now());
    expect(before.getTime()).toBeGreaterThan(Date.now());
    await page
      .locator(`[data-testid="inbox-row"][data-number="${walk.escalateMe.registrationNumber}"]`)
      .waitFor();
    // «за 07.12.2026», the day clicked; it read «с 06.12.2026» (the day's start in Moscow) without its end.
    const today = zoneDateTime(new Date()).slice(0, 10);
    await page.getByRole('heading', { name: 'Выборка обращений' }).waitFor();
    expect(await page.locator('main').innerText()).toContain(`за ${today}`);
    expectClean(page);
  });

  it('supervisor: the ratings donut drills down to the appeals rated so, the risk-by-topic chart to its topic', async () => {
    // Applicants rated three answers: two «satisfied», one «no answer to the question».
    const rated = (await walk.ds.query(
      `SELECT a.id, a.registration_number AS number FROM appeals a
        WHERE NOT EXISTS (SELECT 1 FROM ratings r WHERE r.appeal_id = a.id) ORDER BY a.registered_at LIMIT 3`,
    )) as { id: string; number: string }[];
    for (const [i, { id }] of rated.entries()) {
      await walk.ds.query(
        `INSERT INTO ratings (appeal_id, channel, external_id, answered, satisfaction, poor)
         VALUES ($1, 'operator', $2, $3, $4, $5)`,
        [id, `walk-rating-${i}`, i < 2, i < 2 ? 'satisfied' : 'not-satisfied', i === 2],
      );
    }
    const page = await signIn('supervisor');
    const headers = await signInHeaders('supervisor');
    const dashboard = await json(fetch(`${walk.stack.baseUrl}/api/v1/reports/dashboard`, { headers }));
    const kinds = (dashboard.ratings.byKind as { kind: string; count: number }[]).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(['satisfied', 'not-answered']));
    const donut = page.getByTestId('ratings-donut');
    await donut.locator('.recharts-pie-sector').first().waitFor();
    // A click in the middle of the sector's ring (an arc's box may centre on the hole): the pie starts at
    // three o'clock and runs counter-clockwise.
    const counts = (dashboard.ratings.byKind as { count: number }[]).map((r) => r.count);
    const at = kinds.indexOf('not-answered');
    const before = counts.slice(0, at).reduce((a, b) => a + b, 0);
    const angle = (2 * Math.PI * (before + counts[at] / 2)) / counts.reduce((a, b) => a + b, 0);
    await donut.scrollIntoViewIfNeeded();
    const box = (await donut.locator('svg.recharts-surface').boundingBox())!;
    const ring = box.width / 2 - 11;
    await page.mouse.click(
      box.x + box.width / 2 + ring * Math.cos(angle),
      box.y + box.height / 2 - ring * Math.sin(angle),
    );
    await page.waitForURL(/rating=not-answered/);
    const url = new URL(page.url());
    const ratedAfter = url.searchParams.get('ratedAfter')!;
    expect(Date.now() - Date.parse(ratedAfter)).toBeGreaterThanOrEqual(90 * 86_400_000);
    const expected = await json(
      fetch(
        `${walk.stack.baseUrl}/api/v1/appeals?rating=not-answered&ratedAfter=${encodeURIComponent(ratedAfter)}`,
        {
          headers,
        },
      ),
    );
    const numbers = (expected.items as { registrationNumber: string }[]).map((i) => i.registrationNumber);
    expect(numbers.length).toBeGreaterThan(0);
    await page.getByText('оценка: Ответа на вопрос нет', { exact: false }).waitFor();
    await page.waitForFunction(
      `document.querySelectorAll('[data-testid="inbox-row"]').length === ${numbers.length}`,
    );
    const shown = await page
      .getByTestId('inbox-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-number')));
    expect(shown.sort()).toEqual([...numbers].sort());
    // The one rated «no answer» is there, the two rated «satisfied» are not.
    expect(shown).toContain(rated[2].number);
    expect(shown).not.toContain(rated[0].number);
    expect(shown).not.toContain(rated[1].number);

    // The text beside the donut leads to the same list (the keyboard's and the screen reader's way).
    await page.goBack();
    await page.getByTestId('rating-kind').filter({ hasText: 'Удовлетворён' }).first().click();
    await page.waitForURL(/rating=satisfied/);

    // The overdue bar of the housing topic opens that topic's overdue appeals.
    await page.goto(`${walk.stack.baseUrl}/app/dashboard`);
    const row = (dashboard.clocks.byTopic as { topicId: string; overdue: number }[]).findIndex(
      (r) => r.topicId === walk.topic.housing,
    );
    expect(row).toBeGreaterThanOrEqual(0);
    expect(dashboard.clocks.byTopic[row].overdue).toBeGreaterThanOrEqual(1);
    const panel = page.getByTestId('overdue-by-topic');
    await panel.locator('.recharts-bar-rectangle').first().waitFor();
    await clickBar(panel, row);
    await page.waitForURL(/clock=overdue/);
    expect(new URL(page.url()).searchParams.get('topicId')).toBe(walk.topic.housing);
    await page.getByText(`тема: `, { exact: false }).first().waitFor();
    await page
      .locator(`[data-testid="inbox-row"][data-number="${walk.overdue.registrationNumber}"]`)
      .waitFor();
    expectClean(page);
  });

  it('has no serious or critical WCAG 2.1 A/AA violations on every other screen, and no console error or failed request', async () => {
    // The administration tabs are checked in web-admin.test.ts.
    const { found, visit } = axeTour(walk);
    const operator = await signIn('operator');
    await visit(operator, 'register', '/register', headingShown('Регистрация обращения'));
    await visit(operator, 'incidents', '/incidents', (page) =>
      page.getByText('Инцидентов нет.').or(page.getByTestId('incident-row').first()).waitFor(),
    );
    await visit(operator, 'deliveries', '/deliveries', headingShown('Недоставленные сообщения'));
    await visit(operator, 'quarantine', '/quarantine', headingShown('Нераспознанные сообщения каналов'));
    const articleLink = operator.locator('a[href*="/knowledge/articles/"]').first();
    await visit(operator, 'knowledge', '/knowledge', () => articleLink.waitFor());
    const article = (await articleLink.getAttribute('href'))!.replace(/^\/app/, '');
    await visit(operator, 'knowledge article', article, (page) =>
      page.getByTestId('kb-article-body').waitFor(),
    );
    const requestLink = operator.locator('a[href*="/knowledge/requests/"]').first();
    await visit(operator, 'knowledge requests', '/knowledge/requests', () => requestLink.waitFor());
    const request = (await requestLink.getAttribute('href'))!.replace(/^\/app/, '');
    await visit(operator, 'knowledge request', request, (page) =>
      page.getByTestId('kb-request-event').first().waitFor(),
    );
    await visit(operator, 'knowledge reviews', '/knowledge/reviews', headingShown('База знаний'));
    // A draft to approve and a sent answer: the card as line 2 and its head see it.
    const clerk = await signIn('clerk');
    await visit(clerk, 'card (clerk)', `/appeals/${walk.overdue.id}`, (page) =>
      page.getByTestId('appeal-text').waitFor(),
    );
    await visit(clerk, 'inbox (clerk)', '/inbox', (page) => page.getByTestId('inbox-row').first().waitFor());

    const supervisor = await signIn('supervisor');
    await visit(supervisor, 'reports', '/reports', headingShown('Отчёт о рассмотрении обращений'));
    await visit(supervisor, 'inbox (overdue)', '/inbox?queue=overdue', (page) =>
      page.getByTestId('inbox-row').first().waitFor(),
    );

    // A new account's first sign-in: nothing but the change of its temporary password.
    const created = await fetch(`${walk.stack.baseUrl}/api/v1/users`, {
      method: 'POST',
      headers: await signInHeaders('admin'),
      body: JSON.stringify({
        login: 'a11y-newcomer',
        password: 'временный-пароль-1',
        fullName: 'Новикова Дарья Олеговна',
        role: 'operator',
        organisationId: walk.org.cur,
      }),
    });
    expect(created.status).toBe(201);
    const newcomer = await walk.newPage();
    await newcomer.goto(`${walk.stack.baseUrl}/app/`);
    await newcomer.getByLabel('Логин').fill('a11y-newcomer');
    await newcomer.getByLabel('Пароль').fill('временный-пароль-1');
    await newcomer.getByRole('button', { name: 'Войти' }).click();
    await newcomer.getByRole('form', { name: 'Смена временного пароля' }).waitFor();
    await settled(newcomer);
    found['change password'] = await axeViolations(newcomer);

    expect(Object.keys(found)).toHaveLength(14);
    expect(Object.entries(found).filter(([, v]) => v.length > 0)).toEqual([]);
    for (const page of [operator, clerk, supervisor, newcomer]) expectClean(page);
    // A dozen screens, each drawn and checked: minutes on a shared machine.
  }, 600_000);

  it('supervisor on a phone: the inbox fits the width and the first appeal is on the first screen', async () => {
    const page = await signIn('supervisor', PHONE);
    await page.goto(`${walk.stack.baseUrl}/app/inbox?queue=all`);
    const first = page.getByTestId('inbox-row').first();
    await first.waitFor();
    expect(
      await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'),
    ).toBeLessThanOrEqual(0);
    const box = (await first.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height);
    expect(box.width).toBeLessThanOrEqual(PHONE.width);
    expectClean(page);
  });

  it('channel quarantine: line 1 and a region-wide supervisor read what a channel could not deliver, the input only on demand; a clerk has no such page', async () => {
    // What the connectors keep when they cannot read an input (ChannelIntake does the same on a rejection).
    const accounts = walk.stack.api.get(ChannelAccountsRepository, { strict: false });
    const cut = '{"update_id": 90001, "message": {"message_id": 5, "text": "Прошу помочь с ямой';
    await accounts.quarantine(
      'telegram',
      await accounts.upsert({ channel: 'telegram', name: 'bot', settings: {} }),
      [{ reason: 'Telegram webhook: body is not JSON', raw: cut }],
    );
    await accounts.quarantine(
      'vk',
      await accounts.upsert({ channel: 'vk', name: 'group-77', settings: {} }),
      [
        {
          externalId: 'event:ev-walk-1',
          reason: 'VK message_new: message_new without peer_id, from_id or id',
          raw: {
            type: 'message_new',
            object: { message: { from_id: 310000077, text: 'Нет света в подъезде' } },
          },
        },
      ],
    );

    const operator = await signIn('operator');
    await navLink(operator, 'Нераспознанные').click();
    await operator.getByRole('heading', { name: 'Нераспознанные сообщения каналов' }).waitFor();
    const rows = operator.getByTestId('quarantine-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    const tg = operator.locator('[data-testid="quarantine-row"][data-channel="telegram"]');
    await tg.getByText('Канал прислал сообщение, которое не удалось прочитать').waitFor();
    await tg.getByText('Telegram webhook: body is not JSON').waitFor();
    const vkRow = operator.locator('[data-testid="quarantine-row"][data-channel="vk"]');
    await vkRow.getByText('group-77').waitFor();
    // The input may carry personal data: it is not on the screen until asked for, one entry at a time.
    expect(await operator.getByText('Прошу помочь с ямой').count()).toBe(0);
    expect(await operator.getByText('Нет света в подъезде').count()).toBe(0);
    await tg.getByRole('button', { name: 'Показать' }).click();
    await expectText(operator.getByTestId('quarantine-raw'), cut);
    expect(await operator.getByText('Нет света в подъезде').count()).toBe(0);
    await vkRow.getByRole('button', { name: 'Показать' }).click();
    // The entry's input is fetched when opened: wait for it, then only one entry is open.
    await operator
      .getByTestId('quarantine-raw')
      .getByText('Нет света в подъезде', { exact: false })
      .waitFor();
    expect(await operator.getByTestId('quarantine-raw').count()).toBe(1);
    expect(await axeViolations(operator)).toEqual([]);
    expectClean(operator);

    const supervisor = await signIn('supervisor');
    await navLink(supervisor, 'Нераспознанные').click();
    await supervisor.getByTestId('quarantine-row').first().waitFor();
    expectClean(supervisor);

    // A department's clerk (the API refuses them) has neither the menu entry nor the page.
    const clerk = await signIn('clerk');
    await clerk.getByRole('link', { name: 'База знаний' }).waitFor();
    expect(await navLink(clerk, 'Нераспознанные').count()).toBe(0);
    await clerk.goto(`${walk.stack.baseUrl}/app/quarantine`);
    await clerk.waitForURL(/\/app\/inbox/);
    expectClean(clerk);
  });

  // Last: the 220 appeals it adds would push the earlier walks' appeals off their first pages.
  it('operator: exporting a large inbox result shows its progress and gives the whole result, not the loaded page', async () => {
    // 220 more appeals from the feed: the result spans two pages of the list API (200 a request).
    const store = walk.stack.api.get(InboundStore);
    const registrar = walk.stack.api.get(AppealRegistrar);
    const stored = await store.store(
      Array.from({ length: 220 }, (_, i) =>
        inboundItem({
          externalId: `export-walk-${i}`,
          subject: `Выгрузка: обращение ${i + 1}`,
          text: `Обращение ${i + 1} для проверки выгрузки: во дворе дома ${i + 1} по ул. Кирова открыт люк.`,
        }),
      ),
      { enqueue: false },
    );
    for (const item of stored) await registrar.registerInboundItem(item.inboundItemId);

    const page = await signIn('operator');
    await page.goto(`${walk.stack.baseUrl}/app/inbox?queue=all`);
    await page.getByRole('heading', { name: 'Все обращения' }).waitFor();
    await page.getByTestId('inbox-row').first().waitFor();
    const loaded = await page.getByTestId('inbox-row').count();
    const { total } = await json(
      fetch(`${walk.stack.baseUrl}/api/v1/appeals/count`, { headers: await signInHeaders('operator') }),
    );
    expect(total).toBeGreaterThan(200);
    expect(total).toBeGreaterThan(loaded);
    // Each page of the export takes a moment (a slow line): the progress shows between the pages.
    const exportPage = (url: URL) =>
      url.pathname === '/api/v1/appeals' && url.searchParams.get('limit') === '200';
    await page.route(exportPage, async (route) => {
      await new Promise((r) => setTimeout(r, 800));
      await route.continue();
    });
    await page.getByRole('button', { name: 'Выгрузить' }).click();
    const download = page.waitForEvent('download');
    await page.getByRole('menuitem', { name: 'CSV (UTF-8, «;»)' }).click();
    const progress = page.getByTestId('export-progress');
    await progress.getByText(`200 из ${total}`).waitFor();
    const file = readFileSync((await (await download).path())!, 'utf8');
    await progress.waitFor({ state: 'detached' });
    const rows = parse(file, { delimiter: ';', bom: true, relax_column_count: true }) as string[][];
    expect(rows[0][0]).toBe('Рег. номер');
    expect(rows.length - 1).toBe(total);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(total);
    expect(rows.map((r) => r[0])).toContain(walk.escalateMe.registrationNumber);
    expect(rows.filter((r) => /Выгрузка: обращение|для проверки выгрузки/.test(r[4] ?? ''))).toHaveLength(
      220,
    );
    expectClean(page);
  });

  // After the large export: its appeals give the fast-track export more than a hundred to find.
  it("supervisor: the dashboard's fast-track export gives every open fast-tracked appeal, not the dozen the panel shows nor the hundred the dashboard reads", async () => {
    await walk.ds.query(
      `UPDATE appeals SET fast_track = true WHERE id IN (
         SELECT id FROM appeals WHERE status IN ('registered', 'in_work', 'escalated') AND NOT fast_track
          ORDER BY registered_at LIMIT 110)`,
    );
    const headers = await signInHeaders('supervisor');
    const open = 'registered,in_work,escalated,returned,extended,reopened';
    const { total } = await json(
      fetch(`${walk.stack.baseUrl}/api/v1/appeals/count?fastTrack=true&status=${open}`, { headers }),
    );
    // More than the dashboard's own list holds (100): the export reads the list API page by page.
    expect(total).toBeGreaterThan(100);
    const page = await signIn('supervisor');
    const panel = page.getByRole('region', { name: 'Ускоренные обращения' });
    await panel.getByRole('table', { name: 'Ускоренные обращения' }).waitFor();
    expect(await panel.locator('tbody tr').count()).toBeLessThanOrEqual(12);
    await panel.getByRole('button', { name: 'Выгрузить' }).click();
    const download = page.waitForEvent('download');
    await page.getByRole('menuitem', { name: 'CSV (UTF-8, «;»)' }).click();
    const file = readFileSync((await (await download).path())!, 'utf8');
    const rows = parse(file, { delimiter: ';', bom: true, relax_column_count: true }) as string[][];
    expect(rows[0][0]).toBe('Рег. номер');
    expect(rows.length - 1).toBe(total);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(total);
    expectClean(page);
  });

  function navLink(page: Page, name: string) {
    return page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name });
  }

  async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
    await locator.waitFor();
    expect(await locator.textContent()).toBe(text);
  }
});
