import { join } from 'node:path';
import { Role, StaffUsers } from '@inbox/access';
import { InboundEventsRepository } from '@inbox/channels';
import { Channel, type WithdrawalEvent } from '@inbox/integrations/contract';
import { idOf } from '../factories/directory';
import { inboundItem } from '../factories/inbound-items';
import { staffStack } from '../support/staff-stack';
import { json, registerItems } from '../support/test-stack';
import { foreignWords } from '../support/screen-language';
import { SHOTS, staffPages } from '../support/staff-pages';

/** The signed-in test staff's names (`Тестовый сотрудник operator-cur-…`), in the history of what they did. */
const TEST_STAFF = [/Тестовый сотрудник [\w-]+/g];

/**
 * An appeal its author withdrew — a Telegram business message deleted, a ПОС entry its moderator declined after we
 * had registered it — used to get only a line in its history, which nobody reads in a queue. The inbox row and the
 * card now say so («Отозвано заявителем», «Отклонено модератором канала»), the inbox filters them («Отозванные»),
 * and the card closes it with the reason in one dialog, offered ready to confirm. One its author withdrew closes so
 * from any open status — taken to work, at line 2 — by line 1 (59-ФЗ ст. 5 п. 5: the citizen may ask that
 * consideration stop), its open line-2 parts with it; a line-2 clerk is told line 1 does it.
 */
