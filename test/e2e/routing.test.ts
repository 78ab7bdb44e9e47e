import { Role, StaffUsers } from '@inbox/access';
import { DEMO_ROUTING_RULES, seedDemoRoutingRules, seedDirectory } from '@inbox/demo';
import { RoutingEngine } from '@inbox/routing';
import { json, startTestStack, type TestStack } from '../support/test-stack';

describe('routing rules and the organisation directory (e2e)', () => {
  let stack: TestStack;
  const ids: Record<string, string> = {};
  const tokens: Record<'admin' | 'supervisor' | 'clerk', string> = { admin: '', supervisor: '', clerk: '' };
  let adminId = '';

  async function call(who: keyof typeof tokens | null, method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (who) headers.authorization = `Bearer ${tokens[who]}`;
    const res = await fetch(`${stack.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // Response bodies in tests are checked by the assertions themselves.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const data: any = text ? JSON.parse(text) : undefined;
    return { status: res.status, body: data };
  }

  async function idOf(table: 'organisations' | 'topics', code: string): Promise<string> {
    const [row] = await stack.db.dataSource.query(`SELECT id FROM ${table} WHERE code = $1`, [code]);
    return row.id;
  }

  beforeAll(async () => {
    stack = await startTestStack({ env: { API_DOCS: 'public' } });
    const ds = stack.db.dataSource;
    // A subordinate body of the transport department, and the rubricator slice these tests rely on (the
    // shared test directory may already hold some of these topics: they are set to exactly this).
    await ds.query(
      `INSERT INTO organisations (code, name, short_name, kind, parent_id, time_zone, working_hours, contacts)
       SELECT 'uad', 'ГКУ «Управление автомобильных дорог»', 'ГКУ «УАД»', 'subordinate', id, time_zone,
              working_hours, '{"phone": "+7 (383) 231-01-50"}'
         FROM organisations WHERE code = 'mintrans'`,
    );
    for (const code of ['region', 'cur', 'minzhkh', 'mintrans', 'omsk-district', 'uad']) {
      ids[code] = await idOf('organisations', code);
    }
    const topics: [string, string, string | null, string | null][] = [
      ['roads', 'Дороги и транспорт', null, 'mintrans'],
      ['roads-repair', 'Ремонт дорог, ямы на дорогах', 'roads', null],
      ['housing', 'Жилищно-коммунальное хозяйство', null, 'minzhkh'],
      ['housing-heating', 'Отопление', 'housing', null],
      ['other', 'Прочее', null, null],
    ];
    for (const [code, name, parent, org] of topics) {
      await ds.query(
        `INSERT INTO topics (code, name, parent_id, default_organisation_id)
         VALUES ($1, $2, (SELECT id FROM topics WHERE code = $3), (SELECT id FROM organisations WHERE code = $4))
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_id = EXCLUDED.parent_id,
           default_organisation_id = EXCLUDED.default_organisation_id`,
        [code, name, parent, org],
      );
      ids[code] = await idOf('topics', code);
    }

    const users = stack.api.get(StaffUsers);
    const accounts = [
      { login: 'admin', role: Role.Admin, organisationId: ids.region },
      { login: 'supervisor', role: Role.Supervisor, organisationId: ids.region },
      { login: 'clerk', role: Role.Clerk, organisationId: ids.minzhkh },
    ] as const;
    for (const account of accounts) {
      const user = await users.create({
        ...account,
        password: 'Пароль-2026!',
        fullName: `Тест ${account.login}`,
      });
      if (account.role === Role.Admin) adminId = user.id;
      const login = await call(null, 'POST', '/api/v1/auth/login', {
        login: account.login,
        password: 'Пароль-2026!',
      });
      expect(login.status).toBe(200);
      tokens[account.login] = login.body.accessToken;
    }
  });

  afterAll(async () => {
    await stack?.close();
  });

  describe('organisations', () => {
    it('lists the directory flat with parents, kinds, zones, hours and contacts, for any staff', async () => {
      const res = await call('clerk', 'GET', '/api/v1/organisations');
      expect(res.status).toBe(200);
      const uad = res.body.find((o: { code: string }) => o.code === 'uad');
      expect(uad).toEqual(
        expect.objectContaining({
          id: ids.uad,
          parentId: ids.mintrans,
          kind: 'subordinate',
          timeZone: 'Asia/Novosibirsk',
          workingHours: expect.objectContaining({ 1: { start: '09:00', end: '18:00' } }),
          contacts: { phone: '+7 (383) 231-01-50' },
        }),
      );
      // Superiors come before their subordinates.
      const order = res.body.map((o: { code: string }) => o.code);
      expect(order[0]).toBe('region');
      expect(order.indexOf('mintrans')).toBeLessThan(order.indexOf('uad'));
    });

    it('gives the directory as a tree', async () => {
      const res = await call('clerk', 'GET', '/api/v1/organisations?view=tree');
      expect(res.status).toBe(200);
      expect(res.body).toHaveLength(1);
      const mintrans = res.body[0].children.find((o: { code: string }) => o.code === 'mintrans');
      expect(mintrans.children.map((o: { code: string }) => o.code)).toEqual(['uad']);
      const bad = await call('clerk', 'GET', '/api/v1/organisations?view=graph');
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual({ view: 'view: flat или tree' });
    });

    it('shows one organisation with its superior and subordinates', async () => {
      const res = await call('clerk', 'GET', `/api/v1/organisations/${ids.mintrans}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        code: 'mintrans',
        superior: { id: ids.region, code: 'region' },
        children: [{ id: ids.uad, shortName: 'ГКУ «УАД»', kind: 'subordinate' }],
        subordinateIds: [ids.uad],
      });
      const missing = await call(
        'clerk',
        'GET',
        '/api/v1/organisations/00000000-0000-4000-8000-000000000000',
      );
      expect(missing).toEqual({
        status: 404,
        body: { statusCode: 404, code: 'not-found', message: 'Организация не найдена' },
      });
      expect((await call('clerk', 'GET', '/api/v1/organisations/not-an-id')).status).toBe(404);
    });

    it('is closed to anyone not signed in', async () => {
      const res = await call(null, 'GET', '/api/v1/organisations');
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('Требуется вход в систему');
    });
  });

  describe('routing rules', () => {
    let ruleId = '';

    it('lets an administrator create a rule and the suggestion follow it', async () => {
      const before = await call('clerk', 'POST', '/api/v1/routing/suggest', {
        topicId: ids.roads,
        subtopicId: ids['roads-repair'],
        territoryCode: '51604151',
      });
      expect(before.status).toBe(200);
      expect(before.body).toMatchObject({
        reason: 'topic-default',
        organisationIds: [ids.mintrans],
        matchedRuleIds: [],
        organisations: [{ code: 'mintrans', name: 'Министерство транспорта' }],
      });

      const created = await call('admin', 'POST', '/api/v1/routing-rules', {
        name: '  Дороги Западного района: администрация и ГКУ «УАД»  ',
        topicId: ids.roads,
        territoryCode: '51604000',
        organisationIds: [ids['omsk-district'], ids.uad],
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        name: 'Дороги Западного района: администрация и ГКУ «УАД»',
        priority: 100,
        active: true,
        topicId: ids.roads,
        territoryCode: '51604000',
        organisationIds: [ids['omsk-district'], ids.uad],
        topic: { id: ids.roads, code: 'roads', name: 'Дороги и транспорт' },
        organisations: [
          { id: ids['omsk-district'], code: 'omsk-district' },
          { id: ids.uad, code: 'uad', kind: 'subordinate' },
        ],
      });
      ruleId = created.body.id;

      const suggestion = await call('clerk', 'POST', '/api/v1/routing/suggest', {
        topicId: ids.roads,
        subtopicId: ids['roads-repair'],
        territoryCode: '51604151',
      });
      expect(suggestion.status).toBe(200);
      expect(suggestion.body).toEqual({
        reason: 'rule',
        reasonText: 'По правилу маршрутизации',
        organisationIds: [ids['omsk-district'], ids.uad],
        matchedRuleIds: [ruleId],
        matchedRules: [
          { id: ruleId, name: 'Дороги Западного района: администрация и ГКУ «УАД»', priority: 100 },
        ],
        organisations: [
          expect.objectContaining({ id: ids['omsk-district'], name: 'Администрация Западного района' }),
          expect.objectContaining({
            id: ids.uad,
            name: 'ГКУ «Управление автомобильных дорог»',
            shortName: 'ГКУ «УАД»',
          }),
        ],
      });
      // Another district: the rule does not apply.
      const elsewhere = await call('clerk', 'POST', '/api/v1/routing/suggest', {
        topicId: ids.roads,
        territoryCode: '51612401',
      });
      expect(elsewhere.body).toMatchObject({ reason: 'topic-default', organisationIds: [ids.mintrans] });
    });

    it('lets supervisors read the rules but only administrators change them', async () => {
      const asSupervisor = await call('supervisor', 'GET', '/api/v1/routing-rules');
      expect(asSupervisor.status).toBe(200);
      expect(asSupervisor.body.map((r: { id: string }) => r.id)).toEqual([ruleId]);
      expect((await call('supervisor', 'GET', `/api/v1/routing-rules/${ruleId}`)).status).toBe(200);

      const denied = { statusCode: 403, code: 'forbidden', message: 'Недостаточно прав для этого действия' };
      const rule = { name: 'Чужое правило', topicId: ids.housing, organisationIds: [ids.minzhkh] };
      expect(await call('clerk', 'GET', '/api/v1/routing-rules')).toMatchObject({
        status: 403,
        body: denied,
      });
      expect(await call('clerk', 'POST', '/api/v1/routing-rules', rule)).toMatchObject({
        status: 403,
        body: denied,
      });
      expect(await call('clerk', 'PUT', `/api/v1/routing-rules/${ruleId}`, rule)).toMatchObject({
        status: 403,
      });
      expect(await call('clerk', 'DELETE', `/api/v1/routing-rules/${ruleId}`)).toMatchObject({ status: 403 });
      expect(await call('supervisor', 'POST', '/api/v1/routing-rules', rule)).toMatchObject({ status: 403 });
      expect(await call(null, 'GET', '/api/v1/routing-rules')).toMatchObject({ status: 401 });
      const [{ n }] = await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM routing_rules`);
      expect(n).toBe(1);
    });

    it('rejects invalid rules with Russian messages per field', async () => {
      const malformed = await call('admin', 'POST', '/api/v1/routing-rules', {
        name: '',
        priority: 1.5,
        territoryCode: 'Берёзовка',
        organisationIds: ['минтранс'],
        active: 'да',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual({
        statusCode: 400,
        code: 'invalid-input',
        message: 'Некорректный запрос',
        errors: {
          name: 'Укажите название правила',
          priority: 'Приоритет — целое число от 0 до 10000',
          territoryCode: 'Код территории — от 2 до 11 цифр по ОКТМО',
          organisationIds: 'Организации указаны неверно: нужны их идентификаторы',
          active: 'Признак активности — true или false',
        },
      });

      const neither = await call('admin', 'POST', '/api/v1/routing-rules', {
        name: 'Без темы и территории',
        organisationIds: [],
      });
      expect(neither.status).toBe(400);
      expect(neither.body.errors).toEqual({
        topicId: 'Укажите тему, территорию или и то и другое',
        territoryCode: 'Укажите тему, территорию или и то и другое',
        organisationIds: 'Укажите хотя бы одну организацию',
      });

      const unknown = await call('admin', 'POST', '/api/v1/routing-rules', {
        name: 'Несуществующие тема и организация',
        topicId: '00000000-0000-4000-8000-000000000001',
        organisationIds: [ids.mintrans, '00000000-0000-4000-8000-000000000002'],
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toEqual({
        statusCode: 400,
        code: 'invalid-input',
        message: 'Проверьте правильность заполнения правила',
        errors: {
          topicId: 'Такой темы нет в рубрикаторе',
          organisationIds: 'Нет в справочнике организаций: 00000000-0000-4000-8000-000000000002',
        },
      });

      const duplicate = await call('admin', 'POST', '/api/v1/routing-rules', {
        name: 'дороги западного района: администрация и гку «уад»',
        topicId: ids.roads,
        organisationIds: [ids.mintrans],
      });
      expect(duplicate.status).toBe(400);
      expect(duplicate.body.errors).toEqual({ name: 'Правило с таким названием уже есть' });

      const badSuggest = await call('clerk', 'POST', '/api/v1/routing/suggest', {
        topicId: ids.housing,
        subtopicId: ids['roads-repair'],
        territoryCode: '5160-4',
      });
      expect(badSuggest.status).toBe(400);
      expect(badSuggest.body.errors).toEqual({ territoryCode: 'Код территории — от 2 до 11 цифр по ОКТМО' });
      const wrongPair = await call('clerk', 'POST', '/api/v1/routing/suggest', {
        topicId: ids.housing,
        subtopicId: ids['roads-repair'],
      });
      expect(wrongPair.body).toEqual({
        statusCode: 400,
        code: 'invalid-input',
        message: 'Проверьте параметры запроса',
        errors: { subtopicId: 'Подтема не относится к выбранной теме' },
      });

      const [{ n }] = await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM routing_rules`);
      expect(n).toBe(1);
    });

    it('applies an edit at once, and several organisations for one rule', async () => {
      const heating = await call('admin', 'POST', '/api/v1/routing-rules', {
        name: 'Отопление: Минжкх и ЦУР',
        topicId: ids['housing-heating'],
        organisationIds: [ids.minzhkh, ids.cur],
      });
      expect(heating.status).toBe(201);
      const suggestion = await call('clerk', 'POST', '/api/v1/routing/suggest', {
        subtopicId: ids['housing-heating'],
      });
      expect(suggestion.body).toMatchObject({ reason: 'rule', organisationIds: [ids.minzhkh, ids.cur] });

      const edited = await call('admin', 'PUT', `/api/v1/routing-rules/${ruleId}`, {
        name: 'Ямы в Западном районе: только ГКУ «УАД»',
        priority: 300,
        topicId: ids['roads-repair'],
        territoryCode: '51604000',
        organisationIds: [ids.uad],
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({
        priority: 300,
        topicId: ids['roads-repair'],
        organisationIds: [ids.uad],
      });
      expect(new Date(edited.body.updatedAt).getTime()).toBeGreaterThanOrEqual(
        new Date(edited.body.createdAt).getTime(),
      );

      const after = await call('clerk', 'POST', '/api/v1/routing/suggest', {
        topicId: ids.roads,
        subtopicId: ids['roads-repair'],
        territoryCode: '51604402',
      });
      expect(after.body).toMatchObject({
        reason: 'rule',
        organisationIds: [ids.uad],
        matchedRuleIds: [ruleId],
      });

      const invalid = await call('admin', 'PUT', `/api/v1/routing-rules/${ruleId}`, {
        name: 'Ямы',
        organisationIds: [ids.uad],
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.errors.topicId).toBe('Укажите тему, территорию или и то и другое');
      const missing = await call(
        'admin',
        'PUT',
        '/api/v1/routing-rules/00000000-0000-4000-8000-000000000003',
        {
          name: 'Ямы',
          topicId: ids.roads,
          organisationIds: [ids.uad],
        },
      );
      expect(missing).toEqual({
        status: 404,
        body: { statusCode: 404, code: 'not-found', message: 'Правило маршрутизации не найдено' },
      });
    });

    it('stops applying a deactivated rule and forgets a deleted one', async () => {
      const deactivated = await call('admin', 'POST', `/api/v1/routing-rules/${ruleId}/deactivate`);
      expect(deactivated.status).toBe(200);
      expect(deactivated.body.active).toBe(false);
      const fallback = await call('clerk', 'POST', '/api/v1/routing/suggest', {
        subtopicId: ids['roads-repair'],
        territoryCode: '51604402',
      });
      expect(fallback.body).toMatchObject({ reason: 'topic-default', organisationIds: [ids.mintrans] });
      const active = await call('admin', 'GET', '/api/v1/routing-rules?active=true');
      expect(active.body.map((r: { name: string }) => r.name)).toEqual(['Отопление: Минжкх и ЦУР']);

      const deleted = await call('admin', 'DELETE', `/api/v1/routing-rules/${ruleId}`);
      expect(deleted.status).toBe(204);
      expect((await call('admin', 'GET', `/api/v1/routing-rules/${ruleId}`)).status).toBe(404);
      expect((await call('admin', 'DELETE', `/api/v1/routing-rules/${ruleId}`)).status).toBe(404);

      const none = await call('clerk', 'POST', '/api/v1/routing/suggest', { topicId: ids.other });
      expect(none.body).toEqual({
        reason: 'none',
        reasonText: 'Правило не найдено: направление определяет ЦУР вручную',
        organisationIds: [],
        matchedRuleIds: [],
        organisations: [],
        matchedRules: [],
      });
    });

    it('writes every change to the audit log with ids only', async () => {
      const rows = await stack.db.dataSource.query(
        `SELECT user_id AS "userId", action, entity_id AS "entityId", outcome, details
           FROM audit_log WHERE entity_type = 'routing-rule' AND entity_id = $1 ORDER BY id`,
        [ruleId],
      );
      expect(rows).toEqual([
        {
          userId: adminId,
          action: 'routing-rule.create',
          entityId: ruleId,
          outcome: 'ok',
          details: { topicId: ids.roads, organisationIds: [ids['omsk-district'], ids.uad], active: true },
        },
        {
          userId: adminId,
          action: 'routing-rule.update',
          entityId: ruleId,
          outcome: 'ok',
          details: {
            changed: ['name', 'priority', 'topicId', 'organisationIds'],
            topicId: { from: ids.roads, to: ids['roads-repair'] },
            organisationIds: { from: [ids['omsk-district'], ids.uad], to: [ids.uad] },
          },
        },
        { userId: adminId, action: 'routing-rule.deactivate', entityId: ruleId, outcome: 'ok', details: {} },
        {
          userId: adminId,
          action: 'routing-rule.delete',
          entityId: ruleId,
          outcome: 'ok',
          details: { topicId: ids['roads-repair'], organisationIds: [ids.uad] },
        },
      ]);
      // Refused attempts change nothing and leave no change record.
      const [{ n }] = await stack.db.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE entity_type = 'routing-rule' AND user_id <> $1`,
        [adminId],
      );
      expect(n).toBe(0);
    });
  });

  it('describes the endpoints in OpenAPI', async () => {
    const docs = await json(fetch(`${stack.baseUrl}/api/docs-json`));
    const paths = docs.paths as Record<
      string,
      Record<string, { parameters?: { name: string; in: string }[] }>
    >;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/organisations',
        '/api/v1/organisations/{id}',
        '/api/v1/routing-rules',
        '/api/v1/routing-rules/{id}',
        '/api/v1/routing-rules/{id}/deactivate',
        '/api/v1/routing/suggest',
      ]),
    );
    expect(paths['/api/v1/organisations'].get.parameters).toEqual([
      expect.objectContaining({ name: 'view', in: 'query' }),
    ]);
    expect(paths['/api/v1/routing-rules'].get.parameters?.map((p) => p.name).sort()).toEqual([
      'active',
      'topicId',
    ]);
    expect(docs.components.schemas.RoutingRuleDto.required).toEqual(['name', 'organisationIds']);
    expect(docs.components.schemas.RouteSuggestionDto.properties.reason.enum).toEqual([
      'rule',
      'topic-default',
      'none',
    ]);
  });

  describe('demo rules', () => {
    it('seeds the demo rules once, by name, over the demo directory', async () => {
      const ds = stack.db.dataSource;
      await seedDirectory(ds);
      expect(await seedDemoRoutingRules(ds)).toBe(DEMO_ROUTING_RULES.length);
      expect(await seedDemoRoutingRules(ds)).toBe(0);
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM routing_rules WHERE name = ANY($1)`, [
        DEMO_ROUTING_RULES.map((r) => r.name),
      ]);
      expect(n).toBe(DEMO_ROUTING_RULES.length);
      // Written behind the api's back: other processes see it within RoutingEngine.CACHE_MS; do not wait here.
      stack.api.get(RoutingEngine).invalidate();

      const heating = await call('clerk', 'POST', '/api/v1/routing/suggest', {
        subtopicId: await idOf('topics', 'housing-heating'),
      });
      // The test rule for heating ties with the demo one at the same specificity and priority: both apply.
      expect(heating.body.organisations.map((o: { code: string }) => o.code)).toEqual(
        expect.arrayContaining(['minjkh', 'gzhi']),
      );
      const roads = await call('clerk', 'POST', '/api/v1/routing/suggest', {
        topicId: await idOf('topics', 'roads'),
        subtopicId: await idOf('topics', 'roads-repair'),
        territoryCode: '51604402',
      });
      expect(roads.body).toMatchObject({
        reason: 'rule',
        organisations: [{ code: 'berezovsky' }, { code: 'uad' }],
      });
    });
  });
});
