import { type AuditEntry, type AuditLog } from './audit-log.repository';
import { DomainError } from '@inbox/common';

/**
 * Runs an action; a refusal of scope or rights in it (a `forbidden` error) is audited as denied —
 * who tried what, on which thing (ids only) — then passes on, as every refusal of scope is (appeals, answer templates, the knowledge base, users).
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
    if (error instanceof DomainError && error.code === 'forbidden') {
      await audit.record({ ...entry, outcome: 'denied' });
    }
    throw error;
  }
}
