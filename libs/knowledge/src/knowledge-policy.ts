import { type AccessScope, canSeeOrganisation, Role } from '@inbox/access';
import { type ChangeRequestOrigin } from './knowledge.types';

/** Who is acting on the knowledge base: the staff member, their organisation's kind and their scope. */
export interface KnowledgeActor {
  userId: string;
  role: Role;
  organisationId: string;
  /** organisations.kind of the actor's organisation ('management-centre', 'department', …). */
  organisationKind: string;
  scope: AccessScope;
}

/** Heads of an organisation: a department head or a supervisor, within their scope. */
function leads(actor: KnowledgeActor, organisationId: string): boolean {
  return (
    (actor.role === Role.Supervisor || actor.role === Role.Head) &&
    canSeeOrganisation(actor.scope, organisationId)
  );
}

/** The management centre (ЦУР/ЕКЦ) keeps the KB: it requests changes anywhere and enters approved ones. */
export function isManagementCentre(actor: KnowledgeActor): boolean {
  return actor.organisationKind === 'management-centre';
}

/**
 * An organisation's own staff (its scope) edit its sections; region-wide staff edit their own organisation's,
 * and an administrator any. The management centre changes other organisations' sections only by a request.
 */
export function canManageSections(actor: KnowledgeActor, organisationId: string): boolean {
  if (actor.role === Role.Admin) return true;
  if (leads(actor, organisationId)) return true;
  if (actor.scope.organisationIds !== null) return actor.scope.organisationIds.includes(organisationId);
  return actor.organisationId === organisationId;
}

/** A change may be asked for by the organisation itself or by the management centre (S0 annex 2 п. 2.1). */
export function canRequestChange(actor: KnowledgeActor, organisationId: string): boolean {
  return (
    canManageSections(actor, organisationId) || isManagementCentre(actor) || actor.role === Role.Operator
  );
}

export function originOf(actor: KnowledgeActor, organisationId: string): ChangeRequestOrigin {
  if (isManagementCentre(actor) && actor.organisationId !== organisationId) return 'management-centre';
  return canManageSections(actor, organisationId) ? 'organisation' : 'management-centre';
}

/**
 * S1 п. 3.1, S0 п. 3.2.4: the organisation's responsible person approves; its head or a supervisor whose scope
 * covers the organisation stands in (absence, no one named yet); an administrator may too.
 */
export function canApprove(
  actor: KnowledgeActor,
  organisationId: string,
  responsibleUserId: string | null,
): boolean {
  if (actor.role === Role.Admin) return true;
  if (responsibleUserId && actor.userId === responsibleUserId) return true;
  return leads(actor, organisationId);
}

/** S0 annex 2 п. 2.4: the management centre's KB specialist enters approved changes. */
export function canPublish(actor: KnowledgeActor): boolean {
  return actor.role === Role.Admin || isManagementCentre(actor);
}

/** Who names the responsible person and allows the public FAQ: the organisation's supervisor or an admin. */
export function canConfigure(actor: KnowledgeActor, organisationId: string): boolean {
  return actor.role === Role.Admin || leads(actor, organisationId);
}
