import { Role } from '@inbox/access';
import { Incidents } from '@inbox/incidents';
import { ClassificationPipeline } from '@inbox/classification';
import { idOf } from '../factories/directory';
import { signInAs } from '../factories/staff';
import { json, startTestStack, type TestStack } from '../support/test-stack';

describe('probe', () => {
  let stack: TestStack;
  afterAll(async () => stack?.close());
  it('probes incidents as admin', async () => {
    stack = await startTestStack();
    const operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    const admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'cur');
    const topicId = await idOf(stack.db.dataSource, 'topics', 'housing');
    for (const s of ['Зябликова', 'Петрова', 'Сидорова']) {
      const res = await fetch(`${stack.baseUrl}/api/v1/appeals`, { method: 'POST', headers: operator.headers, body: JSON.stringify({
        medium: 'phone', surname: s, firstName: 'Анна', phone: '+79131112233',
        address: 'ул. Тихая, д. 13, кв. 77', subject: 'Нет воды, звоните +7 913 111-22-33',
        text: 'В доме нет холодной воды третий день, управляющая компания не отвечает. Звоните мне +7 (913) 111-22-33 или zyablikova@example.ru', topicId }) });
      expect(res.status).toBe(201);
    }
    await stack.api.get(ClassificationPipeline).processPending(100);
    await stack.api.get(Incidents).clusterPending(100);
    const list = await json(fetch(`${stack.baseUrl}/api/v1/incidents`, { headers: admin.headers }));
    console.log(JSON.stringify(list));
    const first = list.items[0];
    if (first) console.log(JSON.stringify(await json(fetch(`${stack.baseUrl}/api/v1/incidents/${first.id}`, { headers: admin.headers }))));
  });
});
