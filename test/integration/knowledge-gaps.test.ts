import { Role } from '@inbox/access';
import { staffStack } from '../support/staff-stack';
import { json } from '../support/test-stack';

/**
 * Gaps in the knowledge base from the appeals (R8): repeated questions that the topic owner's KB does not
 * answer are grouped and suggested; a clerk's answer "worth adding" becomes a request with an FAQ draft
 * (the applicant's salutation left out) and the appeal linked; appeals outside the scope never show.
 */
describe('knowledge base gaps', () => {
  const t = staffStack({
    organisations: { minzhkh: 'minzhkh', mintrans: 'mintrans' },
    topics: { housing: 'housing', roads: 'roads' },
    staff: {
      operator: [Role.Operator, 'cur'],
      housingClerk: [Role.Clerk, 'minzhkh'],
      housingHead: [Role.Head, 'minzhkh'],
      roadsClerk: [Role.Clerk, 'mintrans'],
    },
  });
  const { ids: org, staff, call } = t;

  async function register(subject: string, text: string, topicId: string): Promise<string> {
    const res = await call('POST', '/api/v1/appeals', staff.operator, {
      medium: 'phone',
      surname: 'Соколова',
      firstName: 'Анна',
      patronymic: 'Игоревна',
      phone: '+7 913 777-66-55',
      subject,
      text,
      topicId,
    });
    expect(res.status).toBe(201);
    return (await json(res)).id;
  }

  it("suggests repeated questions the owner has no article for, within the caller's scope", async () => {
    const ids: string[] = [];
    for (const street of ['Ленина, 5', 'Гоголя, 3', 'Мира, 12']) {
      ids.push(
        await register(
          'Перерасчёт платы за отопление',
          `Дом по ул. ${street}: всю зиму в квартире холодно. Положен ли перерасчёт платы за отопление и как его получить?`,
          org.housing,
        ),
      );
    }
    await register(
      'Яма на дороге',
      'На ул. Ленина яма на проезжей части, машины пробивают колёса.',
      org.roads,
    );

    const groups = await json(call('GET', '/api/v1/knowledge/gaps/repeated', staff.operator));
    expect(groups).toEqual([
      expect.objectContaining({
        reason: 'no-article-for-topic',
        organisationId: org.minzhkh,
        topicId: org.housing,
        count: 3,
        suggestedSubject: 'ЖКХ: Перерасчёт платы за отопление',
      }),
    ]);
    expect([...groups[0].appealIds].sort()).toEqual([...ids].sort());
    // The roads clerk's scope holds none of them.
    expect(await json(call('GET', '/api/v1/knowledge/gaps/repeated', staff.roadsClerk))).toEqual([]);

    // One click: a request from the appeals stream, with the appeals linked; they are no longer suggested.
    const request = await json(
      call('POST', '/api/v1/knowledge/requests', staff.operator, {
        organisationId: org.minzhkh,
        subject: groups[0].suggestedSubject,
        appealIds: groups[0].appealIds,
        fromAppealsStream: true,
      }),
    );
    expect(request).toMatchObject({ origin: 'appeals-stream', status: 'sent', organisationId: org.minzhkh });
    expect(await json(call('GET', '/api/v1/knowledge/gaps/repeated', staff.operator))).toEqual([]);
    // The department head may approve it in the responsible person's stead, with the text written now.
    const approved = await json(
      call('POST', `/api/v1/knowledge/requests/${request.id}/approve`, staff.housingHead, {
        proposed: {
          kind: 'faq',
          title: 'Перерасчёт за некачественное отопление',
          question: 'Положен ли перерасчёт платы за отопление, если в квартире холодно?',
          body: 'Да: по акту замера температуры плата снижается на 0,15 % за каждый градус ниже нормы за каждый час.',
          topicId: org.housing,
        },
      }),
    );
    // The organisation had no section for the topic: one named after it holds the new article.
    expect(approved).toMatchObject({ status: 'approved', sectionTitle: 'ЖКХ' });
  });

  it('turns an answer worth adding into a request with an FAQ draft, the appeal linked', async () => {
    const appealId = await register(
      'Когда включат отопление',
      'Когда в нашем доме включат отопление? На улице уже холодно.',
      org.housing,
    );
    expect(
      (
        await call('POST', `/api/v1/appeals/${appealId}/escalate`, staff.operator, {
          organisationIds: [org.minzhkh],
        })
      ).status,
    ).toBe(204);
    const { id: answerId } = await json(
      call('POST', `/api/v1/appeals/${appealId}/answers`, staff.housingClerk, {
        text: 'Уважаемая Анна Игоревна!\nОтопительный период начинается после пяти дней со среднесуточной температурой ниже +8 °C.',
      }),
    );
    // Another organisation's clerk cannot offer this appeal's answer.
    expect(
      (
        await call('POST', `/api/v1/knowledge/appeals/${appealId}/worth-adding`, staff.roadsClerk, {
          answerId,
        })
      ).status,
    ).toBe(404);
    const res = await call('POST', `/api/v1/knowledge/appeals/${appealId}/worth-adding`, staff.housingClerk, {
      answerId,
      comment: 'Часто спрашивают осенью',
    });
    expect(res.status).toBe(201);
    const request = await json(res);
    expect(request).toMatchObject({
      origin: 'worth-adding',
      status: 'sent',
      organisationId: org.minzhkh,
      appealIds: [appealId],
      proposed: {
        kind: 'faq',
        question: 'Когда включат отопление',
        body: 'Отопительный период начинается после пяти дней со среднесуточной температурой ниже +8 °C.',
      },
    });
    expect(request.details).toContain('Часто спрашивают осенью');
    // On an appeal both departments hold, the other one's clerk may not offer this department's answer: refused,
    // and on record as denied with the answering organisation.
    const shared = await register(
      'Холодно в квартире',
      'В квартире холодно, а во дворе яма на дороге.',
      org.housing,
    );
    await call('POST', `/api/v1/appeals/${shared}/escalate`, staff.operator, {
      organisationIds: [org.minzhkh, org.mintrans],
    });
    const { id: housingAnswer } = await json(
      call('POST', `/api/v1/appeals/${shared}/answers`, staff.housingClerk, { text: 'Ответ по отоплению.' }),
    );
    expect(
      (
        await call('POST', `/api/v1/knowledge/appeals/${shared}/worth-adding`, staff.roadsClerk, {
          answerId: housingAnswer,
        })
      ).status,
    ).toBe(403);
    expect(
      await t.stack.db.dataSource.query(
        `SELECT entity_id AS "entityId", details FROM audit_log
          WHERE user_id = $1 AND action = 'kb-worth-adding' AND outcome = 'denied' ORDER BY id`,
        [staff.roadsClerk.userId],
      ),
    ).toEqual([
      { entityId: appealId, details: {} },
      { entityId: shared, details: { organisationId: org.minzhkh } },
    ]);
    // Once is enough while the request is open.
    expect(
      (
        await call('POST', `/api/v1/knowledge/appeals/${appealId}/worth-adding`, staff.housingClerk, {
          answerId,
        })
      ).status,
    ).toBe(409);
  });
});
