import { Role } from './roles';
import { type AccessScope, appealScopeSql, SYSTEM_SCOPE } from './access-scope';

describe('appealScopeSql', () => {
  it('adds nothing for a scope that sees everything', () => {
    const params: unknown[] = ['x'];
    expect(appealScopeSql(SYSTEM_SCOPE, params)).toBe('TRUE');
    expect(params).toEqual(['x']);
  });

  it('binds the organisations as the next parameter and filters by the given alias', () => {
    const scope: AccessScope = {
      userId: 'u',
      role: Role.Clerk,
      organisationId: 'o1',
      organisationIds: ['o1', 'o2'],
    };
    const params: unknown[] = ['first'];
    const sql = appealScopeSql(scope, params, 'ap');
    expect(params).toEqual(['first', ['o1', 'o2']]);
    expect(sql).toContain('scope_ao.appeal_id = ap.id');
    expect(sql).toContain('ANY($2::uuid[])');
  });
});
