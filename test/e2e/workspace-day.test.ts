import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Role, StaffUsers } from '@inbox/access';
import { OPEN_STATUSES } from '@inbox/appeals';
import { ClockWatcher } from '@inbox/clocks';
import { INTERRUPTED_REASON } from '@inbox/delivery';
import { Channel } from '@inbox/integrations/contract';
import { idOf } from '../factories/directory';
import { phoneAppeal } from '../factories/appeals';
import { inboundItem } from '../factories/inbound-items';

import { staffStack } from '../support/staff-stack';
import { eventually, json, registerItems } from '../support/test-stack';
import { SHOTS, staffPages } from '../support/staff-pages';
import { zoneDateTime } from '../support/zone-time';

const PASSWORD = 'den-v-rabote-2026';

/**
 * A working day in the workspace at 1366×768, what staff hit in the demo: a line-2 clerk who takes an
 * inbox's rows keep to their columns at that width; a line-2 clerk who takes an
 * escalated appeal sees it is theirs (the button goes, the card names them); a draft with a slip in it is
 * corrected, sent back with a comment by the supervisor, and a wrong one discarded — on the card, not only
 * through the API.
 */
describe('a working day in the staff workspace (browser e2e)', () => {
  const t = staffStack({
    // The worker delivers (and fails to: no e-mail account is set up here) the answers sent.
    worker: true,
    organisations: { minzhkh: 'minzhkh', mintrans: 'mintrans' },
    topics: { housing: 'housing' },
    staff: {
      operator: [Role.Operator, 'cur'],
      approver: [Role.Supervisor, 'region'],
      admin: [Role.Admin, 'region'],
      colleague: [Role.Clerk, 'minzhkh'],
    },
  });
  const { ids, staff, call } = t;
  const pages = staffPages();
  const { problems, newPage } = pages;

  beforeAll(async () => {
    // Staff who sign in with their own password.
    const users = t.stack.api.get(StaffUsers);
    await users.create({
      login: 'smirnova',
      password: PASSWORD,
      fullName: 'Смирнова Ольга Николаевна',
      role: Role.Supervisor,
      organisationId: await idOf(t.stack.db.dataSource, 'organisations', 'region'),
    });
    await users.create({
      login: 'petrov',
      password: PASSWORD,
      fullName: 'Петров Сергей Владимирович',
      role: Role.Clerk,
      organisationId: ids.minzhkh,
    });
  });
  const users = () => t.stack.api.get(StaffUsers);

  /** A member of staff who signs in with the file's password (a line-1 operator unless said). */
  async function newStaff(login: string, fullName: string, role = Role.Operator, organisation = 'cur') {
    await users().create({
      login,
      password: PASSWORD,
      fullName,
      role,
      organisationId: await idOf(t.stack.db.dataSource, 'organisations', organisation),
    });
  }

  /** A form appeal with an e-mail, answered, approved and sent: with no e-mail account here, its answer fails. */
  async function answeredFormAppeal(
    author: { surname: string; firstName: string; email: string },
    steps: readonly ('approve' | 'send')[] = ['approve', 'send'],
  ) {
    const [appealId] = await registerItems(t.stack, [
      inboundItem({ channel: Channel.Website, externalId: `form-${randomUUID()}`, regime: 'appeal', author }),
    ]);
    const draft = await json(
      call('POST', `/api/v1/appeals/${appealId}/answers`, staff.operator, {
        text: 'Управляющей компании выдано предписание.',
      }),
    );
    for (const step of steps) {
      const who = step === 'approve' ? staff.approver : staff.operator;
      expect(
        (await call('POST', `/api/v1/appeals/${appealId}/answers/${draft.id}/${step}`, who)).status,
      ).toBe(204);
    }
    return appealId;
  }

  /** A member of staff made by the file, signed in over HTTP with its password: `call`'s caller. */
  async function overHttp(login: string) {
    const signIn = await fetch(`${t.stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password: PASSWORD }),
    });
    const { accessToken } = await json(signIn);
    return {
      userId: '',
      login,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    };
  }

  /** A page signed in (the login page's session, over the api) at the path. */
  const open = (login: string, path: string, locale?: string) =>
    pages.open(() => t.stack.baseUrl, { login, password: PASSWORD }, path, locale);

  /** A call registered by line 1. */
  async function registeredCall(): Promise<{ id: string; registrationNumber: string }> {
    return json(
      call(
        'POST',
        '/api/v1/appeals',
        staff.operator,
        phoneAppeal('Орлова Мария Петровна', '+7 913 222-11-00', {
          subject: 'Нет отопления',
          text: 'В квартире на ул. Мира, 7 третий день холодные батареи, управляющая компания не отвечает.',
          topicId: ids.housing,
        }),
      ),
    );
  }

  /** A call registered by line 1 and escalated to Минжкх. */
  async function escalatedCall(): Promise<{ id: string; registrationNumber: string }> {
    const appeal = await registeredCall();
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

  it('clerk: an answer typed and not saved is there after a look at the list; a dialog closed by Escape keeps its reason', async () => {
    const appeal = await escalatedCall();
    const page = await open('petrov', `/appeals/${appeal.id}`);
    const answer = page.getByRole('region', { name: 'Ответ заявителю' }).getByLabel('Текст ответа');
    await answer.fill('Бригада управляющей компании выедет 10 декабря.');
    // A look at the list and back, as a clerk checks another appeal mid-answer: the text was gone.
    await page.getByRole('button', { name: /Назад к списку/ }).click();
    await page.getByRole('link', { name: `№ ${appeal.registrationNumber}` }).click();
    await page.getByRole('heading', { name: `Обращение № ${appeal.registrationNumber}` }).waitFor();
    await eventually(async () =>
      (await answer.inputValue()) === 'Бригада управляющей компании выедет 10 декабря.' ? true : undefined,
    );
    // A reason typed into a dialog closed by Escape (or a click beside it) is there when it opens again; «Отмена»
    // drops it.
    const toolbar = page.getByRole('toolbar', { name: 'Действия с обращением' });
    const dialog = page.getByRole('dialog', { name: 'Продлить срок' });
    await toolbar.getByRole('button', { name: 'Продлить срок' }).click();
    await dialog.getByLabel('Причина').fill('Запрошены сведения у управляющей компании');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await toolbar.getByRole('button', { name: 'Продлить срок' }).click();
    expect(await dialog.getByLabel('Причина').inputValue()).toBe('Запрошены сведения у управляющей компании');
    await dialog.getByRole('button', { name: 'Отмена' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await toolbar.getByRole('button', { name: 'Продлить срок' }).click();
    expect(await dialog.getByLabel('Причина').inputValue()).toBe('');
    await page.keyboard.press('Escape');
    // Saved, the text is the draft's and the field is empty, after a reload too.
    await page.getByRole('button', { name: 'Сохранить проект ответа' }).click();
    await page
      .locator('[data-testid="answer"][data-status="draft"]')
      .getByText('Бригада управляющей компании выедет 10 декабря.')
      .waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Новый проект ответа' }).click();
    expect(await answer.inputValue()).toBe('');
    expect(problems.get(page)).toEqual([]);
  });

  it('clerk returns a misrouted appeal: the card offers them nothing more, the history reads in its zone, and line 1 reads its answer term', async () => {
    const appeal = await escalatedCall();
    // A colleague's draft, waiting for approval when the part goes back.
    expect(
      (
        await call('POST', `/api/v1/appeals/${appeal.id}/answers`, staff.colleague, {
          text: 'Управляющей компании выдано предписание.',
        })
      ).status,
    ).toBe(201);
    // And one approved before the return, not yet sent.
    const approved = await json(
      call('POST', `/api/v1/appeals/${appeal.id}/answers`, staff.colleague, {
        text: 'Предписание управляющей компании согласовано.',
      }),
    );
    expect(
      (await call('POST', `/api/v1/appeals/${appeal.id}/answers/${approved.id}/approve`, staff.approver))
        .status,
    ).toBe(204);
    // The line-2 term extended as far as it goes: the history says to when in the organisation's zone
    // (Novosibirsk), as the card's terms; it said it in the browser's (here UTC: «до … 09:00» for 16:00).
    const [{ limit }] = (await t.stack.db.dataSource.query(
      `SELECT extension_limit_at AS limit FROM appeal_organisations WHERE appeal_id = $1 AND line = 2`,
      [appeal.id],
    )) as { limit: Date }[];
    expect(
      (
        await call('POST', `/api/v1/appeals/${appeal.id}/extend`, staff.colleague, {
          kind: 'line2',
          until: limit.toISOString(),
          reason: 'Запрошены сведения у управляющей компании',
        })
      ).status,
    ).toBe(204);
    const clerk = await open('petrov', `/appeals/${appeal.id}`);
    await clerk
      .locator('[data-testid="history-item"][data-type="line2-extended"]')
      .getByText(`до ${zoneDateTime(limit)}:`)
      .waitFor();
    const toolbar = clerk.getByRole('toolbar', { name: 'Действия с обращением' });
    await toolbar.getByRole('button', { name: 'Вернуть как не по адресу' }).click();
    const dialog = clerk.getByRole('dialog', { name: 'Вернуть на 1-ю линию' });
    await dialog.getByLabel('Причина').fill('Вопрос в компетенции Минтранса');
    await dialog.getByRole('button', { name: 'Вернуть' }).click();
    await clerk.getByText('Возвращено на 1-ю линию').first().waitFor();
    // Read-only to the organisation that returned it: the api refuses every change (403), so the card offers
    // none (it offered to approve the draft, attach files, add a note, and each press failed). It no longer reads
    // the applicant's data anywhere, so its own draft is listed with its text hidden, saying why.
    const draft = clerk.locator('[data-testid="answer"][data-status="draft"]');
    await draft.getByText(/^Текст скрыт: ваша организация вернула обращение/).waitFor();
    expect(await draft.getByText('Управляющей компании выдано предписание.').count()).toBe(0);
    for (const name of [
      'Согласовать',
      'Вернуть на доработку',
      'Приложить файл к обращению',
      'Добавить заметку',
      'Исправить тему',
    ])
      expect([name, await clerk.getByRole('button', { name }).count()]).toEqual([name, 0]);
    // Nor is it the organisation's work any more: «Моей организации» lists it no longer (it did, and counted it).
    await clerk.goto(`${t.stack.baseUrl}/app/inbox?queue=organisation`);
    await clerk.getByRole('heading', { name: 'Моей организации' }).waitFor();
    await clerk.locator('[data-testid="inbox-row"], [data-testid="queue-empty"]').first().waitFor();
    expect(await clerk.getByTestId('inbox-row').filter({ hasText: appeal.registrationNumber }).count()).toBe(
      0,
    );
    expect(problems.get(clerk)).toEqual([]);

    // Line 1's returned queue: the row's term is the answer's, which line 1 now owes, not the 15-minute
    // escalation term met long ago, which no sweep marks («передать на 2-ю линию … просрочено»).
    await newStaff('zhukova', 'Жукова Лидия Петровна');
    const operator = await open('zhukova', '/inbox?queue=returned');
    const row = operator.getByTestId('inbox-row').filter({ hasText: appeal.registrationNumber });
    await row.getByTestId('next-due').getByText('ответ по 59-ФЗ').waitFor();
    expect(await row.getByTestId('next-due').getAttribute('data-kind')).toBe('answer');
    // The returned organisation's draft is said to be kept for reference: nobody there approves it now (it told
    // line 1 «Ждёт согласования: проект согласует коллега…»).
    await operator.goto(`${t.stack.baseUrl}/app/appeals/${appeal.id}`);
    await operator
      .locator('[data-testid="answer"][data-status="draft"]')
      .getByTestId('draft-next-step')
      .getByText(/^Проект организации, вернувшей обращение: сохранён для сведения/)
      .waitFor();
    // Nor is the one approved before the return sent (the api refuses; the card offered «Отправить заявителю»).
    const keptApproved = operator.locator('[data-testid="answer"][data-status="approved"]');
    await keptApproved
      .getByTestId('draft-next-step')
      .getByText(/^Проект организации, вернувшей обращение: сохранён для сведения/)
      .waitFor();
    expect(await keptApproved.getByRole('button', { name: 'Отправить заявителю' }).count()).toBe(0);
    expect(problems.get(operator)).toEqual([]);
    // Nor does a supervisor approve it (the api refuses; the card offered «Согласовать», and it sent the draft).
    const supervisor = await open('smirnova', `/appeals/${appeal.id}`);
    const left = supervisor.locator('[data-testid="answer"][data-status="draft"]');
    await left
      .getByTestId('draft-next-step')
      .getByText(/^Проект организации, вернувшей обращение: сохранён для сведения/)
      .waitFor();
    for (const name of ['Согласовать', 'Вернуть на доработку'])
      expect([name, await left.getByRole('button', { name }).count()]).toEqual([name, 0]);
    expect(problems.get(supervisor)).toEqual([]);
  });

  it('clerk corrects a draft; the supervisor sends it back with a comment; the clerk sees it and discards the draft', async () => {
    const appeal = await escalatedCall();
    const clerk = await open('petrov', `/appeals/${appeal.id}`);
    await clerk.getByRole('heading', { name: `Обращение № ${appeal.registrationNumber}` }).waitFor();
    await clerk.getByLabel('Текст ответа').fill('Отопление будет востановлено до пятницы.');
    await clerk.getByRole('button', { name: 'Сохранить проект ответа' }).click();
    const draft = clerk.locator('[data-testid="answer"][data-status="draft"]');
    await draft.getByText('Отопление будет востановлено до пятницы.').waitFor();
    // The draft is open: no empty form stays below it inviting a second one, a button offers one instead.
    const section = clerk.getByRole('region', { name: 'Ответ заявителю' });
    const another = section.getByRole('button', { name: 'Новый проект ответа' });
    await another.waitFor();
    expect(await section.getByLabel('Текст ответа').count()).toBe(0);
    await another.click();
    await section.getByLabel('Текст ответа').waitFor();
    expect(await another.count()).toBe(0);
    // Not approvable by its author: the draft says who takes it further.
    await draft
      .getByTestId('draft-next-step')
      .getByText(/Ждёт согласования/)
      .waitFor();

    // A slip: the author corrects the draft on the card.
    await draft.getByRole('button', { name: 'Изменить' }).click();
    const editor = clerk.getByRole('dialog', { name: 'Исправить проект ответа' });
    await editor.getByLabel('Текст ответа').fill('Отопление будет восстановлено до пятницы.');
    await editor.getByRole('button', { name: 'Сохранить' }).click();
    await draft.getByText('Отопление будет восстановлено до пятницы.').waitFor();
    await clerk.getByText('Проект ответа исправлен').first().waitFor();

    // The supervisor does not approve it as it is: back to the author with what to add.
    const supervisor = await open('smirnova', `/appeals/${appeal.id}`);
    const reviewed = supervisor.locator('[data-testid="answer"][data-status="draft"]');
    await reviewed.getByRole('button', { name: 'Вернуть на доработку' }).click();
    const back = supervisor.getByRole('dialog', { name: 'Вернуть проект на доработку' });
    await back.getByLabel('Что исправить').fill('Укажите номер предписания управляющей компании.');
    await back.getByRole('button', { name: 'Вернуть автору' }).click();
    await reviewed
      .getByTestId('sent-back-comment')
      .getByText(/Укажите номер предписания управляющей компании\./)
      .waitFor();
    expect(problems.get(supervisor)).toEqual([]);

    // The author reads the comment on the draft, and this time discards the draft altogether.
    await clerk.reload();
    await draft
      .getByTestId('sent-back-comment')
      .getByText(/Укажите номер предписания/)
      .waitFor();
    await draft.getByRole('button', { name: 'Отменить проект' }).click();
    await clerk
      .getByRole('dialog', { name: 'Отменить проект ответа?' })
      .getByRole('button', { name: 'Удалить проект' })
      .click();
    await clerk.getByText('Проект ответа отменён').first().waitFor();
    expect(await clerk.getByTestId('answer').count()).toBe(0);
    // No draft left: the form is there again, without asking.
    await section.getByLabel('Текст ответа').waitFor();
    const answers = await json(call('GET', `/api/v1/appeals/${appeal.id}/answers`, staff.operator));
    expect(answers).toEqual([]);
    expect(problems.get(clerk)).toEqual([]);
  });

  it("operator's inbox at 1366×768: a fast-tracked message's badges and text keep to their column", async () => {
    // The longest channel name, a message (not 59-ФЗ) and fast track: three badges beside the subject.
    await registerItems(t.stack, [
      inboundItem({
        channel: Channel.Ok,
        externalId: `ok-${Date.now()}`,
        fastTrack: true,
        subject: 'Возле дома по ул. Жуковского, 60 оборван провод',
        text: 'Возле дома по ул. Жуковского, 60 оборван провод, он лежит прямо на тротуаре, где ходят дети.',
      }),
    ]);
    await newStaff('ivanova', 'Иванова Елена Андреевна');
    const page = await open('ivanova', '/inbox?queue=fast-track');
    const row = page.locator('[data-testid="inbox-row"]').first();
    await row.getByText('Одноклассники').waitFor();
    await row.getByText('Ускоренное').waitFor();
    // What runs past its cell (it used to: the badges into «Организации», the subject cut to a word).
    const overflowing = await page.locator('[data-testid="inbox-row"] td').evaluateAll((cells) =>
      cells.flatMap((td) => {
        const edge = td.getBoundingClientRect().right;
        return [...td.querySelectorAll('*')]
          .filter((el) => el.getBoundingClientRect().right > edge + 1)
          .map((el) => el.textContent ?? '');
      }),
    );
    expect(overflowing).toEqual([]);
    const subject = await row
      .getByText('Возле дома по ул. Жуковского, 60 оборван провод', { exact: true })
      .boundingBox();
    expect(subject!.width).toBeGreaterThan(100);
    await page.screenshot({ path: join(SHOTS, 'workspace-day-inbox-1366.png') });
    expect(problems.get(page)).toEqual([]);
  });

  it('«Недоставленные»: the reason in Russian with the channel named, the channel badge and the number uncut', async () => {
    // A form appeal with an e-mail, answered while no e-mail account is set up: its answer cannot go out.
    const appealId = await answeredFormAppeal(
      { surname: 'Соколова', firstName: 'Анна', email: 'sokolova@example.test' },
      ['approve'],
    );
    await newStaff('kuznetsova', 'Кузнецова Анна Сергеевна');
    const page = await open('kuznetsova', `/appeals/${appealId}`);
    await page
      .locator('[data-testid="answer"][data-status="approved"]')
      .getByRole('button', { name: 'Отправить заявителю' })
      .click();
    // It said «Ответ отправлен заявителю» and «Отправлен» while nothing had gone out (nor would).
    await page
      .getByRole('status')
      .filter({ hasText: /через канал «Сайт»|Ответ не доставлен: Канал «Сайт»/ })
      .first()
      .waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'Ответ отправлен заявителю' }).count()).toBe(0);
    const sent = page.locator('[data-testid="answer"][data-status="sent"]');
    await sent.getByTestId('answer-badge').getByText('Не доставлен').waitFor({ timeout: 60_000 });
    expect(await sent.getByTestId('answer-delivery').innerText()).toBe(
      'Не доставлен: Канал «Сайт» не подключён: повторите отправку, когда администратор его настроит',
    );
    // The history says the answer was given, not that it reached the applicant (it read «Ответ отправлен
    // заявителю» above «Не удалось доставить сообщение»).
    const given = page.locator('[data-testid="history-item"][data-type="answered"]').first();
    await given.getByText('Дан ответ', { exact: true }).waitFor();
    expect(await page.getByText('Ответ отправлен заявителю').count()).toBe(0);
    await page.goto(`${t.stack.baseUrl}/app/deliveries`);
    // It used to read «канал доставки для «website» не настроен», the channel by its code.
    const row = page
      .getByRole('row')
      .filter({ has: page.getByTestId('delivery-reason') })
      .first();
    const reason = row.getByTestId('delivery-reason');
    await reason.waitFor({ timeout: 60_000 });
    expect(await reason.innerText()).toBe(
      'Канал «Сайт» не подключён: повторите отправку, когда администратор его настроит',
    );
    // Never tried, so not «0» attempts but why not.
    expect(await row.getByTestId('delivery-attempts').innerText()).toBe(
      'не отправлялось: канал не подключён',
    );
    const badge = row.getByText('Сайт', { exact: true });
    expect(await badge.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    const number = await row.getByRole('link', { name: /№ \d{4}-\d{6}/ }).boundingBox();
    expect(number!.height).toBeLessThan(30);
    await page.screenshot({ path: join(SHOTS, 'workspace-day-deliveries.png') });
    expect(problems.get(page)).toEqual([]);
  });

  it('«Недоставленные»: a send interrupted mid-way says the citizen may have it, and the clerk marks it delivered', async () => {
    const appealId = await answeredFormAppeal({
      surname: 'Голубева',
      firstName: 'Нина',
      email: 'golubeva@example.test',
    });
    const db = t.stack.db.dataSource;
    const failed = async () =>
      (await db.query(`SELECT id FROM outbound_messages WHERE appeal_id = $1 AND status = 'failed'`, [
        appealId,
      ])) as { id: string }[];
    for (let i = 0; i < 120 && (await failed()).length === 0; i++)
      await new Promise((r) => setTimeout(r, 500));
    const [message] = await failed();
    expect(message).toBeDefined();
    // The state DeliveryService leaves when a worker died between the channel's acceptance and our receipt
    // (test/integration/interrupted-send.test.ts produces it with a real kill -9).
    await db.query(
      `UPDATE outbound_messages SET send_interrupted_at = now(), last_error = $2 WHERE id = $1`,
      [message.id, INTERRUPTED_REASON],
    );
    const { registrationNumber } = await json(call('GET', `/api/v1/appeals/${appealId}`, staff.operator));
    await newStaff('golubev', 'Голубев Илья Андреевич');
    const page = await open('golubev', '/deliveries');
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: `№ ${registrationNumber}` }) });
    await row.getByTestId('delivery-reason').waitFor({ timeout: 30_000 });
    expect(await row.getByTestId('delivery-reason').innerText()).toContain('Доставка прервана');
    await row.getByRole('button', { name: 'Отметить доставленным' }).click();
    await row.waitFor({ state: 'detached' });
    const [after] = (await db.query(`SELECT status FROM outbound_messages WHERE id = $1`, [message.id])) as {
      status: string;
    }[];
    expect(after.status).toBe('sent');
    await page.goto(`${t.stack.baseUrl}/app/appeals/${appealId}`);
    await page.locator('[data-testid="history-item"][data-type="delivered"]').first().waitFor();
    // «Завершить» on a slow network waits with its request (it stayed pressable: a second press was refused
    // as already closed), then says it is done.
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    await page.route(`**/api/v1/appeals/${appealId}/close`, async (route) => {
      await held;
      await route.continue();
    });
    const finish = page
      .getByRole('toolbar', { name: 'Действия с обращением' })
      .getByRole('button', { name: 'Завершить' });
    await finish.click();
    await finish.and(page.locator('[data-loading="true"]')).waitFor();
    release();
    await page.getByRole('status').filter({ hasText: 'Рассмотрение завершено' }).waitFor();
    expect(problems.get(page)).toEqual([]);
  });

  it('a call answered: the card says the answer waits for staff to give it, and the clerk records it given by phone', async () => {
    const appeal = await registeredCall();
    const drafted = await call('POST', `/api/v1/appeals/${appeal.id}/answers`, staff.operator, {
      text: 'Подача отопления в дом на ул. Мира, 7 восстановлена.',
    });
    expect(drafted.status).toBe(201);
    // No e-mail and no channel: «sent» means it is for staff to read out (it used to end there, unmarkable).
    await newStaff('sidorov', 'Сидоров Павел Ильич');
    const page = await open('sidorov', `/appeals/${appeal.id}`);
    const answer = page.locator('[data-testid="answer"][data-status="draft"]');
    await answer.getByRole('button', { name: 'Согласовать' }).click();
    await page
      .locator('[data-testid="answer"][data-status="approved"]')
      .getByRole('button', { name: 'Отправить заявителю' })
      .click();
    // Nothing went out: the notice used to say «Ответ отправлен заявителю».
    await page.getByText('Ответ готов к передаче заявителю — отметьте передачу').first().waitFor();
    const sent = page.locator('[data-testid="answer"][data-status="sent"]');
    await sent
      .getByTestId('answer-handover')
      .getByText(/Ответ ждёт передачи заявителю/)
      .waitFor();
    await sent.getByRole('button', { name: 'Отметить передачу' }).click();
    const dialog = page.getByRole('dialog', { name: 'Ответ передан заявителю' });
    await dialog.getByRole('button', { name: 'Отметить' }).click();
    await sent.getByTestId('answer-handover').getByText('Передан заявителю по телефону').waitFor();
    await page.locator('[data-testid="history-item"][data-type="answer-handed-over"]').waitFor();
    expect(await sent.getByRole('button', { name: 'Отметить передачу' }).count()).toBe(0);
    expect(problems.get(page)).toEqual([]);
  });

  it('a call answered by an organisation that then returned the appeal: its answer is not handed over, on the card nor through the api', async () => {
    const appeal = await registeredCall();
    const escalate = async (organisationIds: string[]) =>
      expect(
        (await call('POST', `/api/v1/appeals/${appeal.id}/escalate`, staff.operator, { organisationIds }))
          .status,
      ).toBe(204);
    await escalate([ids.minzhkh, ids.mintrans]);
    // Минжкх answers while Минтранс still owes its part: the call's answer waits for staff to give it.
    const answer = await json(
      call('POST', `/api/v1/appeals/${appeal.id}/answers`, staff.colleague, {
        text: 'Управляющей компании выдано предписание прогреть стояки до пятницы.',
      }),
    );
    const answerPath = `/api/v1/appeals/${appeal.id}/answers/${answer.id}`;
    expect((await call('POST', `${answerPath}/approve`, staff.approver)).status).toBe(204);
    expect((await call('POST', `${answerPath}/send`, staff.colleague)).status).toBe(204);
    // Line 1 hands the appeal to Минжкх again, and Минжкх returns it: what it gave is kept for reference.
    await escalate([ids.minzhkh]);
    expect(
      (
        await call('POST', `/api/v1/appeals/${appeal.id}/return`, staff.colleague, {
          reason: 'Вопрос в компетенции Минтранса',
        })
      ).status,
    ).toBe(204);
    // The card says so and offers no «Отметить передачу» (it did, and the api now refuses the press).
    const supervisor = await open('smirnova', `/appeals/${appeal.id}`);
    const kept = supervisor.locator('[data-testid="answer"][data-status="sent"]');
    await kept
      .getByTestId('draft-next-step')
      .getByText(
        'Ответ организации, вернувшей обращение: сохранён для сведения, передать его заявителю нельзя',
      )
      .waitFor();
    expect(await kept.getByRole('button', { name: 'Отметить передачу' }).count()).toBe(0);
    expect(problems.get(supervisor)).toEqual([]);
    // The api refuses it as it refuses approving and sending what the organisation left behind; it still waits.
    const handedOver = await call('POST', `${answerPath}/handed-over`, staff.approver, { medium: 'phone' });
    expect(handedOver.status).toBe(409);
    expect((await json(handedOver)).message).toBe(
      'Проект организации, вернувшей обращение (или чьё поручение закрыто), сохранён для сведения: ' +
        'согласовать и отправить его нельзя',
    );
    expect(
      await t.stack.db.dataSource.query(
        `SELECT delivery_state AS state FROM outbound_messages WHERE appeal_id = $1 AND kind = 'answer'`,
        [appeal.id],
      ),
    ).toEqual([{ state: 'awaiting-handover' }]);
  });

  it("a message's card shows its answer term, not 59-ФЗ's registration and redirection terms an appeal's shows", async () => {
    const [messageId, appealId] = await registerItems(t.stack, [
      inboundItem({ channel: Channel.Vk, externalId: `vk-${Date.now()}`, regime: 'message' }),
      inboundItem({
        channel: Channel.Website,
        externalId: `form-terms-${Date.now()}`,
        regime: 'appeal',
        author: { surname: 'Белова', firstName: 'Ирина', email: 'belova@example.test' },
      }),
    ]);
    await newStaff('belova', 'Белова Татьяна Юрьевна');
    const page = await open('belova', `/appeals/${appealId}`);
    const terms = page.getByRole('region', { name: 'Сроки' });
    await terms.getByTestId('answer-due').waitFor();
    await terms.getByText('Переадресация (7 дней)').waitFor();
    await terms.getByText('Регистрация (3 дня)').waitFor();
    await page.goto(`${t.stack.baseUrl}/app/appeals/${messageId}`);
    await page.getByText('Сообщение (не 59-ФЗ)').waitFor();
    await terms.getByTestId('answer-due').waitFor();
    // They used to be shown on a message too.
    expect(await terms.getByText(/Регистрация \(3 дня\)|Переадресация \(7 дней\)/).count()).toBe(0);
    expect(problems.get(page)).toEqual([]);
  });

  it('what is missing is said in Russian by the page, not by the browser in its own language: sign-in and registration', async () => {
    const page = await newPage();
    await page.goto(`${t.stack.baseUrl}/app/`);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByRole('alert').getByText('Введите логин и пароль').waitFor();

    await newStaff('orlova', 'Орлова Вера Павловна');
    await page.getByLabel('Логин').fill('orlova');
    await page.getByLabel('Пароль').fill(PASSWORD);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByRole('link', { name: 'Регистрация обращения' }).click();
    await page.getByRole('radio', { name: 'Только зарегистрировать' }).check();
    await page.getByRole('button', { name: 'Зарегистрировать', exact: true }).click();
    // The browser's «Please fill out this field.» used to stop the form before the page could say anything.
    await page
      .getByTestId('register-error')
      .getByText('Заполните: фамилия, имя, суть вопроса, содержание')
      .waitFor();
    expect(problems.get(page)).toEqual([]);
  });

  it("supervisor's report: the first column is named by a noun («Тема», «Орган»), not «Темам»", async () => {
    const page = await open('smirnova', '/reports');
    const table = page.getByRole('table', { name: 'Отчёт о рассмотрении' });
    const first = table.locator('thead th').first();
    await first.getByText('Тема', { exact: true }).waitFor();
    await page.getByText('По органам').click();
    await first.getByText('Орган', { exact: true }).waitFor();
    expect(problems.get(page)).toEqual([]);
  });

  it("a supervisor who drafts an answer is not offered to approve it (the server refuses one's own draft)", async () => {
    const appeal = await registeredCall();
    const page = await open('smirnova', `/appeals/${appeal.id}`);
    await page.getByLabel('Текст ответа').fill('Подача отопления восстановлена.');
    await page.getByRole('button', { name: 'Сохранить проект ответа' }).click();
    const draft = page.locator('[data-testid="answer"][data-status="draft"]');
    await draft
      .getByTestId('draft-next-step')
      .getByText(/Ждёт согласования/)
      .waitFor();
    // It used to be offered, and answered «Нельзя согласовать собственный проект ответа».
    expect(await draft.getByRole('button', { name: 'Согласовать' }).count()).toBe(0);

    // Assigning it: the dialog offers the organisation holding the appeal, chosen (it offered every
    // organisation of the region with her own chosen, which holds nothing here), and a member of its staff.
    await page
      .getByRole('toolbar', { name: 'Действия с обращением' })
      .getByRole('button', { name: 'Назначить исполнителя' })
      .click();
    const [{ centre }] = (await t.stack.db.dataSource.query(
      `SELECT short_name AS centre FROM organisations WHERE code = 'cur'`,
    )) as { centre: string }[];
    const dialog = page.getByRole('dialog', { name: 'Назначить исполнителя' });
    const organisation = dialog.getByRole('textbox', { name: 'Организация' });
    await expect(organisation.inputValue()).resolves.toBe(centre);
    await organisation.click();
    expect(await page.getByRole('option').allInnerTexts()).toEqual([centre]);
    await page.keyboard.press('Escape');
    await dialog.getByRole('textbox', { name: 'Исполнитель' }).click();
    await page.getByRole('option').first().click();
    await dialog.getByRole('button', { name: 'Назначить', exact: true }).click();
    await page.getByText('Исполнитель назначен').first().waitFor();
    expect(problems.get(page)).toEqual([]);
  });

  it("a colleague's appeal says who holds it before anyone takes it over", async () => {
    const appeal = await registeredCall();
    expect((await call('POST', `/api/v1/appeals/${appeal.id}/take`, staff.operator)).status).toBe(204);
    await newStaff('fedorova', 'Фёдорова Нина Олеговна');
    const page = await open('fedorova', `/appeals/${appeal.id}`);
    // The card had no word of it: «Взять в работу» took it from the colleague unawares.
    await page
      .getByTestId('card-assignee')
      .getByText(/^исполнитель: Тестовый сотрудник operator-cur-/)
      .waitFor();
    await page
      .getByRole('toolbar', { name: 'Действия с обращением' })
      .getByRole('button', { name: 'Взять в работу' })
      .click();
    await page.getByTestId('card-assignee').getByText('исполнитель: вы').waitFor();
    expect(problems.get(page)).toEqual([]);
  });

  it('in an English browser the dates are still typed and read the Russian way, and a dialog says in Russian what is missing', async () => {
    const page = await open('smirnova', '/reports', 'en-US');
    const from = page.getByLabel('С даты', { exact: true });
    // The period the report was made for, once it is there.
    await page.getByText(/^Ответы в срок и с нарушением срока, /).waitFor();
    // No native date field: in an English browser it read «mm/dd/yyyy».
    expect(await page.locator('input[type="date"], input[type="datetime-local"]').count()).toBe(0);
    expect(await from.getAttribute('placeholder')).toBe('ДД.ММ.ГГГГ');
    expect(await from.inputValue()).toMatch(/^\d{2}\.\d{2}\.\d{4}$/);
    await from.fill('01.11.2026');
    await page.getByLabel('По дату', { exact: true }).fill('30.11.2026');
    await page.getByRole('button', { name: 'Показать' }).click();
    await page.getByText('Ответы в срок и с нарушением срока, 01.11.2026 — 30.11.2026').waitFor();
    await from.fill('11/01/2026');
    await page.getByLabel('По дату', { exact: true }).focus();
    await page.getByText('Введите дату в виде ДД.ММ.ГГГГ').waitFor();
    expect(await page.getByRole('button', { name: 'Показать' }).isDisabled()).toBe(true);
    expect(problems.get(page)).toEqual([]);

    // An escalated appeal: the supervisor (no line-2 part of her own) is offered its 59-ФЗ term alone — the
    // line-2 term's tab was there too, and the api refused it («не находится на рассмотрении вашей организации»).
    const appeal = await escalatedCall();
    // Due 30.12.2026, whenever the test runs: 10 days more end in the New Year break and come back to the 30th.
    await t.stack.db.dataSource.query(`UPDATE appeals SET answer_due_date = '2026-12-30' WHERE id = $1`, [
      appeal.id,
    ]);
    await page.goto(`${t.stack.baseUrl}/app/appeals/${appeal.id}`);
    await page
      .getByRole('toolbar', { name: 'Действия с обращением' })
      .getByRole('button', { name: 'Продлить срок' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Продлить срок' });
    await dialog.getByTestId('extension-kind').getByText('Срок по 59-ФЗ').waitFor();
    expect(await dialog.getByText('Срок ответа 2-й линии').count()).toBe(0);
    // An extension the last-day rule brings back to the current term is said and cannot be pressed: the one
    // extension 59-ФЗ allows was spent on nothing.
    await dialog.getByLabel(/На сколько дней/).fill('10');
    await dialog.getByLabel('Причина').fill('Нужен выезд на место с управляющей компанией');
    const preview = dialog.getByTestId('extension-preview');
    await preview.getByText(/Срок не сдвинется: .* Укажите больше дней\.$/).waitFor();
    expect(await dialog.getByRole('button', { name: 'Продлить', exact: true }).isDisabled()).toBe(true);
    // The 59-ФЗ term: the dialog says before confirming what the extension would make it, in the
    // organisation's zone, and the card then shows that very date; the notice is a polite status, not an alarm.
    await dialog.getByLabel(/На сколько дней/).fill('14');
    await preview.getByText(/^Новый срок ответа: 13\.01\.2027,/).waitFor();
    const term = /^Новый срок ответа: (\d\d\.\d\d\.\d{4}), до \1 23:59 \(Новосибирск, UTC\+7\)/;
    await expect(preview.innerText()).resolves.toMatch(term);
    const promised = (await preview.innerText()).match(term)![1];
    expect(promised).toBe('13.01.2027');
    await dialog.getByRole('button', { name: 'Продлить', exact: true }).click();
    // The notice says the new term in the appeal's zone (it said only «Срок продлён»).
    await page.getByRole('status').filter({ hasText: 'Срок продлён до 13 января 2027 г.' }).waitFor();
    expect(await page.getByTestId('answer-due').innerText()).toBe(promised);

    // A clerk whose organisation has a head is told on opening that the 59-ФЗ extension is the head's, and
    // cannot press «Продлить»; it used to let them fill the dialog in and refuse only then.
    await users().create({
      login: 'nachalnik',
      password: PASSWORD,
      fullName: 'Начальников Олег Петрович',
      role: Role.Head,
      organisationId: ids.minzhkh,
    });
    try {
      const clerkAppeal = await escalatedCall();
      const clerk = await open('petrov', `/appeals/${clerkAppeal.id}`, 'en-US');
      await clerk
        .getByRole('toolbar', { name: 'Действия с обращением' })
        .getByRole('button', { name: 'Продлить срок' })
        .click();
      const clerkDialog = clerk.getByRole('dialog', { name: 'Продлить срок' });
      await clerkDialog
        .getByTestId('extension-preview')
        .filter({ hasText: 'Продление срока по 59-ФЗ предоставляет руководитель подразделения' })
        .waitFor();
      expect(await clerkDialog.getByLabel(/На сколько дней/).count()).toBe(0);
      await clerkDialog.getByLabel('Причина').fill('Нужен выезд на место');
      expect(await clerkDialog.getByRole('button', { name: 'Продлить', exact: true }).isDisabled()).toBe(
        true,
      );
      // The line-2 term stays the clerk's to extend, to a date and time typed the Russian way.
      await clerkDialog.getByText('Срок ответа 2-й линии').click();
      const until = clerkDialog.getByRole('textbox', { name: /Новый срок/ });
      expect(await until.getAttribute('placeholder')).toBe('ДД.ММ.ГГГГ ЧЧ:ММ');
      // The limit the api keeps (5 working days from receipt) is said and offered: the dialog opened empty and
      // the clerk learnt it only from the refusal «Не позднее …».
      const [{ limit }] = (await t.stack.db.dataSource.query(
        `SELECT extension_limit_at AS limit FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2`,
        [clerkAppeal.id, ids.minzhkh],
      )) as { limit: Date }[];
      const limitText = new Intl.DateTimeFormat('ru-RU', {
        timeZone: 'Asia/Novosibirsk',
        day: '2-digit',
        month: '2-digit',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      })
        .format(limit)
        .replace(',', '');
      expect(await until.inputValue()).toBe(limitText);
      await clerkDialog.getByText(`Не позднее ${limitText}`).waitFor();
      await until.fill('12/31/2026 6:00 PM');
      await clerkDialog.getByLabel('Причина').focus();
      await clerkDialog.getByText('Введите дату и время в виде ДД.ММ.ГГГГ ЧЧ:ММ').waitFor();
      expect(problems.get(clerk)).toEqual([]);
    } finally {
      await t.stack.db.dataSource.query(`UPDATE users SET active = false WHERE login = 'nachalnik'`);
    }

    // A dialog's required field left empty: the page says what is wrong, in Russian, not the browser's bubble
    // in its own language («Please fill out this field.»), which stopped the form before the page could.
    await newStaff('adminova', 'Админова Дарья Игоревна', Role.Admin, 'region');
    const admin = await open('adminova', '/admin/templates', 'en-US');
    await admin
      .getByRole('button', { name: /Добавить|Новый типовой ответ/ })
      .first()
      .click();
    const form = admin.getByRole('dialog', { name: 'Новый типовой ответ' });
    await form.getByRole('button', { name: 'Сохранить типовой ответ' }).click();
    const error = form.getByRole('alert');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/[А-Яа-яЁё]/);
    expect(await error.innerText()).not.toMatch(/[A-Za-z]{3,}/);
  });

  it('answer templates: the administrator and the clerk read and insert substitutions by their Russian names', async () => {
    // The administrator writes a template: «[имя заявителя]» from the insert menu, «[номер обращения]» typed.
    await newStaff('shablonova', 'Шаблонова Вера Игоревна', Role.Admin, 'region');
    const admin = await open('shablonova', '/admin/templates');
    await admin.getByRole('button', { name: 'Новый типовой ответ' }).click();
    const form = admin.getByRole('dialog', { name: 'Новый типовой ответ' });
    await form.getByRole('textbox', { name: 'Название' }).fill('Ответ по отоплению');
    const body = form.getByRole('textbox', { name: 'Текст типового ответа' });
    await body.fill('Уважаемый(ая)');
    await form.getByRole('button', { name: 'Вставить подстановку' }).click();
    await admin.getByRole('menuitem', { name: /^\[имя заявителя\]/ }).click();
    await expect(body.inputValue()).resolves.toBe('Уважаемый(ая) [имя заявителя]');
    await body.press('End');
    await body.pressSequentially('! По обращению № [номер обращения] отопление восстановлено.');
    expect(await form.innerText()).not.toContain('{{');
    await form.getByRole('button', { name: 'Сохранить типовой ответ' }).click();
    const row = admin.locator('[data-testid="template-row"][data-title="Ответ по отоплению"]');
    await row.waitFor();
    expect(await row.innerText()).toContain(
      'Уважаемый(ая) [имя заявителя]! По обращению № [номер обращения]',
    );
    expect(await admin.getByRole('table', { name: 'Типовые ответы' }).innerText()).not.toContain('{{');
    // Stored as the server fills it.
    const region = await idOf(t.stack.db.dataSource, 'organisations', 'region');
    const stored = (await json(
      call('GET', `/api/v1/answer-templates?organisationId=${region}&includeInactive=true`, staff.admin),
    )) as { title: string; body: string }[];
    expect(stored.find((x) => x.title === 'Ответ по отоплению')?.body).toBe(
      'Уважаемый(ая) {{applicantName}}! По обращению № {{registrationNumber}} отопление восстановлено.',
    );

    // The clerk picks a template of their organisation: its preview and the hint name the substitutions in
    // Russian (they read «Подстановки ({{applicantName}} и др.)» and the template's codes), the draft is filled.
    const made = await call('POST', '/api/v1/answer-templates', staff.admin, {
      title: 'Отопление: перерасчёт',
      body: 'Уважаемая {{applicantName}}! По обращению № {{registrationNumber}} сделан перерасчёт.',
      topicId: ids.housing,
      organisationId: ids.minzhkh,
    });
    expect(made.status).toBe(201);
    const appeal = await escalatedCall();
    const page = await open('petrov', `/appeals/${appeal.id}`);
    await page.getByRole('textbox', { name: 'Типовой ответ' }).click();
    await page.getByRole('option', { name: 'Отопление: перерасчёт' }).click();
    const preview = page.getByTestId('template-preview');
    await preview.waitFor();
    expect(await preview.innerText()).toBe(
      'Уважаемая [имя заявителя]! По обращению № [номер обращения] сделан перерасчёт.',
    );
    const answers = page.getByTestId('template-preview').locator('xpath=..');
    expect(await answers.innerText()).not.toMatch(/\{\{|applicantName/);
    await page.getByRole('button', { name: 'Сохранить проект ответа' }).click();
    await page
      .locator('[data-testid="answer"][data-status="draft"]')
      .getByText(`Уважаемая Мария Петровна! По обращению № ${appeal.registrationNumber} сделан перерасчёт.`)
      .waitFor();
    expect(problems.get(admin)).toEqual([]);
    expect(problems.get(page)).toEqual([]);
  });

  it("internal notes: a clerk reads the colleagues' notes on the card and adds one", async () => {
    const appeal = await escalatedCall();
    const noted = await call('POST', `/api/v1/appeals/${appeal.id}/notes`, staff.operator, {
      text: 'Заявительница просила перезвонить после 18:00.',
    });
    expect(noted.status).toBe(201);
    const page = await open('petrov', `/appeals/${appeal.id}`);
    const notes = page.getByRole('region', { name: 'Внутренние заметки' });
    await notes
      .getByTestId('note')
      .filter({ hasText: 'Заявительница просила перезвонить после 18:00.' })
      .getByText(/^Тестовый сотрудник operator-cur-/)
      .waitFor();
    // Empty: said on the page, nothing sent.
    await notes.getByRole('button', { name: 'Добавить заметку' }).click();
    await notes.getByText('Напишите заметку').waitFor();
    await notes.getByLabel('Новая заметка').fill('Созвонился с УК «Мира-7»: бригада выедет завтра.');
    await notes.getByRole('button', { name: 'Добавить заметку' }).click();
    await notes
      .getByTestId('note')
      .filter({ hasText: 'Созвонился с УК «Мира-7»: бригада выедет завтра.' })
      .getByText(/^Петров Сергей Владимирович · /)
      .waitFor();
    expect(await notes.getByLabel('Новая заметка').inputValue()).toBe('');
    const listed = await json(call('GET', `/api/v1/appeals/${appeal.id}/notes`, staff.operator));
    expect(listed.map((n: { text: string }) => n.text)).toEqual([
      'Заявительница просила перезвонить после 18:00.',
      'Созвонился с УК «Мира-7»: бригада выедет завтра.',
    ]);
    expect(problems.get(page)).toEqual([]);
  });

  it('notifications: a clerk whose draft was sent back sees it in the header, opens the appeal, and it is read', async () => {
    const appeal = await escalatedCall();
    // What the clerk was told in the file's earlier tests is read: this one is the only new one.
    await t.stack.db.dataSource.query(
      `UPDATE notifications SET read_at = now()
        WHERE user_id = (SELECT id FROM users WHERE login = 'petrov') AND read_at IS NULL`,
    );
    const clerk = await open('petrov', `/appeals/${appeal.id}`);
    await clerk.getByLabel('Текст ответа').fill('Отопление восстановлено.');
    await clerk.getByRole('button', { name: 'Сохранить проект ответа' }).click();
    await clerk.locator('[data-testid="answer"][data-status="draft"]').waitFor();
    const [draft] = await json(call('GET', `/api/v1/appeals/${appeal.id}/answers`, staff.operator));
    const back = await call(
      'POST',
      `/api/v1/appeals/${appeal.id}/answers/${draft.id}/send-back`,
      staff.approver,
      { comment: 'Укажите дату восстановления.' },
    );
    expect(back.status).toBe(204);

    await clerk.goto(`${t.stack.baseUrl}/app/inbox`);
    const button = clerk.getByRole('button', { name: 'Уведомления: 1 непрочитанное' });
    await button.click();
    const list = clerk.getByRole('region', { name: 'Уведомления' });
    const item = list.getByTestId('notification').filter({
      hasText: `Проект ответа по обращению № ${appeal.registrationNumber} возвращён на доработку: Укажите дату восстановления.`,
    });
    await item.getByText('На доработку', { exact: true }).waitFor();
    await item.getByRole('link', { name: `Открыть обращение № ${appeal.registrationNumber}` }).click();
    await clerk.getByRole('heading', { name: `Обращение № ${appeal.registrationNumber}` }).waitFor();
    await clerk.getByRole('button', { name: 'Уведомления', exact: true }).waitFor();
    expect(await clerk.getByRole('button', { name: /непрочитанн/ }).count()).toBe(0);
    expect(problems.get(clerk)).toEqual([]);
  });

  it('notifications: «Отметить все прочитанными» reads what the list showed, not what came after', async () => {
    await newStaff('lebedev', 'Лебедев Антон Игоревич');
    const lebedev = await overHttp('lebedev');
    /** A draft of Лебедев's sent back by the supervisor: one notification for him. */
    const sentBack = async () => {
      const appeal = await registeredCall();
      const draft = await json(
        call('POST', `/api/v1/appeals/${appeal.id}/answers`, lebedev, { text: 'Проект ответа.' }),
      );
      const back = await call(
        'POST',
        `/api/v1/appeals/${appeal.id}/answers/${draft.id}/send-back`,
        staff.approver,
        {
          comment: 'Дополните ответ.',
        },
      );
      expect(back.status).toBe(204);
    };
    const unread = async () => (await json(call('GET', '/api/v1/notifications?unread=true', lebedev))).length;
    await sentBack();
    await sentBack();
    await sentBack();
    expect(await unread()).toBe(3);

    const page = await open('lebedev', '/inbox');
    await page.getByRole('button', { name: 'Уведомления: 3 непрочитанных' }).click();
    // One more arrives while the list is open: «all» means what the list showed.
    await sentBack();
    await page
      .getByRole('region', { name: 'Уведомления' })
      .getByRole('button', { name: 'Отметить все прочитанными' })
      .click();
    await page.getByRole('button', { name: 'Уведомления: 1 непрочитанное' }).waitFor();
    expect(await unread()).toBe(1);
    expect((await call('POST', '/api/v1/notifications/read-all', lebedev, { upToId: 'все' })).status).toBe(
      400,
    );
    expect(problems.get(page)).toEqual([]);
  });

  it('notifications: the header counts every unread one and «Показать ещё» pages back to the oldest', async () => {
    await newStaff('volkova', 'Волкова Ирина Сергеевна', Role.Supervisor, 'region');
    // A region supervisor is told of every term at risk: 120 of them, more than a page (it stopped at 50).
    await t.stack.db.dataSource.query(
      `INSERT INTO notifications (user_id, kind, text)
       SELECT (SELECT id FROM users WHERE login = 'volkova'), 'clock-at-risk', 'Срок под угрозой: уведомление ' || i
         FROM generate_series(1, 120) i`,
    );
    // And the knowledge base's term marks, badged like the appeals' (they came without one).
    await t.stack.db.dataSource.query(
      `INSERT INTO notifications (user_id, kind, text)
       SELECT id, 'kb-clock-overdue', 'База знаний: просрочен срок актуализации раздела «Отопление»'
         FROM users WHERE login = 'volkova'`,
    );
    const page = await open('volkova', '/inbox');
    await page.getByRole('button', { name: 'Уведомления: 121 непрочитанное' }).click();
    const list = page.getByRole('region', { name: 'Уведомления' });
    const items = list.getByTestId('notification');
    await items
      .filter({ hasText: 'просрочен срок актуализации раздела «Отопление»' })
      .getByText('База знаний: срок нарушен', { exact: true })
      .waitFor();
    await list.getByText('Срок под угрозой: уведомление 120', { exact: true }).waitFor();
    expect(await items.count()).toBe(50);
    const more = list.getByRole('button', { name: 'Показать ещё' });
    await more.click();
    await list.getByText('Срок под угрозой: уведомление 22', { exact: true }).waitFor();
    expect(await items.count()).toBe(100);
    await more.click();
    await list.getByText('Срок под угрозой: уведомление 1', { exact: true }).waitFor();
    expect(await items.count()).toBe(121);
    await more.waitFor({ state: 'detached' });
    // A bad page cursor is a 400 naming the field, not a silent first page.
    const volkova = await overHttp('volkova');
    const firstTwo = await json(call('GET', '/api/v1/notifications?limit=2', volkova));
    const next = await json(call('GET', `/api/v1/notifications?limit=2&before=${firstTwo[1].id}`, volkova));
    expect(next.map((n: { text: string }) => n.text)).toEqual([
      'Срок под угрозой: уведомление 119',
      'Срок под угрозой: уведомление 118',
    ]);
    expect(await json(call('GET', '/api/v1/notifications/unread-count', volkova))).toEqual({ unread: 121 });
    // A bad page cursor is a 400 naming the field, not a silent first page.
    expect((await call('GET', '/api/v1/notifications?before=ранее', volkova)).status).toBe(400);
    // Reading one of the older page's counts in the header at once.
    await items
      .filter({ has: page.getByText('Срок под угрозой: уведомление 1', { exact: true }) })
      .getByRole('button', { name: 'Отметить прочитанным' })
      .click();
    await page.getByRole('button', { name: 'Уведомления: 120 непрочитанных' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'workspace-day-notifications-paged.png') });
    expect(problems.get(page)).toEqual([]);
  });

  it('notifications: line 1 is told, counted, what waits in its scope: overdue, at risk, new fast-tracked, returned', async () => {
    await newStaff('fomina', 'Фомина Анна Павловна');
    const ds = t.stack.db.dataSource;
    // Three calls nobody at line 1 holds, their answer term passed; one more fast-tracked; one returned by line 2.
    const late = [await registeredCall(), await registeredCall(), await registeredCall()];
    await ds.query(
      `UPDATE appeals SET assignee_id = NULL, answer_due_at = now() - interval '1 hour' WHERE id = ANY($1)`,
      [late.map((a) => a.id)],
    );
    const urgent = await registeredCall();
    expect(
      (
        await call('POST', `/api/v1/appeals/${urgent.id}/fast-track`, staff.operator, {
          reason: 'Угроза жизни',
        })
      ).status,
    ).toBe(204);
    const misrouted = await escalatedCall();
    expect(
      (
        await call('POST', `/api/v1/appeals/${misrouted.id}/return`, staff.colleague, {
          reason: 'Вопрос в компетенции Минтранса',
        })
      ).status,
    ).toBe(204);
    await t.stack.worker!.get(ClockWatcher, { strict: false }).sweep();
    const fomina = await overHttp('fomina');
    // The sweep tells a term's holder, else the holding organisation's clerks and heads: an operator who holds
    // none of them hears of none (the bell said «Уведомлений нет» over 97 overdue in the operator's scope).
    const told = await json(call('GET', '/api/v1/notifications', fomina));
    expect(told.filter((n: { kind: string }) => n.kind.startsWith('clock-'))).toEqual([]);
    // The counts are the queues' own, in the operator's scope.
    const queue = async (query: string) =>
      (await json(call('GET', `/api/v1/appeals/count?${query}`, fomina))).total;
    const overdue = await queue(`clock=overdue&status=${OPEN_STATUSES.join(',')}`);
    expect(overdue).toBeGreaterThanOrEqual(3);
    const { groups } = await json(call('GET', '/api/v1/notifications/summary', fomina));
    expect(groups).toEqual(
      expect.arrayContaining([
        { kind: 'overdue', count: overdue },
        { kind: 'fast-track-new', count: await queue('status=registered&fastTrack=true') },
        { kind: 'returned', count: await queue('status=returned') },
      ]),
    );
    // A clerk's groups: its organisation's terms, not line 1's new and returned appeals.
    const clerkGroups = (await json(call('GET', '/api/v1/notifications/summary', staff.colleague))).groups;
    expect(clerkGroups.map((g: { kind: string }) => g.kind)).not.toContain('returned');
    expect(clerkGroups.map((g: { kind: string }) => g.kind)).not.toContain('fast-track-new');

    const page = await open('fomina', '/inbox');
    await page.getByTestId('notifications-button').click();
    const list = page.getByRole('region', { name: 'Уведомления' });
    const group = list.getByTestId('notification-group-overdue');
    await group.getByText(`Просрочено: ${overdue}`).waitFor();
    await list
      .getByTestId('notification-group-fast-track-new')
      .getByText(/^Новые ускоренные: \d+$/)
      .waitFor();
    await list
      .getByTestId('notification-group-returned')
      .getByText(/^Возвращены 2-й линией: \d+$/)
      .waitFor();
    expect(await list.getByText('Уведомлений нет.').count()).toBe(0);
    await group.getByRole('link', { name: /^Открыть очередь: просрочено/ }).click();
    await page.waitForURL(/\/inbox\?queue=overdue$/);
    await list.waitFor({ state: 'hidden' });
    await page.getByRole('row').filter({ hasText: late[0].registrationNumber }).waitFor();
    expect(problems.get(page)).toEqual([]);
  });

  it('notifications from the keyboard: the list opens with the focus in it, Tab reaches its links, Escape closes it', async () => {
    await newStaff('sokolov', 'Соколов Пётр Ильич');
    const appeal = await registeredCall();
    await t.stack.db.dataSource.query(
      `INSERT INTO notifications (user_id, kind, appeal_id, text)
       SELECT id, 'clock-at-risk', $1, 'Срок под угрозой: обращение Орловой' FROM users WHERE login = 'sokolov'`,
      [appeal.id],
    );
    const page = await open('sokolov', '/inbox');
    const button = page.getByRole('button', { name: 'Уведомления: 1 непрочитанное' });
    await button.focus();
    await page.keyboard.press('Enter');
    const list = page.getByRole('region', { name: 'Уведомления' });
    await list.getByText('Срок под угрозой: обращение Орловой').waitFor();
    // The list is drawn at the end of the page: the focus used to stay on the button, Tab went on to the page
    // behind, and Escape left the list open.
    await expect(list.evaluate((el) => el.matches(':focus-within'))).resolves.toBe(true);
    const link = list.getByRole('link', { name: `Открыть обращение № ${appeal.registrationNumber}` });
    for (let i = 0; i < 5 && !(await link.evaluate((el) => el.matches(':focus'))); i++) {
      await page.keyboard.press('Tab');
    }
    await expect(link.evaluate((el) => el.matches(':focus'))).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await list.waitFor({ state: 'hidden' });
    await expect(button.evaluate((el) => el.matches(':focus'))).resolves.toBe(true);
    // Open again and follow the link with Enter: the appeal, its notification read.
    await page.keyboard.press('Enter');
    await list.getByText('Срок под угрозой: обращение Орловой').waitFor();
    for (let i = 0; i < 5 && !(await link.evaluate((el) => el.matches(':focus'))); i++) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Обращение № ${appeal.registrationNumber}` }).waitFor();
    await page.getByRole('button', { name: 'Уведомления', exact: true }).waitFor();
    expect(problems.get(page)).toEqual([]);
  });

  it('reports: a date is picked from a calendar in Russian, or typed ДД.ММ.ГГГГ as before', async () => {
    const page = await open('smirnova', '/reports');
    const from = page.getByLabel('С даты', { exact: true });
    const to = page.getByLabel('По дату', { exact: true });
    // The report's first answer fills both fields with the default period: typed before it, a date could be
    // typed into a form about to be re-rendered (a full run timed out on the calendar's «15 ноября 2026»).
    await eventually(async () => ((await to.inputValue()) !== '' ? true : undefined));
    // Typed, as before; the calendar opens at the month typed, its days named in Russian.
    await from.fill('01.11.2026');
    await page.getByRole('button', { name: 'Выбрать в календаре: С даты' }).click();
    await page.getByRole('button', { name: '15 ноября 2026', exact: true }).click();
    expect(await from.inputValue()).toBe('15.11.2026');
    // Picked, the calendar closes.
    await page.getByRole('button', { name: '16 ноября 2026' }).waitFor({ state: 'detached' });

    // From the keyboard: the button after the field opens it, Escape closes it and gives the focus back.
    await to.focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    // The first of this month as the browser's Russian names it («1 декабря 2026»).
    const [firstName, month, year] = await page.evaluate(() => {
      const now = new Date();
      const day = new Date(now.getFullYear(), now.getMonth(), 1);
      const name = day.toLocaleDateString('ru-RU', { day: 'numeric', month: 'long' });
      return [`${name} ${now.getFullYear()}`, now.getMonth(), now.getFullYear()] as const;
    });
    const first = page.getByRole('button', { name: firstName, exact: true });
    await first.waitFor();
    await page.screenshot({ path: join(SHOTS, 'workspace-day-date-picker.png') });
    await page.keyboard.press('Escape');
    await first.waitFor({ state: 'detached' });
    expect(await page.locator(':focus').getAttribute('aria-label')).toBe('Выбрать в календаре: По дату');
    await page.keyboard.press('Enter');
    await first.click();
    const two = (n: number) => String(n).padStart(2, '0');
    expect(await to.inputValue()).toBe(`01.${two(month + 1)}.${year}`);
    await page.getByRole('button', { name: 'Показать' }).click();
    await page
      .getByText(`Ответы в срок и с нарушением срока, 15.11.2026 — 01.${two(month + 1)}.${year}`)
      .waitFor();
    expect(problems.get(page)).toEqual([]);
  });

  it("admin: the organisations' time zones read in Russian («Новосибирск, UTC+7»), not as «Asia/Novosibirsk»", async () => {
    await newStaff('kozlov', 'Козлов Павел Андреевич', Role.Admin, 'region');
    const page = await open('kozlov', '/admin');
    const table = page.getByRole('table', { name: 'Организации' });
    await table.getByRole('row').nth(1).waitFor();
    // Наименование, Вид, Часовой пояс, Ответ заявителю.
    const zones = await table.locator('tbody tr td:nth-child(3)').allInnerTexts();
    expect(zones.length).toBeGreaterThan(1);
    for (const zone of zones) expect(zone).toMatch(/^([А-ЯЁ][а-яё-]+, )?UTC[+−-]\d{1,2}(:\d{2})?$/);
    expect(problems.get(page)).toEqual([]);
  });

  it("admin at 1366×768: the staff list says each one's status whole («Активен», not «Актив…»)", async () => {
    await newStaff('zaitseva', 'Зайцева Ольга Петровна', Role.Admin, 'region');
    const page = await open('zaitseva', '/admin/users');
    const table = page.getByRole('table', { name: 'Сотрудники' });
    await table.getByText('Активен').first().waitFor();
    const cut = await table
      .locator('.mantine-Badge-label')
      .evaluateAll((labels) => labels.filter((l) => l.scrollWidth > l.clientWidth).map((l) => l.textContent));
    expect(cut).toEqual([]);
    expect(problems.get(page)).toEqual([]);
  });
});
