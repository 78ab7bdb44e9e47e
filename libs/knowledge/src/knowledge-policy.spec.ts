import { Role } from '@inbox/access';
import {
  canApprove,
  canManageSections,
  canPublish,
  canRequestChange,
  type KnowledgeActor,
  originOf,
} from './knowledge-policy';

const HOUSING = '00000000-0000-4000-8000-000000000001';
const ROADS = '00000000-0000-4000-8000-000000000002';
const CUR = '00000000-0000-4000-8000-000000000003';

const clerk: KnowledgeActor = {
  userId: 'u-clerk',
  role: Role.Clerk,
  organisationId: HOUSING,
  organisationKind: 'department',
  scope: { userId: 'u-clerk', role: Role.Clerk, organisationId: HOUSING, organisationIds: [HOUSING] },
};
const operator: KnowledgeActor = {
  userId: 'u-op',
  role: Role.Operator,
  organisationId: CUR,
  organisationKind: 'management-centre',
  scope: { userId: 'u-op', role: Role.Operator, organisationId: CUR, organisationIds: null },
};
const roadsSupervisor: KnowledgeActor = {
  userId: 'u-sup',
  role: Role.Supervisor,
  organisationId: ROADS,
  organisationKind: 'department',
  scope: { userId: 'u-sup', role: Role.Supervisor, organisationId: ROADS, organisationIds: [ROADS] },
};

describe('knowledge base policy', () => {
  it('lets an organisation edit only its own sections; the centre asks by a request', () => {
    expect(canManageSections(clerk, HOUSING)).toBe(true);
    expect(canManageSections(clerk, ROADS)).toBe(false);
    expect(canManageSections(operator, HOUSING)).toBe(false);
    expect(canRequestChange(operator, HOUSING)).toBe(true);
    expect(canRequestChange(clerk, ROADS)).toBe(false);
    expect(originOf(operator, HOUSING)).toBe('management-centre');
    expect(originOf(clerk, HOUSING)).toBe('organisation');
  });

  it('has the responsible person approve, a supervisor of the organisation stand in, the centre publish', () => {
    expect(canApprove(clerk, HOUSING, 'u-clerk')).toBe(true);
    expect(canApprove(clerk, HOUSING, 'someone-else')).toBe(false);
    expect(canApprove(roadsSupervisor, ROADS, 'someone-else')).toBe(true);
    expect(canApprove(roadsSupervisor, HOUSING, null)).toBe(false);
    const housingHead = { ...clerk, userId: 'u-head', role: Role.Head };
    expect(canApprove(housingHead, HOUSING, 'u-clerk')).toBe(true);
    expect(canApprove(housingHead, ROADS, null)).toBe(false);
    expect(canPublish(operator)).toBe(true);
    expect(canPublish(clerk)).toBe(false);
  });
});