describe('appeals withdrawn by their author (browser e2e)', () => {
  const t = staffStack({
    organisations: { minzhkh: 'minzhkh' },
    topics: { housing: 'housing' },
    staff: { operator: [Role.Operator, 'cur'], clerk: [Role.Clerk, 'minzhkh'] },
  });
  const { ids, staff, call } = t;
  const pages = staffPages();
  const { problems } = pages;
  const PASSWORD = 'smena-2026-dekabr';

  beforeAll(async () => {
    const ds = t.stack.db.dataSource;
    for (const [login, fullName, role, organisation] of [
      ['ivanova', 'Иванова Елена Андреевна', Role.Operator, 'cur'],
      ['petrov', 'Петров Игорь Сергеевич', Role.Clerk, 'minzhkh'],
    ] as const) {
      await t.stack.api.get(StaffUsers).create({
        login,
        password: PASSWORD,
        fullName,
        role,
        organisationId: await idOf(ds, 'organisations', organisation),
      });
    }
  });
  const open = (login: string, path: string) =>
    pages.open(() => t.stack.baseUrl, { login, password: PASSWORD }, path);

  /** What the channel connectors hand the core when the citizen deletes a message or ПОС declines it. */
  async function withdraw(appealId: string, channel: Channel, externalId: string, by: 'author' | 'channel') {
    const event: WithdrawalEvent = {
      kind: 'withdrawal',
      channel,
      externalId: `deleted:${externalId}`,
      receivedAt: new Date().toISOString(),
      target: { externalId },
      by,
      ...(by === 'channel' ? { reason: 'Нецензурная лексика' } : {}),
    };
    await t.stack.api.get(InboundEventsRepository).recordWithdrawal(appealId, event);
  }

  const item = (channel: Channel, externalId: string, subject: string) =>
    inboundItem({
      channel,
      externalId,
      author: {
        externalId: `author-${externalId}`,
        surname: 'Лебедева',
        firstName: 'Ольга',
        patronymic: 'Сергеевна',
        // ПОС names the applicant's СНИЛС (as connectors hand it over: pos-wire's snilsOf).
        ...(channel === Channel.Pos ? { snils: '112-233-445 95' } : {}),
      },
      subject,
      text: `${subject}: в доме по ул. Гоголя, 15 вторую неделю не работает лифт.`,
    });

  it('marks withdrawn appeals in the inbox, filters them, and closes one with its reason in one dialog', async () => {
    const stamp = Date.now();
    const [deleted, declined, kept, taken] = await registerItems(t.stack, [
      item(Channel.Telegram, `b1:${stamp}`, 'Лифт не работает'),
      item(Channel.Pos, `pos-${stamp}`, 'Лифт стоит вторую неделю'),
      item(Channel.Telegram, `b2:${stamp}`, 'Лифт сломан снова'),
      item(Channel.Telegram, `b3:${stamp}`, 'Лифт опять встал'),
    ]);
    await withdraw(deleted, Channel.Telegram, `b1:${stamp}`, 'author');
    await withdraw(declined, Channel.Pos, `pos-${stamp}`, 'channel');
    await withdraw(taken, Channel.Telegram, `b3:${stamp}`, 'author');
    expect((await call('POST', `/api/v1/appeals/${taken}/take`, staff.operator)).status).toBe(204);
    const number = async (id: string) =>
      ((await json(call('GET', `/api/v1/appeals/${id}`, staff.operator))) as { registrationNumber: string })
        .registrationNumber;
    const [deletedNo, declinedNo, keptNo, takenNo] = await Promise.all(
      [deleted, declined, kept, taken].map(number),
    );

    const page = await open('ivanova', '/inbox');
    await page.getByRole('heading', { name: 'Новые' }).waitFor();
    const row = (no: string) => page.getByTestId('inbox-row').filter({ hasText: no });
    // Each row says who took it back; the appeal nobody withdrew says nothing of the kind.
    await row(deletedNo).getByTestId('withdrawn-badge').getByText('Отозвано заявителем').waitFor();
    await row(declinedNo).getByTestId('withdrawn-badge').getByText('Отклонено модератором канала').waitFor();
    await row(keptNo).waitFor();
    expect(await row(keptNo).getByTestId('withdrawn-badge').count()).toBe(0);

    // The filter keeps the queue and leaves only the withdrawn ones.
    await page.getByText('Отозванные', { exact: true }).click();
    await page.getByText('Зарегистрированы, ещё не взяты в работу').waitFor();
    await row(keptNo).waitFor({ state: 'detached' });
    expect(await page.getByRole('switch', { name: 'Отозванные' }).isChecked()).toBe(true);
    await row(deletedNo).waitFor();
    await row(declinedNo).waitFor();
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'withdrawn-inbox.png') });

    // The card: the badge, what happened and when, and the close with its reason offered ready to confirm.
    await row(deletedNo)
      .getByRole('link', { name: new RegExp(deletedNo) })
      .click();
    await page.getByRole('heading', { name: `Обращение № ${deletedNo}` }).waitFor();
    await page.getByTestId('withdrawn-badge').getByText('Отозвано заявителем').waitFor();
    const notice = page.getByTestId('withdrawal-notice');
    await notice.getByText('Заявитель удалил своё сообщение в канале').waitFor();
    await notice.getByRole('button', { name: 'Закрыть как отозванное' }).click();
    const dialog = page.getByRole('dialog', { name: 'Закрыть отозванное обращение' });
    await expect(dialog.getByRole('textbox', { name: 'Причина закрытия' }).inputValue()).resolves.toBe(
      'Заявитель отозвал обращение (удалил своё сообщение)',
    );
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'withdrawn-close.png') });
    await dialog.getByRole('button', { name: 'Закрыть обращение' }).click();
    await page.getByText('Рассмотрение завершено: обращение отозвано').waitFor();
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByRole('heading', { name: `Обращение № ${deletedNo}` })
      .locator('..')
      .getByText('Завершено')
      .waitFor();
    // The notice goes with the need for it; the badge and the reason in the history stay.
    expect(await notice.count()).toBe(0);
    await page.getByTestId('withdrawn-badge').waitFor();
    await page
      .getByRole('region', { name: 'История рассмотрения' })
      .getByText('Причина: Заявитель отозвал обращение (удалил своё сообщение)')
      .waitFor();
    const closed = (await json(call('GET', `/api/v1/appeals/${deleted}`, staff.operator))) as {
      status: string;
      history: { type: string; data: Record<string, unknown> }[];
    };
    expect(closed.status).toBe('closed');
    expect(closed.history.find((e) => e.type === 'closed')?.data).toEqual({
      reason: 'Заявитель отозвал обращение (удалил своё сообщение)',
    });

    // Back in the list at one press (the number's link opened the card twice: «Назад» took two), the closed one
    // has left the queue of new appeals without a reload.
    await page.getByRole('button', { name: '← Назад к списку' }).click();
    await row(declinedNo).waitFor();
    await row(deletedNo).waitFor({ state: 'detached' });

    // The ПОС appeal's card shows the applicant's СНИЛС (no browser test looked for it).
    await row(declinedNo)
      .getByRole('link', { name: new RegExp(declinedNo) })
      .click();
    const applicant = page.getByRole('region', { name: 'Заявитель' });
    await applicant.getByText('112-233-445 95', { exact: true }).waitFor();
    expect(await applicant.getByText('СНИЛС', { exact: true }).count()).toBe(1);

    // Taken to work, withdrawn by its author: it closes without an answer too, with the reason (not without one).
    expect((await call('POST', `/api/v1/appeals/${taken}/close`, staff.operator, {})).status).toBe(400);
    await page.goto(`${t.stack.baseUrl}/app/appeals/${taken}`);
    await page.getByRole('heading', { name: `Обращение № ${takenNo}` }).waitFor();
    await page.getByRole('button', { name: 'Закрыть как отозванное' }).click();
    await dialog.getByRole('button', { name: 'Закрыть обращение' }).click();
    await page.getByText('Рассмотрение завершено: обращение отозвано').waitFor();
    const takenClosed = (await json(call('GET', `/api/v1/appeals/${taken}`, staff.operator))) as {
      status: string;
      history: { type: string; data: Record<string, unknown> }[];
    };
    expect(takenClosed.status).toBe('closed');
    expect(takenClosed.history.find((e) => e.type === 'closed')?.data).toEqual({
      reason: 'Заявитель отозвал обращение (удалил своё сообщение)',
      withdrawn: true,
      from: 'in_work',
      partsClosed: [],
    });
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    expect(problems.get(page)).toEqual([]);
  });

  it("shows a line-2 clerk that the appeal in their organisation's queue was withdrawn", async () => {
    const stamp = Date.now();
    const [id] = await registerItems(t.stack, [item(Channel.Telegram, `b4:${stamp}`, 'Лифт в подъезде')]);
    const escalated = await call('POST', `/api/v1/appeals/${id}/escalate`, staff.operator, {
      organisationIds: [ids.minzhkh],
      topicId: ids.housing,
      applicant: { phone: '+7 913 555-44-33' },
    });
    expect([escalated.status, escalated.status === 204 ? '' : await escalated.text()]).toEqual([204, '']);
    await withdraw(id, Channel.Telegram, `b4:${stamp}`, 'author');
    const { registrationNumber } = (await json(call('GET', `/api/v1/appeals/${id}`, staff.operator))) as {
      registrationNumber: string;
    };

    const page = await open('petrov', '/inbox');
    await page.getByRole('heading', { name: 'Моей организации' }).waitFor();
    const row = page.getByTestId('inbox-row').filter({ hasText: registrationNumber });
    await row.getByTestId('withdrawn-badge').getByText('Отозвано заявителем').waitFor();
    await row.getByRole('link', { name: new RegExp(registrationNumber) }).click();
    await page
      .getByTestId('withdrawal-notice')
      .getByText(/Закрыть его без ответа может 1-я линия/)
      .waitFor();
    expect(await page.getByRole('button', { name: 'Закрыть как отозванное' }).count()).toBe(0);
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    expect(problems.get(page)).toEqual([]);

    // Line 2 may not close it; line 1 closes it at line 2, and the organisation's part with it.
    const reason = { reason: 'Заявитель отозвал обращение (удалил своё сообщение)' };
    expect((await call('POST', `/api/v1/appeals/${id}/close`, staff.clerk, reason)).status).toBe(403);
    expect((await call('POST', `/api/v1/appeals/${id}/close`, staff.operator, reason)).status).toBe(204);
    const closed = (await json(call('GET', `/api/v1/appeals/${id}`, staff.operator))) as {
      status: string;
      organisations: { id: string; state: string }[];
      history: { type: string; data: Record<string, unknown> }[];
    };
    expect(closed.status).toBe('closed');
    expect(closed.organisations.find((o) => o.id === ids.minzhkh)?.state).toBe('closed');
    expect(closed.history.find((e) => e.type === 'closed')?.data).toEqual({
      ...reason,
      withdrawn: true,
      from: 'escalated',
      partsClosed: [ids.minzhkh],
    });
  });

  it('keeps an appeal taken to work that the channel declined (not its author) to the status model', async () => {
    const stamp = Date.now();
    const [id] = await registerItems(t.stack, [item(Channel.Pos, `pos-b5-${stamp}`, 'Лифт на Гоголя')]);
    await withdraw(id, Channel.Pos, `pos-b5-${stamp}`, 'channel');
    expect((await call('POST', `/api/v1/appeals/${id}/take`, staff.operator)).status).toBe(204);
    const res = await call('POST', `/api/v1/appeals/${id}/close`, staff.operator, { reason: 'Отклонено' });
    expect(res.status).toBe(409);
  });
});
