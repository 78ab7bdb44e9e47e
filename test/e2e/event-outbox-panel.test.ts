import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { Role, StaffUsers } from '@inbox/access';
import { AppealEventHooks } from '@inbox/channels';
import { RemoteChannel } from '../fakes/remote-channel/remote-channel';
import { signInAs, type SignedIn } from '../factories/staff';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import { watchProblems } from '../support/page-problems';
import { ensureWebBuilt } from '../support/web-build';

/**
 * Issue 15: a consumer of the history whose remote side stays down longer than every attempt ends in a dead
 * letter that an administrator sees (the panel's API, /health's figures) and retries once the remote is back;
 * the retry delivers it once, is audited, and a second retry finds nothing. Other staff may not see or retry.
 * The same in a real browser: the administrator's «Уведомления и статусы» tab shows the failed delivery, «Повторить»
 * sends it once the channel is back, and the list of dead letters is empty afterwards.
 */
describe('history outbox panel (e2e)', () => {
  let stack: TestStack;
  let remote: RemoteChannel;
  let admin: SignedIn;
  let clerk: SignedIn;
  let appealId = '';
  let registrationNumber = '';
  let browser: Browser;

  beforeAll(async () => {
    ensureWebBuilt();
    remote = new RemoteChannel();
    const url = await remote.start();
    stack = await startTestStack({
      worker: true,
      env: {
        EVENT_HOOK_ATTEMPTS: '2',
        EVENT_HOOK_RETRY_MS: '50',
        EVENT_HOOK_POLL_MS: '100',
        EVENT_HOOK_RETRY_FOR_MS: '0',
      },
    });
    // A consumer of the test's own, calling the remote channel as the real ones call theirs.
    const hooks = stack.worker!.get(AppealEventHooks);
    hooks.on('test-remote', '*', ['test-ping'], async (event) => {
      const res = await fetch(url, { method: 'POST', body: JSON.stringify({ eventId: event.id }) });
      if (!res.ok) throw new Error(`remote answered ${res.status}`);
    });
    await hooks.onApplicationBootstrap();
    admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'region');
    clerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');

    const body = new FormData();
    for (const [k, v] of Object.entries({
      surname: 'Кузнецова',
      firstName: 'Ольга',
      email: 'olga.k@example.ru',
      text: 'Третий день нет горячей воды в доме по ул. Ленина, 15. Управляющая компания не отвечает.',
      consent: 'true',
    }))
      body.append(k, v);
    const created = await fetch(`${stack.baseUrl}/api/v1/public/appeals`, { method: 'POST', body });
    expect(created.status).toBe(201);
    ({ registrationNumber } = (await created.json()) as { registrationNumber: string });
    [{ id: appealId }] = (await stack.db.dataSource.query(
      `SELECT id FROM appeals WHERE registration_number = $1`,
      [registrationNumber],
    )) as { id: string }[];
    // The administrator who signs in to the workspace in the browser.
    await stack.api.get(StaffUsers).create({
      login: 'outbox-admin',
      password: 'demo',
      fullName: 'Администратор системы',
      role: Role.Admin,
      organisationId: (
        (await stack.db.dataSource.query(`SELECT id FROM organisations WHERE code = 'region'`)) as {
          id: string;
        }[]
      )[0].id,
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await remote?.stop();
  });

  const panel = (who: SignedIn = admin) =>
    fetch(`${stack.baseUrl}/api/v1/event-outbox`, { headers: who.headers });
  const retry = (body: Record<string, string>, who: SignedIn = admin) =>
    fetch(`${stack.baseUrl}/api/v1/event-outbox/retry`, {
      method: 'POST',
      headers: who.headers,
      body: JSON.stringify(body),
    });
  const ping = async () => {
    const [{ id }] = (await stack.db.dataSource.query(
      `INSERT INTO appeal_events (appeal_id, type) VALUES ($1, 'test-ping') RETURNING id::text`,
      [appealId],
    )) as { id: string }[];
    return id;
  };

  it('shows a dead letter with its error, retries it once the remote is back, and audits the retry', async () => {
    const delivered = await ping();
    await eventually(async () => (remote.received.includes(delivered) ? true : undefined));

    remote.up = false;
    const doomed = await ping();
    const dead = await eventually(async () => {
      const overview = await json(panel());
      return overview.dead.length > 0 ? overview : undefined;
    });
    expect(dead.attemptsBeforeDead).toBe(2);
    expect(dead.dead).toEqual([
      expect.objectContaining({
        consumer: 'test-remote',
        eventId: doomed,
        appealId,
        channel: 'website',
        type: 'test-ping',
        attempts: 2,
        lastError: 'remote answered 503',
      }),
    ]);
    expect(dead.consumers).toContainEqual(
      expect.objectContaining({ consumer: 'test-remote', pending: 0, dead: 1 }),
    );
    expect(dead.totals.dead).toBe(1);
    // The real consumers went on: the appeal's registration reached each of them.
    expect(dead.consumers.filter((c: { dead: number }) => c.dead > 0)).toHaveLength(1);
    const health = await json(fetch(`${stack.baseUrl}/health`));
    expect(health.outbox).toMatchObject({ dead: 1 });
    expect(remote.received).toEqual([delivered]);

    // Nobody but an administrator sees or retries it.
    expect((await panel(clerk)).status).toBe(403);
    expect((await retry({ consumer: 'test-remote', eventId: doomed }, clerk)).status).toBe(403);
    expect((await retry({ eventId: 'не номер' })).status).toBe(400);

    remote.up = true;
    const res = await retry({ consumer: 'test-remote', eventId: doomed });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ retried: 1 });
    await eventually(async () => (remote.received.includes(doomed) ? true : undefined));
    const after = await eventually(async () => {
      const overview = await json(panel());
      return overview.totals.pending === 0 ? overview : undefined;
    });
    expect(after.dead).toEqual([]);
    expect(after.totals.dead).toBe(0);
    expect(await json(retry({}))).toEqual({ retried: 0 });
    await new Promise((r) => setTimeout(r, 500));
    expect(remote.received).toEqual([delivered, doomed]);

    const audit = (await stack.db.dataSource.query(
      `SELECT user_id AS "userId", action, entity_id AS "entityId", details FROM audit_log
        WHERE action = 'retry-dead-events' ORDER BY id`,
    )) as { userId: string; action: string; entityId: string | null; details: Record<string, unknown> }[];
    expect(audit).toEqual([
      {
        userId: admin.userId,
        action: 'retry-dead-events',
        entityId: doomed,
        details: { consumer: 'test-remote', eventId: doomed, retried: 1 },
      },
      {
        userId: admin.userId,
        action: 'retry-dead-events',
        entityId: null,
        details: { consumer: null, eventId: null, retried: 0 },
      },
    ]);
  });
  it('administrator in the browser: sees the failed delivery, retries it once the channel is back, and it goes', async () => {
    remote.up = false;
    const eventId = await ping();
    await eventually(async () => {
      const overview = await json(panel());
      return overview.dead.some((d: { eventId: string }) => d.eventId === eventId) ? true : undefined;
    });

    const context = await browser.newContext({
      bypassCSP: true,
      viewport: { width: 1366, height: 900 },
      locale: 'ru-RU',
      timezoneId: 'Asia/Novosibirsk',
    });
    try {
      const page = await context.newPage();
      const problems = watchProblems(page);
      page.setDefaultTimeout(15_000);
      await page.goto(`${stack.baseUrl}/app/`);
      await page.getByLabel('Логин').fill('outbox-admin');
      await page.getByLabel('Пароль').fill('demo');
      await page.getByRole('button', { name: 'Войти' }).click();
      await page.getByTestId('current-user').waitFor();
      await page.getByRole('link', { name: 'Администрирование' }).click();
      await page.getByRole('tab', { name: 'Уведомления и статусы' }).click();

      const row = page
        .getByRole('table', { name: 'Недоставленные события' })
        .getByRole('row')
        .filter({ hasText: registrationNumber });
      await row.getByText('remote answered 503').waitFor();
      await row.getByText(`test-ping № ${eventId}`).waitFor();
      await page.getByText('Недоставленные события: 1').waitFor();
      expect(remote.received).not.toContain(eventId);

      remote.up = true;
      // A consumer the workspace has no name for reads as a Russian phrase, not its code (lib/labels).
      await row
        .getByRole('button', { name: `Повторить событие ${eventId} для Другой получатель событий` })
        .click();
      await page.getByText('Поставлено на повтор: 1').waitFor();
      await eventually(async () => (remote.received.includes(eventId) ? true : undefined));
      await page.getByText('Недоставленных событий нет').waitFor();
      await page.getByText('Недоставленные события: 0').waitFor();
      await new Promise((r) => setTimeout(r, 500));
      expect(remote.received.filter((id) => id === eventId)).toHaveLength(1);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
