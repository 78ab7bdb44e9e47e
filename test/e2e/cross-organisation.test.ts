import { Role } from '@inbox/access';
import { staffStack } from '../support/staff-stack';
import { json } from '../support/test-stack';

/**
 * Two organisations holding parts of one appeal work side by side: each sees the appeal, neither runs the
 * other's part. A clerk of one could reassign the other's part to someone else of that organisation (or the
 * appeal to a line-1 operator), because the assignee only had to belong to an organisation holding the appeal.
 */
describe('one organisation does not run another one’s part of a shared appeal (e2e)', () => {
  const t = staffStack({
    organisations: { minzhkh: 'minzhkh', mintrans: 'mintrans' },
    topics: { housing: 'housing' },
    staff: {
      operator: [Role.Operator, 'cur'],
      otherOperator: [Role.Operator, 'cur'],
      clerk: [Role.Clerk, 'minzhkh'],
      head: [Role.Head, 'minzhkh'],
      roadsClerk: [Role.Clerk, 'mintrans'],
      roadsColleague: [Role.Clerk, 'mintrans'],
    },
  });
  const { ids: org, staff, call } = t;

  async function shared(): Promise<string> {
    const created = await json(
      call('POST', '/api/v1/appeals', staff.operator, {
        medium: 'phone',
        surname: 'Соколова',
        firstName: 'Анна',
        patronymic: 'Игоревна',
        phone: '+79137776655',
        subject: 'Нет отопления, яма у дома',
        text: 'С 20 ноября в квартире холодные батареи, у подъезда яма на дороге.',
        topicId: org.housing,
      }),
    );
    const escalated = await call('POST', `/api/v1/appeals/${created.id}/escalate`, staff.operator, {
      organisationIds: [org.minzhkh, org.mintrans],
    });
    expect(escalated.status).toBe(204);
    return created.id as string;
  }

  const partAssignees = async (id: string) =>
    Object.fromEntries(
      (
        (await json(call('GET', `/api/v1/appeals/${id}`, staff.operator))).organisations as {
          code: string;
          assigneeId: string | null;
        }[]
      ).map((p) => [p.code, p.assigneeId]),
    );

  it("refuses a clerk or head assigning another organisation's staff; the organisation and line 1 still may", async () => {
    const id = await shared();
    expect((await call('POST', `/api/v1/appeals/${id}/take`, staff.roadsClerk)).status).toBe(204);

    for (const who of [staff.clerk, staff.head]) {
      const res = await call('POST', `/api/v1/appeals/${id}/assign`, who, {
        userId: staff.roadsColleague.userId,
      });
      expect(res.status).toBe(403);
      expect((await json(res)).errors).toEqual({
        userId: 'Сотрудник организации вне вашей области видимости',
      });
      const toLine1 = await call('POST', `/api/v1/appeals/${id}/assign`, who, {
        userId: staff.otherOperator.userId,
      });
      expect(toLine1.status).toBe(403);
    }
    expect((await partAssignees(id)).mintrans).toBe(staff.roadsClerk.userId);

    // The organisation reassigns its own part; line 1 assigns anyone's staff, as before.
    expect(
      (
        await call('POST', `/api/v1/appeals/${id}/assign`, staff.roadsClerk, {
          userId: staff.roadsColleague.userId,
        })
      ).status,
    ).toBe(204);
    expect((await partAssignees(id)).mintrans).toBe(staff.roadsColleague.userId);
    expect(
      (await call('POST', `/api/v1/appeals/${id}/assign`, staff.head, { userId: staff.clerk.userId })).status,
    ).toBe(204);
    expect(
      (
        await call('POST', `/api/v1/appeals/${id}/assign`, staff.operator, {
          userId: staff.roadsClerk.userId,
        })
      ).status,
    ).toBe(204);
    expect(await partAssignees(id)).toMatchObject({
      minzhkh: staff.clerk.userId,
      mintrans: staff.roadsClerk.userId,
    });
  });
});
