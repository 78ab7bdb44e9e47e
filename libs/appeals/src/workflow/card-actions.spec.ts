import { Role } from '@inbox/access';
import { type Actor } from './actor';
import { cardActions, type CardFacts } from './card-actions';
import { redirectLate } from './rules';

const CUR = 'org-cur';
const MINZHKH = 'org-minzhkh';
const MINTRANS = 'org-mintrans';

function actor(role: Role, organisationId: string, organisationIds: string[] | null): Actor {
  return {
    userId: `u-${role}`,
    role,
    organisationId,
    scope: { userId: `u-${role}`, role, organisationId, organisationIds },
  };
}

const STAFF = {
  operator: actor(Role.Operator, CUR, null),
  regionSupervisor: actor(Role.Supervisor, 'org-region', null),
  head: actor(Role.Head, MINZHKH, [MINZHKH]),
  clerk: actor(Role.Clerk, MINZHKH, [MINZHKH]),
  admin: actor(Role.Admin, CUR, null),
};

/** An appeal line 1 leads, passed to the housing ministry (its part active) and to transport (returned). */
const ESCALATED: CardFacts = {
  organisationId: CUR,
  regime: 'appeal',
  readOnly: false,
  organisations: [
    { id: CUR, line: 1, state: 'active' },
    { id: MINZHKH, line: 2, state: 'active' },
    { id: MINTRANS, line: 2, state: 'returned' },
  ],
};

describe('cardActions: the card offers what the commands allow each role', () => {
  it('offers an administrator no casework: they keep accounts and settings, not appeals', () => {
    // Registering, escalating, assigning and extending were left to them beside «Взять в работу» and the answer.
    for (const facts of [ESCALATED, { ...ESCALATED, organisations: [{ id: CUR, line: 2, state: 'active' }] }])
      expect(Object.values(cardActions(STAFF.admin, facts)).some(Boolean)).toBe(false);
  });

  it('gives line 1 the whole appeal, and the line-2 actions to the organisation whose part is active', () => {
    expect(cardActions(STAFF.operator, ESCALATED)).toMatchObject({
      mayTake: true,
      mayEscalate: true,
      mayRedirect: true,
      mayReturn: false,
      mayExtendLine2: false,
      mayClose: true,
      mayRate: true,
    });
    expect(cardActions(STAFF.clerk, ESCALATED)).toMatchObject({
      mayTake: true,
      mayEscalate: false,
      mayRedirect: false,
      mayAssign: true,
      mayReturn: true,
      mayExtendLine2: true,
      mayClose: true,
      mayRate: false,
    });
    expect(cardActions(STAFF.head, ESCALATED)).toMatchObject({
      mayReturn: true,
      mayEscalate: false,
      mayRate: false,
    });
    // A part already returned is not returned (nor its term extended) again.
    const transport = actor(Role.Clerk, MINTRANS, [MINTRANS]);
    expect(cardActions(transport, ESCALATED)).toMatchObject({ mayReturn: false, mayExtendLine2: false });
    expect(cardActions(STAFF.regionSupervisor, ESCALATED)).toMatchObject({
      mayTake: true,
      mayRedirect: true,
      mayReturn: false,
      mayRate: true,
    });
  });

  it('offers no 59-ФЗ extension for a message outside 59-ФЗ; the line-2 term stays', () => {
    const message = { ...ESCALATED, regime: 'message' };
    for (const who of Object.values(STAFF)) expect(cardActions(who, message).mayExtendAppeal).toBe(false);
    expect(cardActions(STAFF.clerk, message).mayExtendLine2).toBe(true);
  });

  it('offers nothing to an organisation that only reads the appeal', () => {
    const readOnly = cardActions(STAFF.clerk, { ...ESCALATED, readOnly: true });
    expect(Object.values(readOnly).every((may) => may === false)).toBe(true);
  });
});

describe('redirectLate: the 7-day redirect term binds a 59-ФЗ appeal, not a message', () => {
  it('records a late redirect of an appeal only; a message outside 59-ФЗ has no such term', () => {
    const due = '2026-11-26T16:59:59.999Z';
    const after = new Date('2026-12-01T03:00:00Z');
    expect(redirectLate({ regime: 'appeal', redirect_due_at: due }, after)).toBe(true);
    expect(redirectLate({ regime: 'appeal', redirect_due_at: due }, new Date('2026-11-20T03:00:00Z'))).toBe(
      false,
    );
    expect(redirectLate({ regime: 'message', redirect_due_at: due }, after)).toBe(false);
  });
});
