import { Role } from './roles';
import { type AccessScope, appealScopeSql, organisationScopeSql, SYSTEM_SCOPE } from './access-scope';

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

describe('organisationScopeSql', () => {
  it('adds nothing for a scope that sees everything', () => {
    const params: unknown[] = [];
    expect(organisationScopeSql(SYSTEM_SCOPE, params, 'm.organisation_id')).toBe('TRUE');
    expect(params).toEqual([]);
  });

  it('binds the organisations as the next parameter against the given column', () => {
    const params: unknown[] = ['first', 'second'];
    expect(organisationScopeSql({ organisationIds: ['o1'] }, params, 'p.organisation_id')).toBe(
      'p.organisation_id = ANY($3::uuid[])',
    );
    expect(params).toEqual(['first', 'second', ['o1']]);
  });
});
