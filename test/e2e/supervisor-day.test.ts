import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { type Page } from 'playwright-core';
import { ClockWatcher } from '@inbox/clocks';
import { DEMO_PASSWORD } from '../../apps/all-in-one/src/seed-demo';
import { demoTemplate, queueDemoDeliveries } from '../support/demo-database';
import { staffStack } from '../support/staff-stack';
import { foreignWords } from '../support/screen-language';
import { SHOTS, staffPages } from '../support/staff-pages';

/** '05.12.2026 14:05' (the first such in the text) → its minutes since the epoch, as if UTC (for comparing). */
function minutesOf(text: string): number {
  const m = /(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2})/.exec(text);
  if (!m) throw new Error(`no date and time in «${text}»`);
  return Date.UTC(+m[3], +m[2] - 1, +m[1], +m[4], +m[5]) / 60_000;
}

/**
 * The supervisor's working day on the demo region as `npm start` seeds it, in Chromium at 1366×768 in Russian:
 * the dashboard's figures and the queues they lead to, the overdue, reassigning, reports, and the poorly rated
 * answers reopened at the superior organisation.
 */
describe("a supervisor's working day on the demo data (browser e2e)", () => {
  /** What the seed said on the start's log. */
  const seedLog: string[] = [];
  // The database as the demo seed leaves it, run as `npm start` runs it, before the api and worker are up: a copy
  // of the run's demo template (demo-database.ts), made once per run.
  const t = staffStack({
    worker: true,
    env: { PENDING_SWEEP_MS: '3600000' },
    staff: {},
    database: async () => {
      const demo = await demoTemplate();
      seedLog.push(...demo.log);
      return demo.name;
    },
  });
  const pages = staffPages();
  const { problems } = pages;

  beforeAll(async () => {
    // The answers' deliveries the seed queued, to this stack's worker, as `npm start`'s worker finds them; then
    // one sweep of the clocks, as the worker makes every minute.
    expect(await queueDemoDeliveries(t.stack)).toBeGreaterThan(0);
    await t.stack.worker!.get(ClockWatcher, { strict: false }).sweep(new Date());
  });

  /** A demo user's page (signed in as the login page would), at 1366×768 in Russian, at the path. */
  const open = (login: string, path: string) =>
    pages.open(() => t.stack.baseUrl, { login, password: DEMO_PASSWORD }, path);

  /** The figure of a dashboard tile. */
  async function figure(page: Page, testId: string): Promise<number> {
    const text = await page.getByTestId(testId).locator('p').nth(1).innerText();
    return Number(text.replace(/\s/g, ''));
  }

  /** «Показано 50 из 73 обращений» → 73 (the queue's whole count). */
  async function queueTotal(page: Page): Promise<number> {
    const shown = page.getByTestId('shown-count');
    await shown.getByText(/ из /).waitFor();
    return Number(/из (?:более чем )?([\d\s]+)/.exec(await shown.innerText())![1].replace(/\s/g, ''));
  }

  /**
   * The tile's queue lists as many appeals as the tile counted. The worker's clock sweep (every minute) may mark a
   * term late between the two reads: the tile is then read again after the queue, and the pair is read anew while
   * the tile moved, so a sweep cannot fail the check and a queue that counts otherwise always does.
   */
  async function expectQueueCounts(page: Page, testId: string, heading: string, counted: number) {
    for (let attempt = 1; ; attempt++) {
      await page.getByTestId(testId).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      const listed = await queueTotal(page);
      await page.goto(`${t.stack.baseUrl}/app/dashboard`);
      await page.getByTestId(testId).getByTestId('stat-note').waitFor();
      const after = await figure(page, testId);
      if (after === counted || attempt === 3) {
        expect({ listed, after }).toEqual({ listed: counted, after: counted });
        return;
      }
      counted = after;
    }
  }

  it('«Срок под угрозой» and «Просроченные сроки» count the appeals their queues list, and say what they count', async () => {
    // An appeal late with its escalation and its answer term at risk: late, not at risk (the queue used to list
    // it in both, the panel counted it once).
    const ds = t.stack.db.dataSource;
    await ds.query(
      `INSERT INTO clock_marks (appeal_id, organisation_id, clock, kind, due_at)
       SELECT a.id, a.organisation_id, c.clock, c.kind, now()
         FROM (SELECT id, organisation_id FROM appeals
                WHERE status = 'registered' AND NOT EXISTS (SELECT 1 FROM clock_marks m WHERE m.appeal_id = appeals.id)
                ORDER BY registered_at DESC LIMIT 1) a
        CROSS JOIN (VALUES ('escalation', 'overdue'), ('answer', 'at-risk')) c (clock, kind)`,
    );
    const page = await open('supervisor', '/dashboard');
    await page.getByRole('heading', { name: 'Панель руководителя' }).waitFor();
    const atRisk = page.getByTestId('stat-at-risk');
    await atRisk.getByTestId('stat-note').getByText('обращений, сроки ещё не нарушены').waitFor();
    // Any broken term, as the menu's queue: it read «Просрочено», as the report's column of late 59-ФЗ answers
    // did, and the two were taken for one figure.
    await page.getByTestId('stat-overdue').getByText('Просроченные сроки', { exact: true }).waitFor();
    const queue = page
      .getByRole('navigation', { name: 'Разделы' })
      .getByRole('link', { name: 'Просроченные сроки' });
    // The menu's hint names the terms it counts.
    expect(await queue.getAttribute('title')).toBe(
      'Нарушен хотя бы один срок: передачи на 2-ю линию, ответа 2-й линии (1 рабочий день) или ответа заявителю (59-ФЗ)',
    );
    const figures = {
      atRisk: await figure(page, 'stat-at-risk'),
      overdue: await figure(page, 'stat-overdue'),
    };
    // The demo has both: appeals at risk and appeals late, some late on one term and at risk on another.
    expect(figures.atRisk).toBeGreaterThan(0);
    expect(figures.overdue).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'supervisor-day-dashboard.png') });
    // At 1366 px the fast-track terms are read in the card, not by scrolling it sideways
    // («просрочено на 38 дней 11 ч» ran past its edge).
    const fastTrack = page.getByRole('table', { name: 'Ускоренные обращения' });
    await fastTrack.getByRole('row').nth(1).waitFor();
    const pastCard = await fastTrack.evaluate((table) => {
      const card = table.closest('.mantine-Paper-root')!.getBoundingClientRect();
      return table.getBoundingClientRect().right - card.right;
    });
    expect(pastCard).toBeLessThanOrEqual(0);
    // The unread count over «Уведомления» stands clear of the name beside it.
    const count = (await page.locator('.mantine-Indicator-indicator').first().boundingBox())!;
    const profile = (await page.getByTitle('Профиль и выход').boundingBox())!;
    expect(count.x + count.width).toBeLessThanOrEqual(profile.x);

    // It used to list every appeal with a term at risk, those already late on another term too.
    await expectQueueCounts(page, 'stat-at-risk', 'Срок под угрозой', figures.atRisk);
    await expectQueueCounts(page, 'stat-overdue', 'Просроченные сроки', figures.overdue);

    // The bell of the region's supervisor after the sweep: the bodies' terms counted, one notice per organisation
    // and kind («99+» notices, one per appeal, drowned the rest), the badge the length of the unread list it opens.
    // Appeal by appeal only those its own organisation holds (one reopened at the government).
    const [told] = await ds.query(
      `SELECT count(*) FILTER (WHERE n.kind LIKE 'clock-%' AND n.appeal_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM clock_marks m WHERE m.appeal_id = n.appeal_id AND m.organisation_id = u.organisation_id)
              )::int AS "otherBodies",
              count(*) FILTER (WHERE n.digest_day IS NOT NULL)::int AS counted
         FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.login = 'supervisor'`,
    );
    expect(told.otherBodies).toBe(0);
    expect(told.counted).toBeGreaterThan(0);
    const bell = page.getByTestId('notifications-button');
    const unread = Number(/: (\d+) непрочитанн/.exec((await bell.getAttribute('aria-label')) ?? '')?.[1]);
    expect(unread).toBeGreaterThanOrEqual(told.counted);
    await bell.click();
    const panel = page.getByRole('region', { name: 'Уведомления' });
    await panel.getByText(`Непрочитанные: ${unread}`, { exact: true }).waitFor();
    const items = panel.getByTestId('notification');
    await items.first().waitFor();
    expect(await items.count()).toBe(Math.min(unread, 50));
    const counted = items.filter({ hasText: 'Сводка: сроки нарушены' }).first();
    const name = /^(.+): просрочено \d+ обращени/.exec(await counted.locator('p').last().innerText())![1];
    await counted.getByRole('link', { name: 'Открыть просроченные' }).click();
    await page.waitForURL(/\/inbox\?queue=overdue&organisationId=[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Просроченные сроки', exact: true }).waitFor();
    expect(await queueTotal(page)).toBeGreaterThan(0);
    expect(await page.getByRole('textbox', { name: 'Организация' }).inputValue()).toBe(name);
    // At 390 px the list keeps a margin from both edges of the screen (it ran to the right one).
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('notifications-button').click();
    const box = (await page.locator('.mantine-Popover-dropdown').filter({ has: panel }).boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(8);
    expect(box.x + box.width).toBeLessThanOrEqual(390 - 8);
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1366, height: 768 });
    expect(problems.get(page)).toEqual([]);
  });

  it('the seed completes the cards a line-2 request needs, as an operator would, and its log line says so', async () => {
    const ds = t.stack.db.dataSource;
    const line = seedLog.find((l) => l.startsWith('demo workflow:'));
    // It used to leave 110 of the 180 items it meant to escalate where they were, for want of a patronymic or
    // a phone («left as they were — 110: Для передачи на 2-ю линию заполните обязательные поля…»).
    expect(line).not.toContain('left as they were');
    const [, completed, escalated] = /: (\d+) cards completed by the operator, (\d+) escalated/.exec(line!)!;
    const [facts] = (await ds.query(
      `SELECT (SELECT count(DISTINCT appeal_id)::int FROM appeal_events e JOIN users u ON u.id::text = e.actor
                WHERE e.type = 'card-updated' AND u.login = 'operator') AS completed,
              (SELECT count(DISTINCT appeal_id)::int FROM appeal_events WHERE type = 'escalated') AS escalated,
              (SELECT count(*)::int FROM appeals a JOIN applicants p ON p.id = a.applicant_id
                WHERE EXISTS (SELECT 1 FROM appeal_events e WHERE e.appeal_id = a.id AND e.type = 'escalated')
                  AND (p.patronymic IS NULL OR p.phone IS NULL OR p.first_name IS NULL)) AS incomplete`,
    )) as { completed: number; escalated: number; incomplete: number }[];
    // Through the card's own command: each completed card has «Карточка дополнена» by the demo operator.
    expect(facts.completed).toBe(Number(completed));
    expect(facts.escalated).toBe(Number(escalated));
    expect(facts.completed).toBeGreaterThan(80);
    // Six in ten classified items are meant for line 2 (three in four are classified): 180 of the 400.
    expect(facts.escalated).toBeGreaterThanOrEqual(170);
    expect(facts.incomplete).toBe(0);
  });

  it("the demo head starts the day in «На согласовании» with the clerks' drafts the seed left there", async () => {
    const [{ drafts }] = (await t.stack.db.dataSource.query(
      `SELECT count(DISTINCT an.appeal_id)::int AS drafts FROM answers an JOIN users h ON h.organisation_id = an.organisation_id
        WHERE h.login = 'head' AND an.status = 'draft'`,
    )) as { drafts: number }[];
    // The demo left the head's queue empty: nothing to approve, the head's day had nothing in it.
    expect(drafts).toBeGreaterThan(0);
    expect(seedLog.find((l) => l.startsWith('demo workflow:'))).toMatch(/\d+ answers awaiting approval/);
    const page = await open('head', '/');
    await page.getByRole('heading', { name: 'На согласовании', exact: true }).waitFor();
    expect(await queueTotal(page)).toBe(drafts);
    // The api does not let a head register an appeal: the menu offered the form, refused on submitting it.
    await page.getByRole('link', { name: 'База знаний' }).waitFor();
    expect(await page.getByRole('link', { name: 'Регистрация обращения' }).count()).toBe(0);
    expect(problems.get(page)).toEqual([]);
  });

  it("the seed's escalated appeals have their line-2 term after the escalation, on the card", async () => {
    // The oldest escalated appeal: the one a term counted from its receipt put furthest in the past.
    const [oldest] = (await t.stack.db.dataSource.query(
      `SELECT a.id FROM appeals a WHERE a.status = 'escalated' ORDER BY a.registered_at LIMIT 1`,
    )) as { id: string }[];
    // Its term runs into a year whose holidays are not decreed yet (stored as the api wrote it before 7 December
    // 2026, in English): the card says, in Russian, that the term may move. The api gave it and no screen showed it.
    await t.stack.db.dataSource.query(`UPDATE appeals SET deadline_warnings = $2 WHERE id = $1`, [
      oldest.id,
      JSON.stringify([
        {
          code: 'provisional-calendar',
          date: '2027-01-11',
          message: 'Date 2027-01-11 uses production calendar data',
        },
      ]),
    ]);
    const page = await open('supervisor', `/appeals/${oldest.id}`);
    await page
      .getByRole('region', { name: 'Сроки' })
      .getByTestId('deadline-warning')
      // Under a term in 2026 it names the 2027 day the term rests on (it read «Срок рассчитан по календарю на 2027
      // год» under a December date).
      .getByText(
        /^Срок (рассчитан|ответа зависит от дня 11\.01\.2027) по календарю на 2027 год, .* срок может измениться$/,
      )
      .waitFor();
    const escalated = page.locator('[data-testid="history-item"][data-type="escalated"]').first();
    await escalated.waitFor();
    const line2 = page
      .getByRole('region', { name: 'Сроки' })
      .locator('div')
      .filter({ has: page.getByText(/^Ответ 2-й линии:/) })
      .last();
    expect(minutesOf(await line2.innerText())).toBeGreaterThan(minutesOf(await escalated.innerText()));
    const [{ n }] = (await t.stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM appeal_organisations p
         JOIN appeal_events e ON e.appeal_id = p.appeal_id AND e.type = 'escalated'
        WHERE p.line = 2 AND p.due_at < e.occurred_at`,
    )) as { n: number }[];
    expect(n).toBe(0);
    expect(problems.get(page)).toEqual([]);
  });

  it("the report's chart shows each group's name whole, the first one too, on a phone too; the dashboard's legends and low ratings and the knowledge base's repeated questions whole", async () => {
    const page = await open('supervisor', '/reports');
    const table = page.getByRole('table', { name: 'Отчёт о рассмотрении' });
    /** The tick labels that run past the chart's drawing, where the browser cuts them. */
    const cut = async () => {
      await page.locator('.recharts-cartesian-axis-tick text').first().waitFor();
      await page.waitForTimeout(500);
      return page
        .locator('.recharts-surface')
        .first()
        .evaluate((svg) => {
          const box = svg.getBoundingClientRect();
          return [...svg.querySelectorAll('.recharts-cartesian-axis-tick text')]
            .filter((el) => {
              const r = el.getBoundingClientRect();
              return r.left < box.left - 1 || r.right > box.right + 1 || r.bottom > box.bottom + 1;
            })
            .map((el) => el.textContent ?? '');
        });
    };
    await table.locator('thead th').first().getByText('Тема', { exact: true }).waitFor();
    // Late by the 59-ФЗ answer date only, and named so: not the menu's «Просроченные сроки» (any term).
    expect((await table.locator('thead th').allInnerTexts()).slice(-2)).toEqual([
      'Просрочен ответ (59-ФЗ)',
      'Перенаправлено',
    ]);
    expect(await cut()).toEqual([]);
    // By organisation the first name is a long one («Министерство …»): slanted, it ran out of the chart.
    await page.getByText('По органам').click();
    await table.locator('thead th').first().getByText('Орган', { exact: true }).waitFor();
    expect(await cut()).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'supervisor-day-report.png'), fullPage: true });
    // On a phone the axis is narrow: wrapped to it, «Жилищно-коммунальное хозяйство» ran past the left edge.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByText('По темам').click();
    await table.locator('thead th').first().getByText('Тема', { exact: true }).waitFor();
    expect(await cut()).toEqual([]);
    // The knowledge base's repeated questions: each one's «Сформировать запрос» whole in its card, not «Сфор».
    await page.goto(`${t.stack.baseUrl}/app/knowledge/requests`);
    await page.getByTestId('kb-repeated').first().waitFor();
    const offCard = await page.getByTestId('kb-repeated').evaluateAll(
      (cards) =>
        cards.filter((card) => {
          // Squeezed beside the text, the button clipped its own words.
          const label = card.querySelector('button .mantine-Button-label')!;
          return label.scrollWidth > label.clientWidth + 1;
        }).length,
    );
    expect(offCard).toBe(0);
    // A request formed from a group takes the group off the list at once: back on the page, it stayed listed
    // (for the list's 15 s), ready for a second request about the same appeals.
    const group = page.getByTestId('kb-repeated').first();
    const formed = page.locator(`[data-key="${await group.getAttribute('data-key')}"]`);
    await group.getByRole('button', { name: 'Сформировать запрос' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Направить на согласование' }).click();
    await page.waitForURL(/\/knowledge\/requests\/[0-9a-f-]{36}$/);
    await page.goBack();
    await page.getByTestId('kb-repeated').first().waitFor();
    for (let waited = 0; (await formed.count()) > 0 && waited < 5000; waited += 250)
      await page.waitForTimeout(250);
    expect(await formed.count()).toBe(0);

    // The dashboard: the intake chart's legend names all eight channels inside its panel (a fixed 40 px box cut
    // its second line at 1366 px and all but the first on a phone), and the low ratings' table is reached whole
    // on a phone (the panel clipped the counts and the «Обращения» links).
    const outside = async (region: string) => {
      const panel = page.getByRole('region', { name: region });
      await panel.locator('.recharts-legend-wrapper p').first().waitFor();
      await page.waitForTimeout(500);
      return panel.evaluate((el) => {
        const box = el.getBoundingClientRect();
        return [...el.querySelectorAll('.recharts-legend-wrapper p')]
          .filter((p) => p.getBoundingClientRect().bottom > box.bottom - 8)
          .map((p) => p.textContent ?? '');
      });
    };
    const intake = 'Поступление по каналам за 30 дней';
    await page.goto(`${t.stack.baseUrl}/app/dashboard`);
    expect(await outside(intake)).toEqual([]);
    const low = page.getByRole('table', { name: 'Низкие оценки по организациям и темам' });
    await low.getByRole('link', { name: 'Обращения' }).first().waitFor();
    const reachable = () =>
      low.evaluate((table) => {
        const panel = table.closest('section')!;
        if (table.getBoundingClientRect().right <= panel.getBoundingClientRect().right) return 'fits';
        for (let box = table.parentElement; box && box !== panel; box = box.parentElement)
          if (/auto|scroll/.test(box.ownerDocument.defaultView!.getComputedStyle(box).overflowX))
            return 'scrolls';
        return 'cut';
      });
    expect(await reachable()).not.toBe('cut');
    await page.setViewportSize({ width: 1366, height: 768 });
    expect(await outside(intake)).toEqual([]);
    expect(await reachable()).toBe('fits');
    expect(problems.get(page)).toEqual([]);
  });

  it('the day: dashboard, an overdue appeal reassigned from its card, the report, a poorly rated answer reopened at the superior organisation', async () => {
    const page = await open('supervisor', '/inbox');
    const nav = page.getByRole('navigation', { name: 'Разделы' });
    await nav.getByRole('link', { name: 'Панель руководителя' }).click();
    await page.getByRole('heading', { name: 'Панель руководителя' }).waitFor();
    await page.getByTestId('stat-overdue').waitFor();
    expect(await foreignWords(page)).toEqual([]);

    // «В работе»: the selection says it is the open appeals (it said «Все обращения в моей области видимости»).
    await page.getByRole('link', { name: /^В работе/ }).click();
    await page.getByRole('heading', { name: 'Выборка обращений' }).waitFor();
    await page.getByText(/^в работе \(не рассмотрены\)/).waitFor();
    await page.goBack();

    // The overdue: the first of the queue (the longest overdue), opened from the keyboard.
    await page.getByTestId('stat-overdue').click();
    await page.getByRole('heading', { name: 'Просроченные сроки', exact: true }).waitFor();
    const first = page.getByTestId('inbox-row').first();
    await first.waitFor();
    expect(await foreignWords(page)).toEqual([]);
    const number = /\d{4}-\d{6}/.exec(await first.innerText())![0];
    await page.locator('body').click({ position: { x: 5, y: 700 } });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Обращение № ${number}` }).waitFor();
    // The applicant's name is theirs (a messenger name may be Latin): the card marks it as data for the check.
    expect(await page.getByTestId('applicant-name').getAttribute('data-citizen-data')).not.toBeNull();
    expect(await foreignWords(page)).toEqual([]);

    // Reassigned from the card (it could only be done from the list, by selecting rows).
    await page
      .getByRole('toolbar', { name: 'Действия с обращением' })
      .getByRole('button', { name: 'Назначить исполнителя' })
      .click();
    const assign = page.getByRole('dialog', { name: 'Назначить исполнителя' });
    // Chosen, and chosen again: it stays chosen. The card preselects a holder, and ЦУР, when it holds the appeal,
    // was emptied by the supervisor's choosing it (Mantine's Select deselects), leaving no executor to offer.
    const organisation = assign.getByRole('textbox', { name: 'Организация' });
    for (const _ of [1, 2]) {
      await organisation.click();
      await page.getByRole('option', { name: 'ЦУР Северной области' }).click();
      expect(await organisation.inputValue()).toBe('ЦУР Северной области');
    }
    await assign.getByRole('textbox', { name: 'Исполнитель' }).click();
    await page.getByRole('option', { name: 'Оператор ЦУР Иванова Е. А.' }).click();
    await assign.getByRole('button', { name: 'Назначить' }).click();
    await page.getByText('Исполнитель назначен').waitFor();
    // Line 1's holder: the longest overdue may be one the supervisor's own organisation works on line 2, whose
    // holder the card named alone, so the assignment seemed not to take.
    await page
      .getByTestId('card-assignee')
      .getByText(/^исполнитель(?: на 1-й линии)?: Оператор ЦУР Иванова Е\. А\.$/)
      .waitFor();

    // The report, by organisation.
    await nav.getByRole('link', { name: 'Отчёты' }).click();
    const table = page.getByRole('table', { name: 'Отчёт о рассмотрении' });
    await table.waitFor();
    await page.getByText('По органам').click();
    await table.locator('thead th').first().getByText('Орган', { exact: true }).waitFor();
    expect(await foreignWords(page)).toEqual([]);
    /** The table's rows and its «Итого» as the screen shows them. */
    const shownRows = () =>
      table
        .locator('tbody tr, tfoot tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())),
        );
    const byOrganisation = await shownRows();
    // The export is the screen: its name in Russian words (it read «otchet-organisation-…»), Cyrillic intact,
    // each figure as shown, the share with the Russian comma («96.7» opened in Excel as text).
    await page.getByRole('button', { name: 'Выгрузить' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: /^CSV/ }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^otchet-po-organam-[\d-]+\.csv$/);
    const [header, ...exported] = parse(readFileSync(await download.path()), {
      delimiter: ';',
      bom: true,
    }) as string[][];
    expect(header[0]).toBe('Орган');
    // Every column, «Перенаправлено» too (the screen lacked it).
    expect(header.at(-1)).toBe('Перенаправлено');
    expect(exported).toEqual(
      byOrganisation.map((row) => row.map((cell) => cell.replace(/ %$/, '').replace(/^—$/, ''))),
    );
    // Back from the list a row leads to, and on reload, the report is the one chosen (it fell back to topics).
    await table.locator('tbody a').first().click();
    await page.getByTestId('shown-count').getByText(/ из /).waitFor();
    await page.goBack();
    await table.locator('thead th').first().getByText('Орган', { exact: true }).waitFor();
    await page.reload();
    await table.locator('thead th').first().getByText('Орган', { exact: true }).waitFor();
    // «Итого» counts each appeal once, as by lines: it summed the organisations' rows, an appeal held by two
    // counted twice (450 received of 301).
    await page.getByText('По линиям').click();
    await table.locator('thead th').first().getByText('Линия', { exact: true }).waitFor();
    const byLine = await shownRows();
    expect(byOrganisation.at(-1)!.slice(0, 2)).toEqual(byLine.at(-1)!.slice(0, 2));
    expect(byOrganisation.length).toBeGreaterThan(2);
    // A line's row leads to its appeals as the list selects them: as many as the row says were received (the
    // rows by line had no links, and the list had no filter by line).
    const line2 = byLine.find((row) => row[0] === '2-я линия (органы власти)')!;
    await table.getByRole('link', { name: '2-я линия (органы власти)' }).click();
    await page
      .getByText(/2-я линия \(органы власти\)/)
      .first()
      .waitFor();
    await page
      .getByTestId('shown-count')
      .getByText(new RegExp(` из ${line2[1]} `))
      .waitFor();
    await page.goBack();
    await table.locator('thead th').first().getByText('Линия', { exact: true }).waitFor();
    await page.getByText('По органам').click();
    await page
      .getByTestId('report-note')
      .getByText(/учтено в строке каждого из них/)
      .waitFor();

    // A poor rating: from the dashboard's ratings to the appeal, reopened at the superior organisation — the
    // newest whose answer came from an organisation directly under the supervisor's own (a ministry, a district),
    // so reopened at the supervisor's. Not the list's first: which appeals the seed rates depends on the hour it
    // runs, and in about 3 % of hours the newest was a subordinate's (reopened at its ministry) or the
    // government's own answer (reopened where it was), and the card's checks below failed.
    const [{ number: ratedNumber }] = (await t.stack.db.dataSource.query(
      `SELECT a.registration_number AS number FROM appeals a
         JOIN users s ON s.login = 'supervisor' AND s.organisation_id = a.organisation_id
        WHERE a.status = 'reopened' AND a.registration_number <> $1
          AND EXISTS (SELECT 1 FROM appeal_organisations p JOIN organisations o ON o.id = p.organisation_id
                       WHERE p.appeal_id = a.id AND p.line = 2 AND p.state = 'answered'
                         AND o.parent_id = s.organisation_id)
          AND EXISTS (SELECT 1 FROM appeal_organisations p WHERE p.appeal_id = a.id AND p.line = 1)
        ORDER BY a.registered_at DESC LIMIT 1`,
      [number],
    )) as { number: string }[];
    await nav.getByRole('link', { name: 'Панель руководителя' }).click();
    await page
      .getByTestId('rating-kind')
      .filter({ hasText: /Не удовлетворён|Ответа на вопрос нет/ })
      .first()
      .click();
    const rated = page.getByTestId('inbox-row').filter({ hasText: ratedNumber });
    await rated.waitFor();
    expect(await foreignWords(page)).toEqual([]);
    await rated.getByRole('link', { name: new RegExp(ratedNumber) }).click();
    await page.getByRole('heading', { name: `Обращение № ${ratedNumber}` }).waitFor();
    await page
      .getByTestId('appeal-organisation')
      .filter({ hasText: 'Правительство' })
      .getByText('ответственная')
      .waitFor();
    // The management centre is no longer the responsible one (both read «ответственная»), and the organisation
    // that answered says so (its part read as if still held).
    const organisations = page.getByTestId('appeal-organisation');
    try {
      await organisations.filter({ hasText: 'ЦУР' }).getByText('1-я линия', { exact: true }).waitFor();
      expect(await organisations.getByText('ответственная', { exact: true }).count()).toBe(1);
      // The supervisor's own organisation now works it: the card names both holders, line 1's and its own.
      await page
        .getByTestId('card-assignee')
        .getByText(/^исполнитель на 1-й линии: /)
        .waitFor();
      await page
        .getByTestId('card-part-assignee')
        .getByText(/в вашей организации: /)
        .waitFor();
      await organisations.getByTestId('part-state').getByText('ответила', { exact: true }).first().waitFor();
      // The organisation that answered has no line-2 term left running (the card counted it down still).
      await page.getByRole('region', { name: 'Сроки' }).getByTestId('answer-due').waitFor();
      expect(
        await page
          .getByRole('region', { name: 'Сроки' })
          .getByText(/^Ответ 2-й линии/)
          .count(),
      ).toBe(0);
    } catch (e) {
      // An intermittent failure here (1 in 3–4 loaded runs) was not reproduced: say what the card and the
      // database held, so the next one can be diagnosed from the run's log.
      const [held] = (await t.stack.db.dataSource.query(
        `SELECT a.status, a.assignee_id, (SELECT json_agg(json_build_object('org', o.code, 'line', p.line,
                'role', p.role, 'state', p.state)) FROM appeal_organisations p JOIN organisations o ON o.id = p.organisation_id
                WHERE p.appeal_id = a.id) AS parts
           FROM appeals a WHERE a.registration_number = $1`,
        [ratedNumber],
      )) as unknown[];
      const shown = await organisations.allInnerTexts();
      console.error(
        `reopened card ${ratedNumber} (reassigned ${number}): ${JSON.stringify({ shown, held })}`,
      );
      throw e;
    }
    await page.screenshot({ path: join(SHOTS, 'supervisor-day-reopened.png'), fullPage: true });
    expect(await foreignWords(page)).toEqual([]);
    expect(problems.get(page)).toEqual([]);
  });
});
