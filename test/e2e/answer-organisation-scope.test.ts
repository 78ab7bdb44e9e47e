import { Role } from '@inbox/access';
import { staffStack } from '../support/staff-stack';
import { json } from '../support/test-stack';

/**
 * An appeal split between two ministries: each part's answer is that ministry's. Another ministry's staff, who see
 * the appeal for their own part, may not edit, approve, send or mark handed over its answer — a supervisor of the
 * roads ministry approved the housing ministry's draft, and a roads clerk sent it. And an answer id is bound to
 * the appeal in the path: through an appeal of one's own, another organisation's answer was marked handed over.
 */
describe("another organisation's answer, through a shared or an own appeal (e2e)", () => {
  const t = staffStack({
    organisations: { minzhkh: 'minzhkh', mintrans: 'mintrans' },
    topics: { housing: 'housing' },
    staff: {
      operator: [Role.Operator, 'cur'],
      housingClerk: [Role.Clerk, 'minzhkh'],
      housingColleague: [Role.Clerk, 'minzhkh'],
      roadsClerk: [Role.Clerk, 'mintrans'],
      roadsSupervisor: [Role.Supervisor, 'mintrans'],
    },
  });
  const { ids: org, staff, call } = t;
  const status = async (res: Promise<Response>) => {
    const r = await res;
    return [r.status, r.status === 204 ? undefined : ((await r.json()) as { message: string }).message];
  };

  /** A phone appeal line 1 registered and escalated to the given ministries. */
  async function phoneAppeal(organisationIds: string[]): Promise<string> {
    const created = await call('POST', '/api/v1/appeals', staff.operator, {
      medium: 'phone',
      surname: 'Орлов',
      firstName: 'Пётр',
      patronymic: 'Ильич',
      phone: '+7 913 222-11-01',
      subject: 'Нет горячей воды, яма у подъезда',
      text: 'Звонок: в доме по ул. Мира, 8 неделю нет горячей воды, у подъезда яма на дороге.',
    });
    expect(created.status).toBe(201);
    const { id } = (await json(created)) as { id: string };
    const escalated = await call('POST', `/api/v1/appeals/${id}/escalate`, staff.operator, {
      organisationIds,
      topicId: org.housing,
      subject: 'Нет горячей воды, яма у подъезда',
    });
    expect([escalated.status, escalated.status === 204 ? '' : await escalated.text()]).toEqual([204, '']);
    return id;
  }

  it('keeps the answer to its own organisation: edit, approval, sending and hand-over', async () => {
    const shared = await phoneAppeal([org.minzhkh, org.mintrans]);
    const draft = (await json(
      call('POST', `/api/v1/appeals/${shared}/answers`, staff.housingClerk, {
        text: 'Горячая вода подана, управляющей компании выдано предписание.',
      }),
    )) as { id: string };
    const path = `/api/v1/appeals/${shared}/answers/${draft.id}`;
    // The roads ministry sees the appeal for its own part...
    expect((await call('GET', `/api/v1/appeals/${shared}`, staff.roadsSupervisor)).status).toBe(200);
    // ...but the housing ministry's draft is not its to change or approve.
    expect(await status(call('PATCH', path, staff.roadsSupervisor, { text: 'Чужая правка ответа' }))).toEqual(
      [403, 'Править проект может его автор или руководитель подразделения'],
    );
    expect(await status(call('POST', `${path}/approve`, staff.roadsSupervisor))).toEqual([
      403,
      'Согласовать ответ может руководитель или другой сотрудник организации',
    ]);
    expect(await status(call('POST', `${path}/discard`, staff.roadsSupervisor))).toEqual([
      403,
      'Отменить проект может его автор или руководитель подразделения',
    ]);
    expect(await status(call('POST', `${path}/approve`, staff.housingColleague))).toEqual([204, undefined]);
    const other = 'Ответ другой организации: его отправляет организация, давшая ответ';
    expect(await status(call('POST', `${path}/send`, staff.roadsClerk))).toEqual([403, other]);
    expect(await status(call('POST', `${path}/send`, staff.housingClerk))).toEqual([204, undefined]);
    const handover = { medium: 'phone' };
    expect(await status(call('POST', `${path}/handed-over`, staff.roadsClerk, handover))).toEqual([
      403,
      other,
    ]);

    // The roads clerk's own appeal in the path, the housing ministry's answer id after it.
    const own = await phoneAppeal([org.mintrans]);
    expect(
      await status(
        call('POST', `/api/v1/appeals/${own}/answers/${draft.id}/handed-over`, staff.roadsClerk, handover),
      ),
    ).toEqual([404, 'Ответ не найден']);
    const state = async () =>
      (await t.stack.db.dataSource.query(
        `SELECT delivery_state AS s FROM outbound_messages WHERE answer_id = $1`,
        [draft.id],
      )) as { s: string }[];
    expect(await state()).toEqual([{ s: 'awaiting-handover' }]);
    // Line 1 reads it out to the caller, as before.
    expect(await status(call('POST', `${path}/handed-over`, staff.operator, handover))).toEqual([
      204,
      undefined,
    ]);
    expect(await state()).toEqual([{ s: 'handed-over:phone' }]);
    // Nothing of the refused attempts is in the appeals' histories: one hand-over, on the shared appeal.
    expect(
      await t.stack.db.dataSource.query(
        `SELECT appeal_id AS "appealId" FROM appeal_events WHERE type = 'answer-handed-over' AND appeal_id = ANY($1)`,
        [[shared, own]],
      ),
    ).toEqual([{ appealId: shared }]);
  });

  // The failed-deliveries queue acts on an answer's delivery too: a roads clerk marked the housing ministry's
  // interrupted answer delivered (the citizen may never have had it) and sent it again.
  it("leaves another organisation's answer delivery alone: no retry, no «доставлено»", async () => {
    const shared = await phoneAppeal([org.minzhkh, org.mintrans]);
    const draft = (await json(
      call('POST', `/api/v1/appeals/${shared}/answers`, staff.housingClerk, { text: 'Горячая вода подана.' }),
    )) as { id: string };
    const answer = `/api/v1/appeals/${shared}/answers/${draft.id}`;
    expect(await status(call('POST', `${answer}/approve`, staff.housingColleague))).toEqual([204, undefined]);
    expect(await status(call('POST', `${answer}/send`, staff.housingClerk))).toEqual([204, undefined]);
    // Its delivery was interrupted: held as failed until someone finds out whether the citizen has it.
    // (TypeORM answers an UPDATE with [rows, count].)
    const [[message]] = (await t.stack.db.dataSource.query(
      `UPDATE outbound_messages SET status = 'failed', send_interrupted_at = now() WHERE answer_id = $1 RETURNING id`,
      [draft.id],
    )) as [{ id: string }[], number];
    const deliveries = `/api/v1/appeals/${shared}/deliveries/${message.id}`;
    // The queue lists it for the housing ministry, not for the roads ministry, whose part it is not.
    const queued = async (who: typeof staff.roadsClerk) =>
      ((await json(call('GET', '/api/v1/deliveries/failed', who))) as { id: string }[]).some(
        (m) => m.id === message.id,
      );
    expect([await queued(staff.housingClerk), await queued(staff.roadsClerk)]).toEqual([true, false]);
    const other = 'Ответ другой организации: его отправляет организация, давшая ответ';
    for (const action of ['mark-delivered', 'retry'])
      expect([action, ...(await status(call('POST', `${deliveries}/${action}`, staff.roadsClerk)))]).toEqual([
        action,
        403,
        other,
      ]);
    const denied = (await t.stack.db.dataSource.query(
      `SELECT action FROM audit_log WHERE user_id = $1 AND entity_id = $2 AND outcome = 'denied' ORDER BY id`,
      [staff.roadsClerk.userId, shared],
    )) as { action: string }[];
    expect(denied.map((d) => d.action)).toEqual(['mark-delivered', 'retry-delivery']);
    const [state] = (await t.stack.db.dataSource.query(`SELECT status FROM outbound_messages WHERE id = $1`, [
      message.id,
    ])) as { status: string }[];
    expect(state.status).toBe('failed');
    // The housing ministry, whose answer it is, marks it delivered.
    expect(await status(call('POST', `${deliveries}/mark-delivered`, staff.housingClerk))).toEqual([
      204,
      undefined,
    ]);
  });
});
