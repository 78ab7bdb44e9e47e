import * as iconv from 'iconv-lite';
import { Role } from '@inbox/access';
import { demoFastTrackRules, seedDemoFastTrackRules } from '@inbox/demo';
import { idOf } from '../factories/directory';
import { staffStack } from '../support/staff-stack';
import { json } from '../support/test-stack';

/**
 * What an administrator edits for classification, through the api: the versioned rubricator (by hand and
 * from CSV, bad lines reported by number), the mapping of ПОС categories onto our topics, fast-track rules
 * and their demo seed, labelled training data — every change audited, every refusal in Russian.
 */
describe('classification administration (integration)', () => {
  const t = staffStack({ staff: { admin: [Role.Admin, 'region'], operator: [Role.Operator, 'cur'] } });
  const { staff, call } = t;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    t.stack.db.dataSource.query(query, params) as Promise<T[]>;
  const version = async () =>
    (await json(call('GET', '/api/v1/rubricator', staff.operator))).version as number;

  it('edits the two-level rubricator by hand: each change is a new version that says what changed', async () => {
    const v0 = await version();
    expect(
      (await call('POST', '/api/v1/rubricator/topics', staff.operator, { code: 'x', name: 'X' })).status,
    ).toBe(403);
    const created = await call('POST', '/api/v1/rubricator/topics', staff.admin, {
      code: 'ecology',
      name: 'Экология',
      typicalNeeds: ['Несанкционированная свалка', 'Несанкционированная свалка', 'Загрязнение воздуха'],
      defaultOrganisationId: await idOf(t.stack.db.dataSource, 'organisations', 'minzhkh'),
    });
    expect(created.status).toBe(201);
    const ecology = await json(created);
    expect(ecology).toMatchObject({
      code: 'ecology',
      parentId: null,
      active: true,
      typicalNeeds: ['Несанкционированная свалка', 'Загрязнение воздуха'],
      rubricatorVersion: v0 + 1,
    });

    const sub = await json(
      call('POST', '/api/v1/rubricator/topics', staff.admin, {
        code: 'ecology-dumps',
        name: 'Свалки',
        parentId: ecology.id,
      }),
    );
    const refused = await call('POST', '/api/v1/rubricator/topics', staff.admin, {
      code: 'ecology',
      name: 'Третий уровень',
      parentId: sub.id,
    });
    expect(refused.status).toBe(400);
    expect((await json(refused)).errors).toEqual({
      code: 'Тема с таким кодом уже есть',
      parentId: 'Рубрикатор двухуровневый: раздел должен быть темой верхнего уровня',
    });

    const renamed = await call('PATCH', `/api/v1/rubricator/topics/${sub.id}`, staff.admin, {
      name: 'Несанкционированные свалки',
      active: false,
    });
    expect(await json(renamed)).toMatchObject({
      name: 'Несанкционированные свалки',
      active: false,
      code: 'ecology-dumps',
    });
    expect(
      (await call('PATCH', `/api/v1/rubricator/topics/${sub.id}`, staff.admin, { code: 'dumps' })).status,
    ).toBe(400);
    expect(
      (await call('PATCH', `/api/v1/rubricator/topics/${ecology.id}`, staff.admin, { parentId: sub.id }))
        .status,
    ).toBe(400);
    // Nothing changed: no new version.
    await call('PATCH', `/api/v1/rubricator/topics/${sub.id}`, staff.admin, {
      name: 'Несанкционированные свалки',
    });
    expect(await version()).toBe(v0 + 3);
    const versions = await json(call('GET', '/api/v1/rubricator/versions', staff.operator));
    expect(versions[0]).toMatchObject({
      version: v0 + 3,
      createdBy: staff.admin.userId,
      changes: [{ code: 'ecology-dumps', action: 'updated', fields: ['name', 'active'] }],
    });
    const tree = await json(call('GET', '/api/v1/rubricator?activeOnly=true', staff.operator));
    expect(tree.topics.find((t: { code: string }) => t.code === 'ecology').children).toEqual([]);
    const audit = await sql(`SELECT action FROM audit_log WHERE entity_type = 'topic' AND user_id = $1`, [
      staff.admin.userId,
    ]);
    expect(audit.map((a) => a.action)).toEqual([
      'rubricator.topic-create',
      'rubricator.topic-create',
      'rubricator.topic-update',
    ]);
  });

  it('imports the rubricator from CSV all or nothing, reporting bad lines by number', async () => {
    const v0 = await version();
    const bad = [
      'code;name;parent_code;typical_needs',
      'culture;Культура;;',
      'culture-museums;Музеи;culture;Работа музеев|Экскурсии',
      ';Без кода;;',
      'culture-parks;Парки;nowhere;',
    ].join('\n');
    const refused = await call('POST', '/api/v1/rubricator/import', staff.admin, { csv: bad });
    expect(refused.status).toBe(400);
    expect(await json(refused)).toEqual({
      statusCode: 400,
      code: 'invalid-input',
      message: 'В файле есть ошибки: рубрикатор не изменён',
      errors: [
        { line: 4, message: 'не указан код темы' },
        { line: 5, message: 'раздела «nowhere» нет ни в файле, ни в рубрикаторе' },
      ],
    });
    expect(await version()).toBe(v0);
    expect(await sql(`SELECT code FROM topics WHERE code LIKE 'culture%'`)).toEqual([]);

    const good = bad.replace(';Без кода;;\n', '').replace('nowhere', 'culture');
    const dry = await json(
      call('POST', '/api/v1/rubricator/import', staff.admin, { csv: good, dryRun: true }),
    );
    expect(dry).toEqual({
      version: v0,
      created: ['culture', 'culture-museums', 'culture-parks'],
      updated: [],
      unchanged: 0,
      dryRun: true,
    });
    expect(await version()).toBe(v0);

    // As Excel saves it in Russia: Windows-1251, uploaded as a file.
    const form = new FormData();
    form.append('file', new Blob([iconv.encode(good, 'win1251')], { type: 'text/csv' }), 'рубрикатор.csv');
    const res = await fetch(`${t.stack.baseUrl}/api/v1/rubricator/import`, {
      method: 'POST',
      headers: { authorization: staff.admin.headers.authorization },
      body: form,
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      version: v0 + 1,
      created: ['culture', 'culture-museums', 'culture-parks'],
    });
    const [museums] = await sql<{ name: string; typical_needs: string[]; rubricator_version: number }>(
      `SELECT name, typical_needs, rubricator_version FROM topics WHERE code = 'culture-museums'`,
    );
    expect(museums).toEqual({
      name: 'Музеи',
      typical_needs: ['Работа музеев', 'Экскурсии'],
      rubricator_version: v0 + 1,
    });

    const again = await json(call('POST', '/api/v1/rubricator/import', staff.admin, { csv: good }));
    expect(again).toMatchObject({ version: v0 + 1, created: [], updated: [], unchanged: 3 });
    expect((await call('POST', '/api/v1/rubricator/import', staff.admin, {})).status).toBe(400);
  });

  it('maps ПОС categories onto our topics, keeping the channel’s own category beside ours', async () => {
    await sql(
      `INSERT INTO channel_categories (channel, external_id, parent_external_id, name) VALUES
         ('pos', 'subject:10', NULL, 'ЖКХ'), ('pos', 'subsubject:101', 'subject:10', 'Отопление')`,
    );
    const heating = await idOf(t.stack.db.dataSource, 'topics', 'housing-heating');
    expect(
      (
        await call('PUT', '/api/v1/rubricator/channel-categories/pos/subsubject:101', staff.operator, {
          topicId: heating,
        })
      ).status,
    ).toBe(403);
    const mapped = await json(
      call('PUT', '/api/v1/rubricator/channel-categories/pos/subsubject:101', staff.admin, {
        topicId: heating,
      }),
    );
    expect(mapped).toMatchObject({
      externalId: 'subsubject:101',
      topicId: heating,
      topicCode: 'housing-heating',
    });
    const list = await json(call('GET', '/api/v1/rubricator/channel-categories?channel=pos', staff.operator));
    expect(
      list.map((c: { externalId: string; topicCode: string | null }) => [c.externalId, c.topicCode]),
    ).toEqual([
      ['subject:10', null],
      ['subsubject:101', 'housing-heating'],
    ]);
    expect(
      (await call('PUT', '/api/v1/rubricator/channel-categories/pos/nope', staff.admin, { topicId: heating }))
        .status,
    ).toBe(404);
    const [audit] = await sql(
      `SELECT details FROM audit_log WHERE action = 'rubricator.channel-category-map'`,
    );
    expect(audit.details).toEqual({ from: null, to: heating });
  });

  it('keeps fast-track rules as data an administrator edits, and seeds the demo ones once', async () => {
    const invalid = await call('POST', '/api/v1/fast-track-rules', staff.admin, {
      name: 'Пустое правило',
      months: [13],
    });
    expect(invalid.status).toBe(400);
    expect((await json(invalid)).errors).toMatchObject({ months: 'Месяцы — числа от 1 до 12' });
    const noCondition = await call('POST', '/api/v1/fast-track-rules', staff.admin, { name: 'Без условий' });
    expect((await json(noCondition)).errors).toMatchObject({
      keywords: 'Укажите тему, ключевые фразы или каналы',
    });

    const rule = await json(
      call('POST', '/api/v1/fast-track-rules', staff.admin, {
        name: 'Нет отопления зимой',
        keywords: ['Нет  отопления', 'замерза*'],
        channels: ['pos', 'vk'],
        months: [12, 1, 2],
      }),
    );
    expect(rule).toMatchObject({ keywords: ['нет отопления', 'замерза*'], months: [1, 2, 12], active: true });
    expect(
      (
        await call('POST', '/api/v1/fast-track-rules', staff.admin, {
          name: 'нет  ОТОПЛЕНИЯ зимой',
          channels: ['vk'],
        })
      ).status,
    ).toBe(400);
    expect(
      (await call('POST', '/api/v1/fast-track-rules', staff.admin, { name: 'Канал', channels: ['fax'] }))
        .status,
    ).toBe(400);
    const updated = await json(
      call('PUT', `/api/v1/fast-track-rules/${rule.id}`, staff.admin, {
        name: 'Нет отопления зимой',
        topicId: await idOf(t.stack.db.dataSource, 'topics', 'housing-heating'),
        keywords: ['нет отопления'],
      }),
    );
    expect(updated).toMatchObject({ topic: { code: 'housing-heating' }, channels: [], months: [] });
    expect((await call('DELETE', `/api/v1/fast-track-rules/${rule.id}`, staff.operator)).status).toBe(403);
    expect((await call('DELETE', `/api/v1/fast-track-rules/${rule.id}`, staff.admin)).status).toBe(204);
    expect((await call('GET', `/api/v1/fast-track-rules/${rule.id}`, staff.admin)).status).toBe(404);
    const audit = await sql(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`, [rule.id]);
    expect(audit.map((a) => a.action)).toEqual([
      'fast-track-rule.create',
      'fast-track-rule.update',
      'fast-track-rule.delete',
    ]);

    const demo = demoFastTrackRules();
    expect(demo.find((r) => r.keywords.includes('нет отопления'))?.months).toEqual(
      expect.arrayContaining([1, 10]),
    );
    expect(await seedDemoFastTrackRules(t.stack.db.dataSource)).toBe(demo.length);
    expect(await seedDemoFastTrackRules(t.stack.db.dataSource)).toBe(0);
    const listed = await json(call('GET', '/api/v1/fast-track-rules', staff.operator));
    expect(listed).toHaveLength(demo.length);
    expect(listed.map((r: { keywords: string[] }) => r.keywords).flat()).toEqual(
      expect.arrayContaining(['открытый люк', 'аварийное дерево', 'нет отопления']),
    );
  });

  it('refuses a CSV file over the upload limit, saying the limit in Russian, and keeps nothing of it', async () => {
    const v0 = await version();
    const line = 'culture,Культура,,,,true\n';
    // At the limit by one byte (multer reads it whole) and far over it (multer stops reading).
    for (const size of [10 * 1024 * 1024 + 1, 11 * 1024 * 1024]) {
      const csv = Buffer.alloc(size, ' ');
      Buffer.from(`code,name,parent_code,typical_needs,default_organisation,active\n${line}`).copy(csv);
      for (const path of ['/api/v1/rubricator/import', '/api/v1/classification/training-data']) {
        const form = new FormData();
        form.append('file', new Blob([csv], { type: 'text/csv' }), 'большой.csv');
        const res = await fetch(`${t.stack.baseUrl}${path}`, {
          method: 'POST',
          headers: { authorization: staff.admin.headers.authorization },
          body: form,
        });
        expect([path, res.status, await json(res)]).toEqual([
          path,
          413,
          {
            statusCode: 413,
            code: 'too-large',
            message: 'Файл больше 10 МБ',
            errors: { file: 'Файл больше 10 МБ' },
          },
        ]);
      }
    }
    expect(await version()).toBe(v0);
    expect(await sql(`SELECT id FROM classification_examples`)).toEqual([]);
  });
  it('takes labelled training data from CSV, reporting bad lines, and lists models and the manual queue', async () => {
    const csv = [
      'text,topic_code,subtopic_code',
      '"Нет отопления в квартире",housing,housing-heating',
      '"Яма на дороге",roads,housing-heating',
      '"",roads,',
      '"Текст",nowhere,',
      '"Яма у дома",roads,roads-potholes',
    ].join('\n');
    const res = await json(call('POST', '/api/v1/classification/training-data', staff.admin, { csv }));
    expect(res).toMatchObject({
      stored: 2,
      errorCount: 3,
      errors: [
        { line: 3, message: '«housing-heating» — не подтема «roads»' },
        { line: 4, message: 'пустой текст' },
        { line: 5, message: 'темы «nowhere» нет в рубрикаторе' },
      ],
    });
    const stored = await sql(`SELECT label, features FROM classification_examples ORDER BY id`);
    expect(stored).toEqual([
      { label: 'housing-heating', features: { channel: 'import' } },
      { label: 'roads-potholes', features: { channel: 'import' } },
    ]);
    expect((await call('POST', '/api/v1/classification/training-data', staff.operator, { csv })).status).toBe(
      403,
    );
    expect((await call('POST', '/api/v1/classification/retrain', staff.operator)).status).toBe(403);
    expect(await json(call('GET', '/api/v1/classification/models', staff.admin))).toEqual([]);
    const batches = await json(call('GET', '/api/v1/classification/training-data', staff.admin));
    expect(batches).toEqual([expect.objectContaining({ batchId: res.batchId, rows: 2, labels: 2 })]);
    expect(
      (await call('DELETE', `/api/v1/classification/training-data/${res.batchId}`, staff.admin)).status,
    ).toBe(204);
    expect(await sql(`SELECT id FROM classification_examples`)).toEqual([]);
    expect((await call('GET', '/api/v1/appeals?classification=nonsense', staff.operator)).status).toBe(400);
    expect((await json(call('GET', '/api/v1/appeals?classification=manual', staff.operator))).items).toEqual(
      [],
    );
  });
});
