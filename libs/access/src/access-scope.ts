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
