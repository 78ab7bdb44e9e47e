import { posStatusUpdate, type PosStatusContext } from './pos-status';

const ctx: PosStatusContext = {
  externalId: '563006500',
  timeZone: 'Asia/Novosibirsk',
  organisations: new Map([
    ['org-cur', { code: 'cur', name: 'ЦУР' }],
    ['org-zhkh', { code: 'minzhkh', name: 'МинЖКХ' }],
    ['org-region', { code: 'region', name: 'Правительство области' }],
  ]),
  posIds: { minzhkh: '220511' },
};
const at = '2026-11-20T05:00:00.000Z';

describe('posStatusUpdate', () => {
  it('reports taking to work, but not a re-assignment of an appeal already in work', () => {
    expect(
      posStatusUpdate({ type: 'taken', data: { from: 'registered', to: 'in_work' }, occurredAt: at }, ctx),
    ).toEqual({
      update: { externalId: '563006500', at, status: 'taken-to-work', comment: 'Обращение взято в работу' },
    });
    expect(
      posStatusUpdate({ type: 'taken', data: { from: 'in_work', to: 'in_work' }, occurredAt: at }, ctx),
    ).toBeUndefined();
  });

  it('postpones to the new planned date, with the date in the region and the reason', () => {
    const decision = posStatusUpdate(
      {
        type: 'extended',
        data: { answerDueAt: '2026-12-04T16:59:59.999Z', reason: 'Запрошены документы' },
        occurredAt: at,
      },
      ctx,
    );
    expect(decision).toEqual({
      update: {
        externalId: '563006500',
        at,
        status: 'postponed',
        plannedAnswerAt: '2026-12-04T16:59:59.999Z',
        comment: 'Срок рассмотрения продлён до 04.12.2026. Причина: Запрошены документы',
      },
    });
  });

  it('forwards down to the first escalated organisation ПОС knows, and says why when it knows none', () => {
    expect(
      posStatusUpdate(
        { type: 'escalated', data: { organisationIds: ['org-cur', 'org-zhkh'] }, occurredAt: at },
        ctx,
      ),
    ).toEqual({
      update: expect.objectContaining({ status: 'forwarded-down', organisationExternalId: '220511' }),
    });
    expect(
      posStatusUpdate({ type: 'escalated', data: { organisationIds: ['org-cur'] }, occurredAt: at }, ctx),
    ).toEqual({
      skip: expect.stringContaining('POS_ORGANISATIONS'),
    });
  });

  it('forwards up on a reopening, naming the superior organisation, with its ПОС id only when mapped', () => {
    const up = posStatusUpdate(
      { type: 'reopened', data: { toOrganisationId: 'org-region' }, occurredAt: at },
      ctx,
    );
    expect(up).toEqual({
      update: {
        externalId: '563006500',
        at,
        status: 'forwarded-up',
        comment: 'Направлено на повторное рассмотрение в вышестоящую организацию: Правительство области',
      },
    });
    const mapped = posStatusUpdate(
      { type: 'reopened', data: { toOrganisationId: 'org-zhkh' }, occurredAt: at },
      ctx,
    ) as { update: { organisationExternalId?: string } };
    expect(mapped.update.organisationExternalId).toBe('220511');
  });

  it('ignores what ПОС does not track (the answer goes through delivery)', () => {
    expect(posStatusUpdate({ type: 'answered', data: {}, occurredAt: at }, ctx)).toBeUndefined();
    expect(posStatusUpdate({ type: 'classified', data: {}, occurredAt: at }, ctx)).toBeUndefined();
  });
});
