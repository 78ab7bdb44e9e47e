import { Role } from './roles';

/**
 * What a signed-in person may see and change, resolved once per request and passed down to the data layer,
 * which filters by it: a clerk of organisation A never gets a row of organisation B, whatever the controller.
 */
export interface AccessScope {
  userId: string;
  role: Role;
  organisationId: string;
  /** Organisations whose appeals are visible; null means all (line 1, regional supervisors, admins). */
  organisationIds: string[] | null;
}

export function seesEverything(scope: AccessScope): boolean {
  return scope.organisationIds === null;
}

export function canSeeOrganisation(scope: AccessScope, organisationId: string): boolean {
  return scope.organisationIds === null || scope.organisationIds.includes(organisationId);
}

/** The system itself (workers, imports): sees everything, acts as nobody in particular. */
export const SYSTEM_SCOPE: AccessScope = {
  userId: 'system',
  role: Role.Admin,
  organisationId: 'system',
  organisationIds: null,
};

/**
 * The one organisation-scope predicate that every appeal query composes (list, card, search, reports, stream,
 * flags, incidents, suggestions): an appeal is visible when an organisation in the scope holds or held it.
 * Appends its parameter to `params` and returns the SQL to AND into the query's WHERE.
 */
export function appealScopeSql(scope: AccessScope, params: unknown[], appealAlias = 'a'): string {
  if (scope.organisationIds === null) return 'TRUE';
  params.push(scope.organisationIds);
  return `EXISTS (SELECT 1 FROM appeal_organisations scope_ao WHERE scope_ao.appeal_id = ${appealAlias}.id AND scope_ao.organisation_id = ANY($${params.length}::uuid[]))`;
}

/**
 * Within that scope, where the applicant's personal data may be read (their names and contacts, the address,
 * notes, answers and answer files): an organisation of the scope is responsible for the appeal or holds a part
 * that is active or answered. One that returned its part, or whose part was closed, reads the appeal without
 * them (the card's rule) — and so finds it by no surname, phone or e-mail either. Appends its parameter to
 * `params` and returns the SQL to AND into the query's WHERE (`TRUE` when the scope sees everything).
 */
export function appealPersonalDataScopeSql(
  scope: Pick<AccessScope, 'organisationIds'>,
  params: unknown[],
  appealAlias = 'a',
): string {
  if (scope.organisationIds === null) return 'TRUE';
  params.push(scope.organisationIds);
  const orgs = `$${params.length}::uuid[]`;
  return `(${appealAlias}.organisation_id = ANY(${orgs}) OR EXISTS (SELECT 1 FROM appeal_organisations pd_ao
    WHERE pd_ao.appeal_id = ${appealAlias}.id AND pd_ao.organisation_id = ANY(${orgs})
      AND pd_ao.state IN ('active', 'answered')))`;
}

/**
 * The same scope as a tsquery over the appeals' search index (migration AppealSearchScopeIndex: 'o#' and each
 * organisation holding a part of the appeal, kept from `appeal_organisations` by a trigger), to AND into a search
 * so that the index scan itself keeps to the scope; null when the scope sees everything. The query keeps
 * appealScopeSql as well: this only narrows what the index hands over.
 */
export function appealScopeLexemes(scope: Pick<AccessScope, 'organisationIds'>): string | null {
  if (scope.organisationIds === null) return null;
  // No organisation: a lexeme no appeal has ('o#' alone).
  if (scope.organisationIds.length === 0) return `'o#'`;
  return scope.organisationIds.map((id) => `'o#${id.replace(/['\\]/g, '\\$&')}'`).join(' | ');
}

/**
 * The same scope inside the per-organisation search index (migration AppealSearchPerOrganisation): the tsquery
 * `tsquerySql` with each of its lexemes (words, hour buckets, statuses) turned into the OR of it under every
 * organisation of the scope, to match `appeal_scope_search_terms(…)`, whose lexemes are those of the appeal
 * under each organisation holding a part — so the index reads the scope's own postings, not the table's. Appends
 * its parameter to `params`; null when the scope sees everything or holds no organisation (appealScopeLexemes
 * then). The query keeps appealScopeSql as well.
 */
export function appealScopeTsquerySql(
  scope: Pick<AccessScope, 'organisationIds'>,
  params: unknown[],
  tsquerySql: string,
): string | null {
  if (!scope.organisationIds?.length) return null;
  params.push(scope.organisationIds);
  return `appeal_scope_tsquery(${tsquerySql}, $${params.length}::uuid[])`;
}

/**
 * The same scope for rows that belong to one organisation rather than to an appeal (a clock mark at an
 * organisation, a poor-rating record of one): visible when that organisation is in the scope. Appends its
 * parameter to `params` and returns the SQL to AND into the query's WHERE.
 */
export function organisationScopeSql(
  scope: Pick<AccessScope, 'organisationIds'>,
  params: unknown[],
  organisationColumn: string,
): string {
  if (scope.organisationIds === null) return 'TRUE';
  params.push(scope.organisationIds);
  return `${organisationColumn} = ANY($${params.length}::uuid[])`;
}
