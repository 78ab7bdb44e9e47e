import { Role, StaffUsers } from '@inbox/access';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { staffPages } from '../support/staff-pages';
import { json, startTestStack, type TestStack } from '../support/test-stack';

const PASSWORD = 'ocenka-so-slov-2026';
const REASON = 'Горячей воды так и нет, предписание не выполнено';

/**
 * The citizen's words given with a rating, on the card in Chromium: line 1 records a poor rating told by phone
 * with the caller's reason (the rating dialog's comment), and the history shows the reason beside the rating and
 * beside the re-routing to the superior organisation, which reviews the answer for it.
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
  }, 150_000);
});
