import { Role } from '@inbox/access';
import { ClassificationPipeline } from '@inbox/classification';
import { Incidents } from '@inbox/incidents';
import { signInAs } from '../factories/staff';
import { staffStack } from '../support/staff-stack';
import { json } from '../support/test-stack';

/**
 * Issue 12, build item 7: one assignee per part; a department head approves answers and grants the 59-ФЗ
 * extension (nobody approves their own draft, supervisors included); drafts edited, discarded and sent back
 * with a comment; internal notes; staff notifications through the API.
 */
describe('who does what (e2e)', () => {
  const t = staffStack({
    organisations: { minzhkh: 'minzhkh', mintrans: 'mintrans' },
    topics: { housing: 'housing' },
    staff: {
      operator: [Role.Operator, 'cur'],
      clerk: [Role.Clerk, 'minzhkh'],
      colleague: [Role.Clerk, 'minzhkh'],
      head: [Role.Head, 'minzhkh'],
      supervisor: [Role.Supervisor, 'region'],
      roadsClerk: [Role.Clerk, 'mintrans'],
      roadsColleague: [Role.Clerk, 'mintrans'],
      otherOperator: [Role.Operator, 'cur'],
      roadsHead: [Role.Head, 'mintrans'],
      districtHead: [Role.Head, 'omsk-district'],
    },
  });
  const { ids: org, staff, call } = t;

  async function escalated(organisationIds = [org.minzhkh, org.mintrans]): Promise<string> {
    const created = await json(
      call('POST', '/api/v1/appeals', staff.operator, {
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
      (await call('POST', `/api/v1/appeals/${created.id}/escalate`, staff.operator, { organisationIds }))
        .status,
    ).toBe(204);
    return created.id as string;
  }

  it('gives each part its own clerk, and routes approval and the 59-ФЗ extension through the head', async () => {
    const id = await escalated();
    expect((await call('POST', `/api/v1/appeals/${id}/take`, staff.clerk)).status).toBe(204);
    expect(
      (
        await call('POST', `/api/v1/appeals/${id}/assign`, staff.operator, {
          userId: staff.roadsClerk.userId,
        })
      ).status,
    ).toBe(204);
    const card = await json(call('GET', `/api/v1/appeals/${id}`, staff.supervisor));
    const parts = Object.fromEntries(
      (card.organisations as { code: string; assigneeId: string | null }[]).map((p) => [
        p.code,
        p.assigneeId,
      ]),
    );
    expect(parts).toMatchObject({ minzhkh: staff.clerk.userId, mintrans: staff.roadsClerk.userId });
    const mine = await json(call('GET', `/api/v1/appeals?assigneeId=me`, staff.clerk));
    expect(mine.items.map((i: { id: string }) => i.id)).toContain(id);

    const draft = await json(
      call('POST', `/api/v1/appeals/${id}/answers`, staff.clerk, { text: 'Проект ответа' }),
    );
    // The organisation has a head: a colleague no longer approves, the author never does.
    expect(
      (await call('POST', `/api/v1/appeals/${id}/answers/${draft.id}/approve`, staff.colleague)).status,
    ).toBe(403);
    expect(
      (await call('POST', `/api/v1/appeals/${id}/answers/${draft.id}/approve`, staff.clerk)).status,
    ).toBe(403);
    expect((await call('POST', `/api/v1/appeals/${id}/answers/${draft.id}/approve`, staff.head)).status).toBe(
      204,
    );

    // Nobody approves their own draft, supervisors included.
    const own = await json(
      call('POST', `/api/v1/appeals/${id}/answers`, staff.supervisor, { text: 'Сам написал' }),
    );
    const selfApproval = await call(
      'POST',
      `/api/v1/appeals/${id}/answers/${own.id}/approve`,
      staff.supervisor,
    );
    expect(selfApproval.status).toBe(403);
    expect((await json(selfApproval)).message).toBe('Нельзя согласовать собственный проект ответа');

    // The 59-ФЗ extension: the head's decision, not a clerk's.
    const byClerk = await call('POST', `/api/v1/appeals/${id}/extend`, staff.clerk, {
      kind: 'appeal',
      days: 10,
      reason: 'Запрошены документы',
    });
    expect(byClerk.status).toBe(403);
    expect(
      (
        await call('POST', `/api/v1/appeals/${id}/extend`, staff.head, {
          kind: 'appeal',
          days: 10,
          reason: 'Запрошены документы',
        })
      ).status,
    ).toBe(204);
  });

  it('edits, sends back with a comment (the author is notified), and discards drafts; keeps internal notes', async () => {
    const id = await escalated();
    const draft = await json(
      call('POST', `/api/v1/appeals/${id}/answers`, staff.clerk, { text: 'Черновик' }),
    );
    expect(
      (
        await call('POST', `/api/v1/appeals/${id}/answers/${draft.id}/send-back`, staff.head, {
          comment: 'Укажите срок устранения',
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await call('PATCH', `/api/v1/appeals/${id}/answers/${draft.id}`, staff.colleague, {
          text: 'Чужая правка',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call('PATCH', `/api/v1/appeals/${id}/answers/${draft.id}`, staff.clerk, {
          text: 'Устраним до 1 декабря',
        })
      ).status,
    ).toBe(204);
    const answers = await json(call('GET', `/api/v1/appeals/${id}/answers`, staff.clerk));
    expect(answers[0]).toMatchObject({
      text: 'Устраним до 1 декабря',
      sentBackComment: 'Укажите срок устранения',
      sentBackBy: staff.head.userId,
      editedAt: expect.any(String),
    });

    const notifications = await json(call('GET', '/api/v1/notifications?unread=true', staff.clerk));
    const sentBack = notifications.find((n: { kind: string }) => n.kind === 'answer-sent-back');
    expect(sentBack.text).toContain('Укажите срок устранения');
    expect((await call('POST', `/api/v1/notifications/${sentBack.id}/read`, staff.clerk)).status).toBe(204);
    expect((await call('POST', `/api/v1/notifications/${sentBack.id}/read`, staff.colleague)).status).toBe(
      404,
    );
    const unread = await json(call('GET', '/api/v1/notifications?unread=true', staff.clerk));
    expect(unread.map((n: { id: string }) => n.id)).not.toContain(sentBack.id);

    const other = await json(
      call('POST', `/api/v1/appeals/${id}/answers`, staff.clerk, { text: 'Лишний проект' }),
    );
    expect(
      (await call('POST', `/api/v1/appeals/${id}/answers/${other.id}/discard`, staff.clerk)).status,
    ).toBe(204);
    expect(
      (await json(call('GET', `/api/v1/appeals/${id}/answers`, staff.clerk))).map(
        (a: { id: string }) => a.id,
      ),
    ).not.toContain(other.id);
    expect((await call('POST', `/api/v1/appeals/${id}/answers/${other.id}/approve`, staff.head)).status).toBe(
      409,
    );

    expect(
      (
        await call('POST', `/api/v1/appeals/${id}/notes`, staff.clerk, {
          text: 'Звонила в УК, обещали к пятнице',
        })
      ).status,
    ).toBe(201);
    const notes = await json(call('GET', `/api/v1/appeals/${id}/notes`, staff.supervisor));
    expect(notes).toEqual([
      expect.objectContaining({ text: 'Звонила в УК, обещали к пятнице', authorId: staff.clerk.userId }),
    ]);
    // Internal: the citizen's status page never has it, and another organisation's clerk cannot read it.
    const outsider = await signInAs(t.stack.api, t.stack.baseUrl, Role.Clerk, 'omsk-district');
    expect((await call('GET', `/api/v1/appeals/${id}/notes`, outsider)).status).toBe(404);

    // A returned part tells line 1.
    expect((await call('POST', `/api/v1/appeals/${id}/take`, staff.operator)).status).toBe(204);
    expect(
      (await call('POST', `/api/v1/appeals/${id}/return`, staff.roadsClerk, { reason: 'Не дорожный вопрос' }))
        .status,
    ).toBe(204);
    const forOperator = await json(call('GET', '/api/v1/notifications', staff.operator));
    expect(forOperator).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'part-returned', appealId: id })]),
    );
  });

  const partAssignees = async (id: string) =>
    Object.fromEntries(
      (
        (await json(call('GET', `/api/v1/appeals/${id}`, staff.operator))).organisations as {
          code: string;
          assigneeId: string | null;
        }[]
      ).map((p) => [p.code, p.assigneeId]),
    );

  // Each organisation holding a part sees the appeal, neither runs the other's part: a clerk of one could
  // reassign the other's part (or the appeal to a line-1 operator), the assignee only had to hold the appeal.
  // One rating per answer: a rating the organisation recorded for its own answer took the applicant's place, and
  // with a poor one its re-routing to the superior organisation (S3) and the quality figures.
  it('records the rating an applicant gave by phone through line 1, never through the organisation that answered', async () => {
    const id = await escalated([org.minzhkh]);
    const answer = `/api/v1/appeals/${id}/answers`;
    const draft = await json(call('POST', answer, staff.clerk, { text: 'Отопление восстановлено.' }));
    expect((await call('POST', `${answer}/${draft.id}/approve`, staff.head)).status).toBe(204);
    expect((await call('POST', `${answer}/${draft.id}/send`, staff.clerk)).status).toBe(204);
    const handover = { medium: 'phone' };
    expect((await call('POST', `${answer}/${draft.id}/handed-over`, staff.clerk, handover)).status).toBe(204);
    for (const who of [staff.clerk, staff.head]) {
      const res = await call('POST', `/api/v1/appeals/${id}/ratings`, who, {
        answered: true,
        satisfaction: 'satisfied',
      });
      expect([res.status, ((await res.json()) as { message: string }).message]).toEqual([
        403,
        'Оценку со слов заявителя вносит первая линия (ЕКЦ/ЦУР) или руководство региона, а не организация, давшая ответ',
      ]);
    }
    const ratings = () =>
      t.stack.db.dataSource.query(`SELECT count(*)::int AS n FROM ratings WHERE appeal_id = $1`, [id]);
    expect(await ratings()).toEqual([{ n: 0 }]);
    // Line 1 records what the applicant said: not satisfied — and the appeal goes up a level.
    const poor = await call('POST', `/api/v1/appeals/${id}/ratings`, staff.operator, {
      answered: false,
      satisfaction: 'not-satisfied',
    });
    expect(poor.status).toBeLessThan(300);
    expect(await json(poor)).toMatchObject({ duplicate: false, poor: true });
    expect(await ratings()).toEqual([{ n: 1 }]);
  });

  it("refuses a clerk or head assigning another organisation's staff; the organisation and line 1 still may", async () => {
    const id = await escalated();
    expect((await call('POST', `/api/v1/appeals/${id}/take`, staff.roadsClerk)).status).toBe(204);
    const assign = (who: (typeof staff)['clerk'], userId: string) =>
      call('POST', `/api/v1/appeals/${id}/assign`, who, { userId });

    for (const who of [staff.clerk, staff.head]) {
      const res = await assign(who, staff.roadsColleague.userId);
      expect(res.status).toBe(403);
      expect((await json(res)).errors).toEqual({
        userId: 'Сотрудник организации вне вашей области видимости',
      });
      expect((await assign(who, staff.otherOperator.userId)).status).toBe(403);
    }
    expect((await partAssignees(id)).mintrans).toBe(staff.roadsClerk.userId);
    // Each refusal of scope is audited as denied, with whom it named (ids only).
    const denied = (await t.stack.db.dataSource.query(
      `SELECT user_id AS "userId", details FROM audit_log
        WHERE action = 'assign' AND entity_id = $1 AND outcome = 'denied' ORDER BY id`,
      [id],
    )) as { userId: string; details: Record<string, string> }[];
    expect(denied).toEqual([
      {
        userId: staff.clerk.userId,
        details: { assigneeId: staff.roadsColleague.userId, organisationId: org.mintrans },
      },
      {
        userId: staff.clerk.userId,
        details: expect.objectContaining({ assigneeId: staff.otherOperator.userId }),
      },
      {
        userId: staff.head.userId,
        details: { assigneeId: staff.roadsColleague.userId, organisationId: org.mintrans },
      },
      {
        userId: staff.head.userId,
        details: expect.objectContaining({ assigneeId: staff.otherOperator.userId }),
      },
    ]);

    // The organisation reassigns its own part; line 1 assigns anyone's staff, as before.
    expect((await assign(staff.roadsClerk, staff.roadsColleague.userId)).status).toBe(204);
    expect((await partAssignees(id)).mintrans).toBe(staff.roadsColleague.userId);
    expect((await assign(staff.head, staff.clerk.userId)).status).toBe(204);
    expect((await assign(staff.operator, staff.roadsClerk.userId)).status).toBe(204);
    expect(await partAssignees(id)).toMatchObject({
      minzhkh: staff.clerk.userId,
      mintrans: staff.roadsClerk.userId,
    });
  });

  // An incident groups appeals of several organisations; its title was made from the appeal that started it,
  // subject and address, and shown to every organisation with a part of the incident.
  it("titles an incident for a department from its own appeals, never another organisation's", async () => {
    const appeal = (surname: string, address: string) =>
      json(
        call('POST', '/api/v1/appeals', staff.operator, {
          medium: 'phone',
          surname,
          firstName: 'Анна',
          patronymic: 'Игоревна',
          phone: '+79137776655',
          address,
          subject: 'Прорвало трубу у дома, вода на дороге',
          text: 'Во дворе прорвало трубу, вода течёт на проезжую часть и заливает подвал, никто не приезжает.',
          topicId: org.housing,
        }),
      ) as Promise<{ id: string }>;
    const housing = await appeal('Первая', 'ул. Щегловская, д. 13, кв. 77');
    const roads = [await appeal('Вторая', 'ул. Дорожная, 5'), await appeal('Третья', 'ул. Дорожная, 7')];
    const escalate = (id: string, organisationId: string) =>
      call('POST', `/api/v1/appeals/${id}/escalate`, staff.operator, { organisationIds: [organisationId] });
    expect((await escalate(housing.id, org.minzhkh)).status).toBe(204);
    for (const r of roads) expect((await escalate(r.id, org.mintrans)).status).toBe(204);
    await t.stack.api.get(ClassificationPipeline).processPending(100);
    await t.stack.api.get(Incidents).clusterPending(100);

    const whole = await json(call('GET', '/api/v1/incidents', staff.operator));
    const incident = whole.items.find((i: { appealsCount: number }) => i.appealsCount === 3);
    // Each department reads the title its own first appeal makes, and nothing of the other's appeal.
    const subject = 'Прорвало трубу у дома, вода на дороге';
    for (const [who, own, other, appeals] of [
      [staff.roadsHead, `${subject} — ул. Дорожная, 5`, 'Щегловская', roads],
      [staff.head, `${subject} — ул. Щегловская, д. 13, кв. 77`, 'Дорожная', [housing]],
    ] as const) {
      const list = await json(call('GET', '/api/v1/incidents', who));
      expect(list.items.find((i: { id: string }) => i.id === incident.id).title).toBe(own);
      const detail = await json(call('GET', `/api/v1/incidents/${incident.id}`, who));
      expect(detail.title).toBe(own);
      expect(detail.addressKey).toBeNull();
      expect(detail.appeals.map((a: { id: string }) => a.id).sort()).toEqual(appeals.map((a) => a.id).sort());
      expect(JSON.stringify([list, detail]).toLowerCase()).not.toContain(other.toLowerCase());
    }
    // Line 1 sees the whole incident as it was titled.
    expect(incident.title).toMatch(/Щегловская|Дорожная/);

    // A head of an organisation with no appeal in the incident cannot reach it by its id: not read, not drafted
    // (the draft was claimed, and then refused, 409), not approved (409 told whether it was drafted) — each a 404
    // as for an incident that does not exist, on record (the read too), the incident untouched.
    const outsider = staff.districtHead;
    expect((await call('GET', `/api/v1/incidents/${incident.id}`, outsider)).status).toBe(404);
    for (const [step, body] of [
      ['draft', { text: 'Трубу заменят до конца недели.' }],
      ['approve', undefined],
    ] as const) {
      const res = await call('POST', `/api/v1/incidents/${incident.id}/${step}`, outsider, body);
      expect([step, res.status, ((await res.json()) as { message: string }).message]).toEqual([
        step,
        404,
        'Инцидент не найден',
      ]);
    }
    expect(await json(call('GET', `/api/v1/incidents/${incident.id}`, staff.operator))).toMatchObject({
      status: 'open',
      draftText: null,
      draftedBy: null,
    });
    const denied = (await t.stack.db.dataSource.query(
      `SELECT action FROM audit_log WHERE user_id = $1 AND entity_id = $2 AND outcome = 'denied' ORDER BY id`,
      [outsider.userId, incident.id],
    )) as { action: string }[];
    expect(denied.map((d) => d.action)).toEqual([
      'incident.read',
      'incident.draft-answer',
      'incident.approve-answer',
    ]);

    // A department answering the incident answers its own part; the other organisation's appeals are not named
    // back to it, not even by id.
    const drafted = await call('POST', `/api/v1/incidents/${incident.id}/draft`, staff.roadsHead, {
      text: 'Аварийная бригада устранила порыв, проезд открыт.',
    });
    const result = await json(drafted);
    expect(drafted.status).toBe(200);
    expect(result.drafted).toBe(2);
    expect(JSON.stringify(result)).not.toContain(housing.id);
  });
});
