import { join } from 'node:path';
import { Role, StaffUsers } from '@inbox/access';
import { idOf } from '../factories/directory';
import { staffStack } from '../support/staff-stack';
import { json } from '../support/test-stack';
import { foreignWords } from '../support/screen-language';
import { SHOTS, staffPages } from '../support/staff-pages';

const PASSWORD = 'soglasovanie-2026';
/** The signed-in test staff's names (`Тестовый сотрудник clerk-minzhkh-…`), on the answers they wrote. */
const TEST_STAFF = [/Тестовый сотрудник [\w-]+/g];

/**
 * A draft answer waits for a colleague's or the head's approval, but nothing led the approver to it: no queue, no
 * notice — they had to open appeal after appeal. «На согласовании» lists the appeals with a draft the viewer may
 * approve, by the approval rule itself (never one's own; the head where the organisation has one, else a
 * colleague), with its count in the menu; an approval takes the appeal off the queue and the count at once.
 */
describe('drafts waiting for approval (browser e2e)', () => {
  const t = staffStack({
    organisations: { minzhkh: 'minzhkh' },
    topics: { housing: 'housing' },
    staff: {
      operator: [Role.Operator, 'cur'],
      author: [Role.Clerk, 'minzhkh'],
      colleague: [Role.Clerk, 'minzhkh'],
    },
  });
  const { ids, staff, call } = t;
  const pages = staffPages();
  const { problems } = pages;

  beforeAll(async () => {
    await t.stack.api.get(StaffUsers).create({
      login: 'sidorova',
      password: PASSWORD,
      fullName: 'Сидорова Анна Петровна',
      role: Role.Clerk,
      organisationId: await idOf(t.stack.db.dataSource, 'organisations', 'minzhkh'),
    });
  });

  /** A call line 1 registered and escalated to the housing ministry, with a draft answer by `author`. */
  async function draftedAppeal(subject: string): Promise<{ id: string; number: string }> {
    const created = await call('POST', '/api/v1/appeals', staff.operator, {
      medium: 'phone',
      surname: 'Орлов',
      firstName: 'Пётр',
      patronymic: 'Ильич',
      phone: '+7 913 222-11-01',
      subject,
      text: `Звонок: ${subject.toLowerCase()} в доме по ул. Мира, 8.`,
    });
    expect(created.status).toBe(201);
    const { id } = (await json(created)) as { id: string };
    const escalated = await call('POST', `/api/v1/appeals/${id}/escalate`, staff.operator, {
      organisationIds: [ids.minzhkh],
      topicId: ids.housing,
    });
    expect([escalated.status, escalated.status === 204 ? '' : await escalated.text()]).toEqual([204, '']);
    const draft = await call('POST', `/api/v1/appeals/${id}/answers`, staff.author, {
      text: 'Горячая вода подана, управляющей компании выдано предписание.',
    });
    expect(draft.status).toBe(201);
    const { registrationNumber } = (await json(call('GET', `/api/v1/appeals/${id}`, staff.operator))) as {
      registrationNumber: string;
    };
    return { id, number: registrationNumber };
  }

  const awaiting = async (who: { headers: Record<string, string> }) =>
    (
      (await json(fetch(`${t.stack.baseUrl}/api/v1/appeals?approval=mine`, { headers: who.headers }))) as {
        items: { id: string }[];
      }
    ).items.map((i) => i.id);

  it('leads a colleague from the menu to the draft, and the approval takes it off the queue at once', async () => {
    const { id, number } = await draftedAppeal('Нет горячей воды');
    // Never one's own draft.
    expect(await awaiting(staff.author)).not.toContain(id);
    expect(await awaiting(staff.colleague)).toContain(id);

    const page = await pages.open(() => t.stack.baseUrl, { login: 'sidorova', password: PASSWORD }, '/inbox');
    await page.getByRole('heading', { name: 'Моей организации' }).waitFor();
    const count = page.getByTestId('queue-count-approval');
    await count.getByText('1', { exact: true }).waitFor();
    await page.getByRole('link', { name: /На согласовании/ }).click();
    await page.getByRole('heading', { name: 'На согласовании' }).waitFor();
    const row = page.getByTestId('inbox-row').filter({ hasText: number });
    await row.waitFor();
    expect(await page.getByTestId('inbox-row').count()).toBe(1);
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'approval-queue.png') });

    await row.getByRole('link', { name: new RegExp(number) }).click();
    await page.getByRole('heading', { name: `Обращение № ${number}` }).waitFor();
    await page.getByTestId('answer').getByRole('button', { name: 'Согласовать' }).click();
    await page.getByText('Ответ согласован').first().waitFor();
    await page.getByRole('button', { name: '← Назад к списку' }).click();
    await page.getByRole('heading', { name: 'На согласовании' }).waitFor();
    // Off the queue and its count without a reload (the list was kept for its 15 s before).
    await row.waitFor({ state: 'detached' });
    await page.getByText('Обращений нет').waitFor();
    await count.getByText('0', { exact: true }).waitFor();
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    expect(problems.get(page)).toEqual([]);
  });

  it('where the organisation has a head, lists the draft for the head and not for colleagues', async () => {
    const { id } = await draftedAppeal('Течёт крыша');
    await t.stack.api.get(StaffUsers).create({
      login: 'head-minzhkh',
      password: PASSWORD,
      fullName: 'Кузнецов Олег Иванович',
      role: Role.Head,
      organisationId: ids.minzhkh,
    });
    const login = await fetch(`${t.stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'head-minzhkh', password: PASSWORD }),
    });
    const { accessToken } = (await json(login)) as { accessToken: string };
    const head = { headers: { authorization: `Bearer ${accessToken}` } };
    expect(await awaiting(head)).toContain(id);
    expect(await awaiting(staff.colleague)).not.toContain(id);
    // Sent back, it waits for its author; edited, for the head again.
    const [draft] = (await json(call('GET', `/api/v1/appeals/${id}/answers`, staff.author))) as {
      id: string;
    }[];
    const back = await fetch(`${t.stack.baseUrl}/api/v1/appeals/${id}/answers/${draft.id}/send-back`, {
      method: 'POST',
      headers: { ...head.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ comment: 'Укажите срок подачи воды' }),
    });
    expect(back.status).toBe(204);
    expect(await awaiting(head)).not.toContain(id);
    const edited = await call('PATCH', `/api/v1/appeals/${id}/answers/${draft.id}`, staff.author, {
      text: 'Горячая вода подана 6 декабря, управляющей компании выдано предписание.',
    });
    expect(edited.status).toBe(204);
    expect(await awaiting(head)).toContain(id);
  });
});
