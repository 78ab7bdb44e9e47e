import { type AuditEntry, type StaffContext } from '@inbox/access';

/**
 * The audit log entry of a staff member's action on one thing: who, what, on which; details are ids and field
 * names only, never personal data.
 */
export function staffAction(
  staff: StaffContext,
  action: string,
  entityType: string,
  entityId: string | null,
  details?: Record<string, unknown>,
): AuditEntry {
  return { userId: staff.user.id, action, entityType, entityId, ...(details ? { details } : {}) };
}

/** A staff member refused something (out of scope, or no such thing): the same entry, the attempt on record. */
export function staffDenied(...entry: Parameters<typeof staffAction>): AuditEntry {
  return { ...staffAction(...entry), outcome: 'denied' };
}
