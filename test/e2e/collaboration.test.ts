import { Role } from '@inbox/access';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { json, startTestStack, type TestStack } from '../support/test-stack';

/**
 * Issue 12, build item 7: one assignee per part; a department head approves answers and grants the 59-ФЗ
 * extension (nobody approves their own draft, supervisors included); drafts edited, discarded and sent back
 * with a comment; internal notes; staff notifications through the API.
 */
describe('who does what (e2e)', () => {
  let stack: TestStack;
  let operator: SignedIn;
  let clerk: SignedIn;
  let colleague: SignedIn;
  let head: SignedIn;
  let supervisor: SignedIn;
  let roadsClerk: SignedIn;
  let org: Record<string, string>;

  beforeAll(async () => {
    stack = await startTestStack();
    const ds = stack.db.dataSource;
    org = {
      minzhkh: await idOf(ds, 'organisations', 'minzhkh'),
      mintrans: await idOf(ds, 'organisations', 'mintrans'),
      housing: await idOf(ds, 'topics', 'housing'),
    };
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    clerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
    colleague = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
    head = await signInAs(stack.api, stack.baseUrl, Role.Head, 'minzhkh');
    supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'region');
    roadsClerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'mintrans');
  });
  afterAll(async () => {
    await stack?.close();
  });

  const call = (method: string, path: string, who: SignedIn, body?: unknown) =>
    fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: who.headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  async function escalated(): Promise<string> {
    const created = await json(
      call('POST', '/api/v1/appeals', operator, {
        medium: 'phone',
        surname: 'Соколова',
        firstName: 'Анна',
        patronymic: 'Игоревна',
        phone: '+79137776655',
        subject: 'Нет отопления',
        text: 'С 20 ноября в квартире холодные батареи, управляющая компания не отвечает.',
        topicId: org.housing,
      }),
    );
    expect(
      (
        await call('POST', `/api/v1/appeals/${created.id}/escalate`, operator, {
          organisationIds: [org.minzhkh, org.mintrans],
        })
      ).status,
    ).toBe(204);
    return created.id as string;
  }

  it('gives each part its own clerk, and routes approval and the 59-ФЗ extension through the head', async () => {
    const id = await escalated();
    expect((await call('POST', `/api/v1/appeals/${id}/take`, clerk)).status).toBe(204);
    expect(
      (await call('POST', `/api/v1/appeals/${id}/assign`, operator, { userId: roadsClerk.userId })).status,
    ).toBe(204);
    const card = await json(call('GET', `/api/v1/appeals/${id}`, supervisor));
    const parts = Object.fromEntries(
      (card.organisations as { code: string; assigneeId: string | null }[]).map((p) => [
        p.code,
        p.assigneeId,
      ]),
    );
    expect(parts).toMatchObject({ minzhkh: clerk.userId, mintrans: roadsClerk.userId });
    const mine = await json(call('GET', `/api/v1/appeals?assigneeId=me`, clerk));
    expect(mine.items.map((i: { id: string }) => i.id)).toContain(id);

    const draft = await json(call('POST', `/api/v1/appeals/${id}/answers`, clerk, { text: 'Проект ответа' }));
    // The organisation has a head: a colleague no longer approves, the author never does.
    expect((await call('POST', `/api/v1/appeals/${id}/answers/${draft.id}/approve`, colleague)).status).toBe(
      403,
    );
    expect((await call('POST', `/api/v1/appeals/${id}/answers/${draft.id}/approve`, clerk)).status).toBe(403);
    expect((await call('POST', `/api/v1/appeals/${id}/answers/${draft.id}/approve`, head)).status).toBe(204);

    // Nobody approves their own draft, supervisors included.
    const own = await json(
      call('POST', `/api/v1/appeals/${id}/answers`, supervisor, { text: 'Сам написал' }),
    );
    const selfApproval = await call('POST', `/api/v1/appeals/${id}/answers/${own.id}/approve`, supervisor);
    expect(selfApproval.status).toBe(403);
    expect((await json(selfApproval)).message).toBe('Нельзя согласовать собственный проект ответа');

    // The 59-ФЗ extension: the head's decision, not a clerk's.
    const byClerk = await call('POST', `/api/v1/appeals/${id}/extend`, clerk, {
      kind: 'appeal',
      days: 10,
      reason: 'Запрошены документы',
    });
    expect(byClerk.status).toBe(403);
    expect(
      (
        await call('POST', `/api/v1/appeals/${id}/extend`, head, {
          kind: 'appeal',
          days: 10,
          reason: 'Запрошены документы',
        })
      ).status,
    ).toBe(204);
  });

  it('edits, sends back with a comment (the author is notified), and discards drafts; keeps internal notes', async () => {
    const id = await escalated();
    const draft = await json(call('POST', `/api/v1/appeals/${id}/answers`, clerk, { text: 'Черновик' }));
    expect(
      (
        await call('POST', `/api/v1/appeals/${id}/answers/${draft.id}/send-back`, head, {
          comment: 'Укажите срок устранения',
        })
      ).status,
    ).toBe(204);
    expect(
      (await call('PATCH', `/api/v1/appeals/${id}/answers/${draft.id}`, colleague, { text: 'Чужая правка' }))
        .status,
    ).toBe(403);
    expect(
      (
        await call('PATCH', `/api/v1/appeals/${id}/answers/${draft.id}`, clerk, {
          text: 'Устраним до 1 декабря',
        })
      ).status,
    ).toBe(204);
    const answers = await json(call('GET', `/api/v1/appeals/${id}/answers`, clerk));
    expect(answers[0]).toMatchObject({
      text: 'Устраним до 1 декабря',
      sentBackComment: 'Укажите срок устранения',
      sentBackBy: head.userId,
      editedAt: expect.any(String),
    });

    const notifications = await json(call('GET', '/api/v1/notifications?unread=true', clerk));
    const sentBack = notifications.find((n: { kind: string }) => n.kind === 'answer-sent-back');
    expect(sentBack.text).toContain('Укажите срок устранения');
    expect((await call('POST', `/api/v1/notifications/${sentBack.id}/read`, clerk)).status).toBe(204);
    expect((await call('POST', `/api/v1/notifications/${sentBack.id}/read`, colleague)).status).toBe(404);
    const unread = await json(call('GET', '/api/v1/notifications?unread=true', clerk));
    expect(unread.map((n: { id: string }) => n.id)).not.toContain(sentBack.id);

    const other = await json(call('POST', `/api/v1/appeals/${id}/answers`, clerk, { text: 'Лишний проект' }));
    expect((await call('POST', `/api/v1/appeals/${id}/answers/${other.id}/discard`, clerk)).status).toBe(204);
    expect(
      (await json(call('GET', `/api/v1/appeals/${id}/answers`, clerk))).map((a: { id: string }) => a.id),
    ).not.toContain(other.id);
    expect((await call('POST', `/api/v1/appeals/${id}/answers/${other.id}/approve`, head)).status).toBe(409);

    expect(
      (await call('POST', `/api/v1/appeals/${id}/notes`, clerk, { text: 'Звонила в УК, обещали к пятнице' }))
        .status,
    ).toBe(201);
    const notes = await json(call('GET', `/api/v1/appeals/${id}/notes`, supervisor));
    expect(notes).toEqual([
      expect.objectContaining({ text: 'Звонила в УК, обещали к пятнице', authorId: clerk.userId }),
    ]);
    // Internal: the citizen's status page never has it, and another organisation's clerk cannot read it.
    const outsider = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'omsk-district');
    expect((await call('GET', `/api/v1/appeals/${id}/notes`, outsider)).status).toBe(404);

    // A returned part tells line 1.
    expect((await call('POST', `/api/v1/appeals/${id}/take`, operator)).status).toBe(204);
    expect(
      (await call('POST', `/api/v1/appeals/${id}/return`, roadsClerk, { reason: 'Не дорожный вопрос' }))
        .status,
    ).toBe(204);
    const forOperator = await json(call('GET', '/api/v1/notifications', operator));
    expect(forOperator).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'part-returned', appealId: id })]),
    );
  });
});
