import { type AuditEntry, type AuditLog } from './audit-log.repository';
import { DomainError } from '@inbox/common';

/**
 * Runs an action; a refusal of scope or rights in it is audited as denied — who tried what, on which thing (ids
 * only) — then passes on, as every refusal of scope is (appeals, answer templates, the knowledge base, users).
 * A refusal is a `forbidden` error, or a `not-found` one: out of the caller's scope and absent are the same 404,
 * and an attempt on another organisation's thing is on record whichever of the two it got. An error may carry
 * more ids for the record in `audit` (a workflow command's: the other organisation's user an assignment named).
 * Recorded after `work` has ended, so a refusal thrown inside a transaction is written once it is rolled back and
 * its connection released (a record from inside it would wait for a second connection while holding the first).
 */
export async function refusalOnRecord<T>(
  audit: AuditLog,
  entry: Omit<AuditEntry, 'outcome'>,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError && (error.code === 'forbidden' || error.code === 'not-found')) {
      const ids = (error as { audit?: Record<string, unknown> }).audit;
      await audit.record({
        ...entry,
        outcome: 'denied',
        ...(ids ? { details: { ...entry.details, ...ids } } : {}),
      });
    }
    throw error;
  }
}

/** Refuses at once (a check before any work): the refusal on record as denied, then thrown. */
export function refusedOnRecord(
  audit: AuditLog,
  entry: Omit<AuditEntry, 'outcome'>,
  refusal: DomainError,
): Promise<never> {
  return refusalOnRecord(audit, entry, () => Promise.reject(refusal));
}
