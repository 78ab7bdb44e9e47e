import { Role, StaffUsers } from '@inbox/access';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { staffPages } from '../support/staff-pages';
import { json, startTestStack, type TestStack } from '../support/test-stack';

const PASSWORD = 'ocenka-so-slov-2026';
const SUPERIOR_PASSWORD = 'povtorno-2026';
const REASON = 'Горячей воды так и нет, предписание не выполнено';

/**
 * The citizen's words given with a rating, on the card in Chromium: line 1 records a poor rating told by phone
 * with the caller's reason (the rating dialog's comment), and the history shows the reason beside the rating and
 * beside the re-routing to the superior organisation, which reviews the answer for it. The superior's clerk, in
 * Moscow, is told of the re-routing in the header (the time in the region's zone, named) and the notification opens
 * the appeal's card.
 */
describe('a rating with the citizen’s comment on the appeal card (e2e)', () => {
  let stack: TestStack;
  const pages = staffPages();
  let operator: SignedIn;
  let housingClerk: SignedIn;
  let housingColleague: SignedIn;

  beforeAll(async () => {
    stack = await startTestStack();
    const ds = stack.db.dataSource;
    await stack.api.get(StaffUsers).create({
      login: 'ocenkina',
      password: PASSWORD,
      fullName: 'Оценкина Анна Львовна',
      role: Role.Operator,
      organisationId: await idOf(ds, 'organisations', 'cur'),
    });
    // A clerk of the superior organisation (the region's office), where the poorly rated answer is re-routed.
    await stack.api.get(StaffUsers).create({
      login: 'povtornova',
      password: SUPERIOR_PASSWORD,
      fullName: 'Повторнова Ирина Олеговна',
      role: Role.Clerk,
      organisationId: await idOf(ds, 'organisations', 'region'),
    });
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    housingClerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
    housingColleague = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
  });
  afterAll(async () => {
    await stack?.close();
  });

  const post = (path: string, who: SignedIn, body: unknown = {}) =>
    fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: who.headers, body: JSON.stringify(body) });

  it('records the caller’s reason with a poor rating and shows it with the rating and the re-routing', async () => {
    const ds = stack.db.dataSource;
    const created = await post('/api/v1/appeals', operator, {
      medium: 'phone',
      surname: 'Орлов',
      firstName: 'Пётр',
      patronymic: 'Ильич',
      phone: '+7 913 222-11-07',
      subject: 'Нет горячей воды',
      text: 'Звонок: в доме по ул. Мира, 8 неделю нет горячей воды.',
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(
      (
        await post(`/api/v1/appeals/${id}/escalate`, operator, {
          organisationIds: [await idOf(ds, 'organisations', 'minzhkh')],
          topicId: await idOf(ds, 'topics', 'housing'),
          subject: 'Нет горячей воды',
        })
      ).status,
    ).toBe(204);
    const draft = await json(
      post(`/api/v1/appeals/${id}/answers`, housingClerk, {
        text: 'Управляющей компании выдано предписание.',
      }),
    );
    const answer = `/api/v1/appeals/${id}/answers/${draft.id}`;
    expect((await post(`${answer}/approve`, housingColleague)).status).toBe(204);
    expect((await post(`${answer}/send`, housingClerk)).status).toBe(204);
    expect((await post(`${answer}/handed-over`, operator, { medium: 'phone' })).status).toBe(204);

    const page = await pages.open(
      () => stack.baseUrl,
      { login: 'ocenkina', password: PASSWORD },
      `/appeals/${id}`,
    );
    await page.getByRole('button', { name: 'Внести оценку' }).click();
    const dialog = page.getByRole('dialog', { name: 'Оценка ответа заявителем' });
    await dialog.getByRole('radio', { name: 'Нет' }).check();
    await dialog.getByRole('radio', { name: 'Не удовлетворён' }).check();
    await dialog.getByRole('textbox', { name: 'Комментарий заявителя' }).fill(REASON);
    await dialog.getByRole('button', { name: 'Сохранить оценку' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const history = page.getByLabel('История');
    await history.getByText(`комментарий заявителя: ${REASON}`).waitFor();
    await history.getByText(`причина, указанная заявителем: ${REASON}`, { exact: false }).waitFor();
    expect(await ds.query(`SELECT comment, poor FROM ratings WHERE appeal_id = $1`, [id])).toEqual([
      { comment: REASON, poor: true },
    ]);
    expect(pages.problems.get(page)).toEqual([]);

    // The superior's clerk is told, and the notification leads to the card.
    const [{ number, due }] = (await ds.query(
      `SELECT registration_number AS number, to_char(answer_due_date, 'DD.MM.YYYY') AS due
         FROM appeals WHERE id = $1`,
      [id],
    )) as { number: string; due: string }[];
    const superior = await pages.newPage('ru-RU', { timezoneId: 'Europe/Moscow' });
    await superior.goto(`${stack.baseUrl}/app/`);
    await superior.getByLabel('Логин').fill('povtornova');
    await superior.getByLabel('Пароль').fill(SUPERIOR_PASSWORD);
    await superior.getByRole('button', { name: 'Войти' }).click();
    await superior.getByRole('button', { name: 'Уведомления: 1 непрочитанное' }).click();
    const note = superior.getByTestId('notification').filter({ hasText: 'Повторное рассмотрение' });
    await note
      .getByText(
        `Обращение № ${number} направлено вам на повторное рассмотрение: заявитель неудовлетворительно оценил ` +
          `ответ (Министерство ЖКХ и энергетики). Срок ответа — до ${due}`,
      )
      .waitFor();
    // Its time is the region's, named for a reader in Moscow (it was the browser's, unnamed).
    await note.getByText(/^\d\d\.\d\d\.\d{4} \d\d:\d\d \(Новосибирск, UTC\+7\)$/).waitFor();
    await note.getByRole('link', { name: `Открыть обращение № ${number}` }).click();
    await superior.waitForURL(`${stack.baseUrl}/app/appeals/${id}`);
    await superior.getByRole('heading', { name: `Обращение № ${number}` }).waitFor();
    await superior
      .getByLabel('История')
      .getByText(`причина, указанная заявителем: ${REASON}`, { exact: false })
      .waitFor();
    expect(pages.problems.get(superior)).toEqual([]);

    // The superior extends the 59-ФЗ term: its part, on the appeal's own term, moves with it (the list said the
    // old date and the clock sweep would have marked it overdue then).
    const signedIn = await json(
      fetch(`${stack.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'povtornova', password: SUPERIOR_PASSWORD }),
      }),
    );
    const clerk = { authorization: `Bearer ${signedIn.accessToken}`, 'content-type': 'application/json' };
    const extend = await fetch(`${stack.baseUrl}/api/v1/appeals/${id}/extend`, {
      method: 'POST',
      headers: clerk,
      body: JSON.stringify({ kind: 'appeal', days: 30, reason: 'Нужна повторная проверка на месте' }),
    });
    expect(extend.status).toBe(204);
    const extended = await json(fetch(`${stack.baseUrl}/api/v1/appeals/${id}`, { headers: clerk }));
    expect(extended.deadlines.answerDueDate > due.split('.').reverse().join('-')).toBe(true);
    const [row] = (await json(fetch(`${stack.baseUrl}/api/v1/appeals?ids=${id}`, { headers: clerk }))).items;
    expect(row).toMatchObject({ nextDueKind: 'answer', nextDueAt: extended.deadlines.answerDueAt });
    expect(row.parts.find((p: { state: string }) => p.state === 'active').dueAt).toBe(
      extended.deadlines.answerDueAt,
    );
  }, 150_000);
});
