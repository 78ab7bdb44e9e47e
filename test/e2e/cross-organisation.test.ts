import { Role } from '@inbox/access';
import { ClassificationPipeline } from '@inbox/classification';
import { Incidents } from '@inbox/incidents';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { json, startTestStack, type TestStack } from '../support/test-stack';

/**
 * An attacker with a staff account of one organisation (Минтранс) against another's (Минжкх) objects that are
 * not appeals — incidents, report rows, knowledge base requests, sections, settings and files, answer
 * templates, staff accounts, notifications — by id, as the staff-scope test does for every appeal endpoint.
 * Each refusal is a 403 or a 404, and the object is left as it was.
 */
describe('one organisation against another’s objects (e2e)', () => {
  let stack: TestStack;
  let operator: SignedIn;
  let clerkA: SignedIn;
  let headA: SignedIn;
  let supervisorA: SignedIn;
  let clerkB: SignedIn;
  let headB: SignedIn;
  let minzhkh: string;
  let mintrans: string;
  let incidentId: string;
  let appealB: string;
  let appealA: string;

  const call = (who: SignedIn, method: string, path: string, body?: unknown) =>
    fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: who.headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const refused = async (res: Response | Promise<Response>) => {
    const r = await res;
    const text = await r.text();
    return [403, 404].includes(r.status) ? 'refused' : `${r.status} ${text.slice(0, 200)}`;
  };

  beforeAll(async () => {
    stack = await startTestStack({ env: { RATE_LIMIT_STATUS: 'off' } });
    const ds = stack.db.dataSource;
    minzhkh = await idOf(ds, 'organisations', 'minzhkh');
    mintrans = await idOf(ds, 'organisations', 'mintrans');
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    clerkA = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'mintrans');
    headA = await signInAs(stack.api, stack.baseUrl, Role.Head, 'mintrans');
    supervisorA = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'mintrans');
    clerkB = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
    headB = await signInAs(stack.api, stack.baseUrl, Role.Head, 'minzhkh');
    const appeal = {
      medium: 'phone',
      subject: 'Нет горячей воды в доме',
      text: 'Третью неделю в доме на улице Ленина нет горячей воды, управляющая компания не отвечает на звонки.',
      address: 'г. Новосибирск, ул. Ленина, д. 5',
      topicId: await idOf(ds, 'topics', 'housing'),
    };
    const ids: string[] = [];
    // An appeal of Минтранс's own: the attacker's foothold for the pairs below.
    const roads = await json(
      call(operator, 'POST', '/api/v1/appeals', {
        medium: 'phone',
        surname: 'Кузнецов',
        firstName: 'Олег',
        patronymic: 'Ильич',
        phone: '+79131112299',
        subject: 'Яма на дороге',
        text: 'На трассе Колывань — Сокур большая яма на повороте, машины объезжают по встречной полосе.',
        topicId: await idOf(ds, 'topics', 'roads'),
      }),
    );
    appealA = roads.id;
    expect(
      (await call(operator, 'POST', `/api/v1/appeals/${appealA}/escalate`, { organisationIds: [mintrans] }))
        .status,
    ).toBe(204);
    for (const [n, surname] of ['Иванова', 'Петрова', 'Сидорова'].entries()) {
      const created = await json(
        call(operator, 'POST', '/api/v1/appeals', {
          ...appeal,
          surname,
          firstName: 'Анна',
          patronymic: 'Петровна',
          phone: `+7913111223${n}`,
        }),
      );
      ids.push(created.id);
      const escalated = await call(operator, 'POST', `/api/v1/appeals/${created.id}/escalate`, {
        organisationIds: [minzhkh],
      });
      expect(`${escalated.status} ${await escalated.text()}`).toBe('204 ');
    }
    await stack.api.get(ClassificationPipeline).processPending(100);
    await stack.api.get(Incidents).clusterPending(100);
    const [row] = (await ds.query(`SELECT incident_id FROM appeal_incidents WHERE appeal_id = $1`, [
      ids[0],
    ])) as {
      incident_id: string | null;
    }[];
    incidentId = row.incident_id!;
    appealB = ids[0];
    expect(incidentId).toBeTruthy();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('incidents: another organisation’s incident is neither listed, read, drafted nor approved', async () => {
    expect(
      (await json(call(headB, 'GET', '/api/v1/incidents'))).items.map((i: { id: string }) => i.id),
    ).toContain(incidentId);
    // A department sees its own part of a shared incident: how many of its appeals, through which channels —
    // not another organisation's (a telegram appeal of Минтранс's joins the incident here).
    const [{ n: before }] = (await stack.db.dataSource.query(
      `SELECT appeals_count AS n FROM incidents WHERE id = $1`,
      [incidentId],
    )) as { n: number }[];
    const [{ channel }] = (await stack.db.dataSource.query(`SELECT channel FROM appeals WHERE id = $1`, [
      appealB,
    ])) as { channel: string }[];
    await stack.db.dataSource.query(`UPDATE appeals SET channel = 'telegram' WHERE id = $1`, [appealA]);
    await stack.db.dataSource.query(`INSERT INTO appeal_incidents (appeal_id, incident_id) VALUES ($1, $2)`, [
      appealA,
      incidentId,
    ]);
    await stack.db.dataSource.query(`UPDATE incidents SET appeals_count = appeals_count + 1 WHERE id = $1`, [
      incidentId,
    ]);
    try {
      const part = (await json(call(headB, 'GET', '/api/v1/incidents'))).items.find(
        (i: { id: string }) => i.id === incidentId,
      );
      expect(part).toMatchObject({ appealsCount: before, channels: [channel] });
      expect(await json(call(headB, 'GET', `/api/v1/incidents/${incidentId}`))).toMatchObject({
        appealsCount: before,
      });
      const other = (await json(call(headA, 'GET', '/api/v1/incidents'))).items.find(
        (i: { id: string }) => i.id === incidentId,
      );
      expect(other).toMatchObject({ appealsCount: 1, channels: ['telegram'] });
    } finally {
      await stack.db.dataSource.query(`DELETE FROM appeal_incidents WHERE appeal_id = $1`, [appealA]);
      await stack.db.dataSource.query(`UPDATE appeals SET channel = $2 WHERE id = $1`, [appealA, channel]);
      await stack.db.dataSource.query(`UPDATE incidents SET appeals_count = $2 WHERE id = $1`, [
        incidentId,
        before,
      ]);
    }
    expect(
      (await json(call(headA, 'GET', '/api/v1/incidents'))).items.map((i: { id: string }) => i.id),
    ).not.toContain(incidentId);
    expect(await refused(call(headA, 'GET', `/api/v1/incidents/${incidentId}`))).toBe('refused');
    expect(
      await refused(call(headA, 'POST', `/api/v1/incidents/${incidentId}/draft`, { text: 'Чужой ответ' })),
    ).toBe('refused');
    expect(await refused(call(headA, 'POST', `/api/v1/incidents/${incidentId}/approve`))).toBe('refused');
    const [drafts] = (await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM answers WHERE appeal_id IN (SELECT appeal_id FROM appeal_incidents WHERE incident_id = $1)`,
      [incidentId],
    )) as { n: number }[];
    expect(drafts.n).toBe(0);
  });

  it('incident candidates: another organisation’s appeal number finds no incident, even one shared with it', async () => {
    const ds = stack.db.dataSource;
    // Минтранс's appeal joins Минжкх's incident, which Минтранс's supervisor then sees; a second appeal of
    // Минтранс's is the one to add. Searching by the number of Минжкх's appeal told that it exists and where it is.
    const roads = await json(
      call(operator, 'POST', '/api/v1/appeals', {
        medium: 'phone',
        surname: 'Смирнов',
        firstName: 'Павел',
        patronymic: 'Андреевич',
        phone: '+79131112277',
        subject: 'Разбитая дорога',
        text: 'Дорогу до посёлка Озёрный не ремонтировали пять лет, после дождей не проехать даже на тракторе.',
        topicId: await idOf(ds, 'topics', 'roads'),
      }),
    );
    expect(
      (await call(operator, 'POST', `/api/v1/appeals/${roads.id}/escalate`, { organisationIds: [mintrans] }))
        .status,
    ).toBe(204);
    const number = async (id: string) =>
      (
        (await ds.query(`SELECT registration_number FROM appeals WHERE id = $1`, [id])) as {
          registration_number: string;
        }[]
      )[0].registration_number;
    await ds.query(`INSERT INTO appeal_incidents (appeal_id, incident_id) VALUES ($1, $2)`, [
      appealA,
      incidentId,
    ]);
    try {
      const found = async (q: string) =>
        (
          await json(
            call(
              supervisorA,
              'GET',
              `/api/v1/appeals/${roads.id}/incident-candidates?q=${encodeURIComponent(q)}`,
            ),
          )
        ).map((i: { id: string }) => i.id);
      expect(await found(await number(appealA))).toEqual([incidentId]);
      expect(await found(await number(appealB))).toEqual([]);
    } finally {
      await ds.query(`DELETE FROM appeal_incidents WHERE appeal_id = $1`, [appealA]);
    }
  });

  it('classifier corrections: an organisation’s supervisor reads only those of its own appeals', async () => {
    const ds = stack.db.dataSource;
    const housing = await idOf(ds, 'topics', 'housing');
    const roads = await idOf(ds, 'topics', 'roads');
    for (const [appealId, actor] of [
      [appealA, supervisorA.userId],
      [appealB, clerkB.userId],
    ]) {
      await ds.query(
        `INSERT INTO classification_corrections (appeal_id, kind, source_event_id, actor, before, after)
         VALUES ($1, 'topic', (SELECT max(id) FROM appeal_events WHERE appeal_id = $1), $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [appealId, actor, { topicId: housing }, { topicId: roads }],
      );
    }
    const page = await json(call(supervisorA, 'GET', '/api/v1/classification/corrections'));
    const listed = page.items.map((c: { appealId: string }) => c.appealId);
    expect(listed).toContain(appealA);
    expect(listed).not.toContain(appealB);
    expect(page.total).toBe(listed.length);
    // The region's administrator still reads every organisation's.
    const admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'cur');
    const all = await json(call(admin, 'GET', '/api/v1/classification/corrections'));
    expect(all.items.map((c: { appealId: string }) => c.appealId)).toEqual(
      expect.arrayContaining([appealA, appealB]),
    );
    const [{ number: theirs }] = (await ds.query(
      `SELECT registration_number AS number FROM appeals WHERE id = $1`,
      [appealB],
    )) as { number: string }[];
    expect(
      await json(call(supervisorA, 'GET', `/api/v1/classification/corrections?number=${theirs}`)),
    ).toEqual({ items: [], total: 0 });
  });

  it('59-ФЗ flags: a repeated appeal does not name the applicant’s earlier appeal at another organisation', async () => {
    const ds = stack.db.dataSource;
    const [{ number }] = (await ds.query(`SELECT registration_number AS number FROM appeals WHERE id = $1`, [
      appealA,
    ])) as { number: string }[];
    const [flag] = (await ds.query(
      `INSERT INTO appeal_flags (appeal_id, flag, evidence) VALUES ($1, 'repeated', $2) RETURNING id`,
      [appealB, { earlierAppealId: appealA, earlierRegistrationNumber: number, similarity: 0.9 }],
    )) as { id: string }[];
    const repeated = (flags: { flag: string; evidence: object }[]) =>
      flags.find((f) => f.flag === 'repeated')?.evidence;
    const masked = { similarity: 0.9, earlierElsewhere: true };
    expect(repeated(await json(call(clerkB, 'GET', `/api/v1/appeals/${appealB}/flags`)))).toEqual(masked);
    expect(repeated((await json(call(clerkB, 'GET', `/api/v1/appeals/${appealB}`))).flags)).toEqual(masked);
    const decided = await json(
      call(headB, 'POST', `/api/v1/appeals/${appealB}/flags/${flag.id}/dismiss`, {
        comment: 'Другой вопрос',
      }),
    );
    expect(decided.evidence).toEqual(masked);
    // Line 1, which sees both, reads which appeal it was.
    expect(repeated(await json(call(operator, 'GET', `/api/v1/appeals/${appealB}/flags`)))).toEqual({
      earlierAppealId: appealA,
      earlierRegistrationNumber: number,
      similarity: 0.9,
    });
  });

  it('appeal files and answers: another appeal’s file or answer is not reached through one’s own appeal', async () => {
    const ds = stack.db.dataSource;
    const draft = await json(
      call(clerkB, 'POST', `/api/v1/appeals/${appealB}/answers`, { text: 'Проект ответа Минжкх' }),
    );
    const form = new FormData();
    form.append('file', new Blob(['%PDF-1.4 ответ'], { type: 'application/pdf' }), 'otvet.pdf');
    const attached = await fetch(
      `${stack.baseUrl}/api/v1/appeals/${appealB}/answers/${draft.id}/attachments`,
      {
        method: 'POST',
        headers: { authorization: clerkB.headers.authorization },
        body: form,
      },
    );
    expect(attached.status).toBe(201);
    const answerFile = ((await attached.json()) as { id: string }).id;
    const content = Buffer.from('чужой файл');
    await ds.query(
      `INSERT INTO attachment_contents (sha256, size, content) VALUES ('cross-org', $1, $2) ON CONFLICT DO NOTHING`,
      [content.length, content],
    );
    const [file] = (await ds.query(
      `INSERT INTO attachments (appeal_id, file_name, content_type, size, sha256) VALUES ($1, 'b.txt', 'text/plain', $2, 'cross-org') RETURNING id`,
      [appealB, content.length],
    )) as { id: string }[];
    const own = `/api/v1/appeals/${appealA}`;
    const failures: Record<string, string> = {};
    const probe = async (key: string, method: string, path: string, body?: unknown) => {
      const r = await refused(call(clerkA, method, path, body));
      if (r !== 'refused') failures[key] = r;
    };
    await probe('file', 'GET', `${own}/attachments/${file.id}`);
    await probe('answer file', 'GET', `${own}/answers/${draft.id}/attachments/${answerFile}`);
    await probe('edit', 'PATCH', `${own}/answers/${draft.id}`, { text: 'Подменённый ответ гражданину' });
    await probe('approve', 'POST', `${own}/answers/${draft.id}/approve`);
    await probe('send', 'POST', `${own}/answers/${draft.id}/send`);
    await probe('send back', 'POST', `${own}/answers/${draft.id}/send-back`, { comment: 'Переделать' });
    await probe('detach', 'DELETE', `${own}/answers/${draft.id}/attachments/${answerFile}`);
    await probe('discard', 'POST', `${own}/answers/${draft.id}/discard`);
    expect(failures).toEqual({});
    const [answer] = (await ds.query(`SELECT text, status FROM answers WHERE id = $1`, [draft.id])) as {
      text: string;
      status: string;
    }[];
    expect(answer).toEqual({ text: 'Проект ответа Минжкх', status: 'draft' });
  });

  it('reports: rows and totals hold only the caller’s organisation', async () => {
    // Tomorrow by UTC: the appeals' dates are read in their organisation's zone, already tomorrow after 17:00 UTC
    // in Novosibirsk.
    const to = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const path = `/api/v1/reports/handled?groupBy=organisation&from=2020-01-01&to=${to}`;
    const mine = await json(call(clerkB, 'GET', path));
    expect(JSON.stringify(mine)).toContain(minzhkh);
    for (const who of [clerkA, headA]) {
      const theirs = await json(call(who, 'GET', path));
      expect(JSON.stringify(theirs)).not.toContain(minzhkh);
      const byTopic = await json(call(who, 'GET', path.replace('organisation', 'topic')));
      expect(JSON.stringify(byTopic)).not.toContain(await idOf(stack.db.dataSource, 'topics', 'housing'));
      const dashboard = await json(call(who, 'GET', '/api/v1/reports/dashboard'));
      expect(JSON.stringify(dashboard)).not.toContain(minzhkh);
    }
  });

  it('knowledge base: another organisation’s requests, sections, settings and files are refused', async () => {
    const section = await json(
      call(headB, 'POST', '/api/v1/knowledge/sections', { organisationId: minzhkh, title: 'Горячая вода' }),
    );
    expect(section.id).toBeTruthy();
    const request = await json(
      call(clerkB, 'POST', '/api/v1/knowledge/requests', {
        organisationId: minzhkh,
        sectionId: section.id,
        subject: 'Новые телефоны аварийной службы',
        send: false,
        proposed: { kind: 'faq', title: 'Куда звонить', question: 'Куда звонить?', body: 'По номеру 112.' },
      }),
    );
    expect(request.id).toBeTruthy();
    const form = new FormData();
    form.append('organisationId', minzhkh);
    form.append('file', new Blob(['черновик приказа'], { type: 'text/plain' }), 'draft.txt');
    const uploaded = await fetch(`${stack.baseUrl}/api/v1/knowledge/attachments`, {
      method: 'POST',
      headers: { authorization: clerkB.headers.authorization },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const file = (await uploaded.json()) as { id: string };

    const failures: Record<string, string> = {};
    const probe = async (key: string, who: SignedIn, method: string, path: string, body?: unknown) => {
      const r = await refused(call(who, method, path, body));
      if (r !== 'refused') failures[`${who === headA ? 'head' : 'clerk'} ${key}`] = r;
    };
    for (const who of [clerkA, headA]) {
      await probe('read request', who, 'GET', `/api/v1/knowledge/requests/${request.id}`);
      await probe('edit request', who, 'PATCH', `/api/v1/knowledge/requests/${request.id}`, {
        subject: 'Подменено',
      });
      await probe('send request', who, 'POST', `/api/v1/knowledge/requests/${request.id}/send`);
      await probe('approve request', who, 'POST', `/api/v1/knowledge/requests/${request.id}/approve`, {});
      await probe('return request', who, 'POST', `/api/v1/knowledge/requests/${request.id}/return`, {
        comment: 'Чужой возврат',
      });
      await probe('cancel request', who, 'POST', `/api/v1/knowledge/requests/${request.id}/cancel`, {});
      await probe('edit section', who, 'PATCH', `/api/v1/knowledge/sections/${section.id}`, {
        title: 'Подменено',
      });
      await probe('review section', who, 'POST', `/api/v1/knowledge/sections/${section.id}/reviewed`);
      await probe('read settings', who, 'GET', `/api/v1/knowledge/organisations/${minzhkh}/settings`);
      await probe('save settings', who, 'PUT', `/api/v1/knowledge/organisations/${minzhkh}/settings`, {
        publicFaq: true,
      });
      await probe('read file', who, 'GET', `/api/v1/knowledge/attachments/${file.id}`);
      const list = await json(call(who, 'GET', '/api/v1/knowledge/requests'));
      if (JSON.stringify(list).includes(request.id)) failures[`list requests`] = 'listed';
    }
    expect(failures).toEqual({});
    // Nor is that file taken into an article of one's own: published with it, it was open to every member of staff.
    const ownSection = await json(
      call(headA, 'POST', '/api/v1/knowledge/sections', {
        organisationId: mintrans,
        title: 'Ямы на дорогах',
      }),
    );
    const proposed = { kind: 'faq', title: 'Ямы', question: 'Куда сообщить о яме?', body: 'В Минтранс.' };
    const smuggle = (path: string, method: string, body: Record<string, unknown>) =>
      call(clerkA, method, path, { ...body, proposed: { ...proposed, attachmentIds: [file.id] } });
    const smuggled = await smuggle('/api/v1/knowledge/requests', 'POST', {
      organisationId: mintrans,
      sectionId: ownSection.id,
      subject: 'Статья с чужим файлом',
      send: false,
    });
    expect(`${smuggled.status} ${JSON.stringify((await json(smuggled)).errors)}`).toBe(
      '400 {"attachmentIds":"Вложение не найдено"}',
    );
    const own = await json(
      call(clerkA, 'POST', '/api/v1/knowledge/requests', {
        organisationId: mintrans,
        sectionId: ownSection.id,
        subject: 'Статья о ямах',
        send: false,
        proposed,
      }),
    );
    expect((await smuggle(`/api/v1/knowledge/requests/${own.id}`, 'PATCH', {})).status).toBe(400);
    const [after] = (await stack.db.dataSource.query(
      `SELECT r.subject, r.status, s.title, s.last_reviewed_at FROM kb_change_requests r, kb_sections s
        WHERE r.id = $1 AND s.id = $2`,
      [request.id, section.id],
    )) as Record<string, unknown>[];
    expect(after).toMatchObject({
      subject: 'Новые телефоны аварийной службы',
      status: 'draft',
      title: 'Горячая вода',
      last_reviewed_at: null,
    });
  });

  it('knowledge base: the responsible person must be of the organisation (no granting approval to an outsider)', async () => {
    // Минтранс's head names Минжкх's clerk (or anyone) responsible for Минтранс: that would let a stranger approve
    // its changes, and Минжкх's clerk see its requests.
    const res = await call(headA, 'PUT', `/api/v1/knowledge/organisations/${mintrans}/settings`, {
      responsibleUserId: clerkB.userId,
    });
    expect(res.status).toBe(400);
    const section = await call(headA, 'POST', '/api/v1/knowledge/sections', {
      organisationId: mintrans,
      title: 'Дороги',
      responsibleUserId: clerkB.userId,
    });
    expect(section.status).toBe(400);
    const own = await json(
      call(headA, 'POST', '/api/v1/knowledge/sections', { organisationId: mintrans, title: 'Дороги' }),
    );
    expect(
      (
        await call(headA, 'PATCH', `/api/v1/knowledge/sections/${own.id}`, {
          responsibleUserId: clerkB.userId,
        })
      ).status,
    ).toBe(400);
    // Their own staff are fine.
    expect(
      (
        await call(headA, 'PUT', `/api/v1/knowledge/organisations/${mintrans}/settings`, {
          responsibleUserId: clerkA.userId,
        })
      ).status,
    ).toBe(200);
  });

  it('answer templates: another organisation’s template is neither listed nor changed', async () => {
    const created = await json(
      call(clerkB, 'POST', '/api/v1/answer-templates', { title: 'Горячая вода', body: 'Воду дадут завтра.' }),
    );
    expect(created.id).toBeTruthy();
    const listed = await json(call(clerkA, 'GET', `/api/v1/answer-templates?organisationId=${minzhkh}`));
    expect(JSON.stringify(listed)).not.toContain(created.id);
    expect(
      await refused(
        call(clerkA, 'PATCH', `/api/v1/answer-templates/${created.id}`, { body: 'Подменённый текст ответа' }),
      ),
    ).toBe('refused');
    expect(
      await refused(call(headA, 'PATCH', `/api/v1/answer-templates/${created.id}`, { active: false })),
    ).toBe('refused');
    const [row] = (await stack.db.dataSource.query(
      `SELECT body, active FROM answer_templates WHERE id = $1`,
      [created.id],
    )) as { body: string; active: boolean }[];
    expect(row).toEqual({ body: 'Воду дадут завтра.', active: true });
  });

  it('staff accounts: a clerk or a head reads and changes no account, and lists no other organisation’s staff', async () => {
    for (const who of [clerkA, headA]) {
      expect(await refused(call(who, 'GET', '/api/v1/users'))).toBe('refused');
      expect(
        await refused(call(who, 'PATCH', `/api/v1/users/${clerkB.userId}`, { fullName: 'Подменено' })),
      ).toBe('refused');
      expect(
        await refused(
          call(who, 'POST', `/api/v1/users/${clerkB.userId}/password`, { password: 'x'.repeat(12) }),
        ),
      ).toBe('refused');
      expect(await refused(call(who, 'GET', `/api/v1/users/assignees?organisationId=${minzhkh}`))).toBe(
        'refused',
      );
    }
    // And not by changing their own organisation or role either.
    expect(
      await refused(call(clerkA, 'PATCH', `/api/v1/users/${clerkA.userId}`, { organisationId: minzhkh })),
    ).toBe('refused');
  });

  it('notifications: another member of staff’s notification is not marked read', async () => {
    await stack.db.dataSource.query(
      `INSERT INTO notifications (user_id, kind, text) VALUES ($1, 'test', 'Проверка')`,
      [clerkB.userId],
    );
    const [n] = (await stack.db.dataSource.query(`SELECT id FROM notifications WHERE user_id = $1`, [
      clerkB.userId,
    ])) as { id: string }[];
    expect(await refused(call(clerkA, 'POST', `/api/v1/notifications/${n.id}/read`))).toBe('refused');
    const [row] = (await stack.db.dataSource.query(`SELECT read_at FROM notifications WHERE id = $1`, [
      n.id,
    ])) as {
      read_at: Date | null;
    }[];
    expect(row.read_at).toBeNull();
  });

  it('a returned part: the organisation finds the appeal by no personal data and reads none of it', async () => {
    const created = await json(
      call(operator, 'POST', '/api/v1/appeals', {
        medium: 'phone',
        surname: 'Вознесенская',
        firstName: 'Вера',
        patronymic: 'Павловна',
        phone: '+7 (913) 404-17-29',
        email: 'voznesenskaya@mail.example',
        subject: 'Подтопление подвала',
        text: 'После дождей подвал дома подтоплен, на въезде во двор промоина.',
        address: 'г. Бердск, ул. Горького, д. 17, кв. 4',
        topicId: await idOf(stack.db.dataSource, 'topics', 'housing'),
      }),
    );
    const id = created.id as string;
    expect(
      (
        await call(operator, 'POST', `/api/v1/appeals/${id}/escalate`, {
          organisationIds: [minzhkh, mintrans],
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await call(clerkA, 'POST', `/api/v1/appeals/${id}/notes`, {
          text: 'Звонила Вознесенская, +79134041729',
        })
      ).status,
    ).toBe(201);
    const draft = await json(
      call(clerkB, 'POST', `/api/v1/appeals/${id}/answers`, {
        text: 'Уважаемая Вера Павловна! Подвал осушат.',
      }),
    );
    const form = new FormData();
    form.append('file', new Blob(['%PDF-1.4 акт'], { type: 'application/pdf' }), 'akt.pdf');
    const attached = await fetch(`${stack.baseUrl}/api/v1/appeals/${id}/answers/${draft.id}/attachments`, {
      method: 'POST',
      headers: { authorization: clerkB.headers.authorization },
      body: form,
    });
    expect(attached.status).toBe(201);
    const fileId = ((await attached.json()) as { id: string }).id;
    const queries = ['Вознесенская', 'voznesenskaya@mail.example', '8 913 404-17-29'];
    const found = async (who: SignedIn, q: string) =>
      ((await json(call(who, 'GET', `/api/v1/appeals?q=${encodeURIComponent(q)}`))).items as { id: string }[])
        .map((i) => i.id)
        .includes(id);
    const counted = async (who: SignedIn, q: string) =>
      (await json(call(who, 'GET', `/api/v1/appeals/count?q=${encodeURIComponent(q)}`))).total as number;
    // While its part is active Минтранс finds the appeal by the applicant's surname, e-mail and phone.
    for (const q of queries) expect([q, await found(clerkA, q)]).toEqual([q, true]);

    expect(
      (await call(clerkA, 'POST', `/api/v1/appeals/${id}/return`, { reason: 'Вопрос ЖКХ, не дорожный' }))
        .status,
    ).toBe(204);
    // Returned: the card hides the applicant and the address, and the search by them finds nothing, in the list
    // nor in its count; the appeal's own words and its number still find it.
    const card = await json(call(clerkA, 'GET', `/api/v1/appeals/${id}`));
    expect([card.access.readOnly, card.applicant, card.address]).toEqual([true, null, null]);
    for (const q of queries) {
      expect([q, await found(clerkA, q), await counted(clerkA, q)]).toEqual([q, false, 0]);
      expect([q, await found(clerkB, q)]).toEqual([q, true]);
    }
    expect(await found(clerkA, 'подтоплен подвал')).toBe(true);
    expect(await found(clerkA, created.registrationNumber as string)).toBe(true);
    // Notes and answers: that they exist, not what they say; the answer's file not at all.
    const hidden =
      'Текст скрыт: ваша организация вернула обращение (или её поручение закрыто) и не видит данных заявителя';
    const notes = (await json(call(clerkA, 'GET', `/api/v1/appeals/${id}/notes`))) as { text: string }[];
    expect(notes.map((n) => n.text)).toEqual([hidden]);
    const answers = (await json(call(clerkA, 'GET', `/api/v1/appeals/${id}/answers`))) as { text: string }[];
    expect(answers.map((a) => a.text)).toEqual([hidden]);
    expect(
      (await call(clerkA, 'GET', `/api/v1/appeals/${id}/answers/${draft.id}/attachments/${fileId}`)).status,
    ).toBe(404);
    // Минжкх, whose part is active, reads all of it.
    const own = await json(call(clerkB, 'GET', `/api/v1/appeals/${id}`));
    expect([own.applicant?.surname, own.address]).toEqual([
      'Вознесенская',
      'г. Бердск, ул. Горького, д. 17, кв. 4',
    ]);
    const theirs = (await json(call(clerkB, 'GET', `/api/v1/appeals/${id}/notes`))) as { text: string }[];
    expect(theirs.map((n) => n.text)).toEqual(['Звонила Вознесенская, +79134041729']);
    expect(
      (await call(clerkB, 'GET', `/api/v1/appeals/${id}/answers/${draft.id}/attachments/${fileId}`)).status,
    ).toBe(200);
  });
});
