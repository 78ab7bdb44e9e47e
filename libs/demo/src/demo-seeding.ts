import { type DataSource, type EntityManager } from 'typeorm';
import { AuditLog } from '@inbox/access';

/**
 * Seeds demo rows idempotently, in one transaction under an advisory lock (two processes seeding at once insert
 * once). `insert` returns the new row's id, or undefined when the row is there already (left as someone may have
 * edited it) or cannot be made; each new row is written to the audit log as the demo seed's. Returns how many
 * were created.
 */
export function seedDemoRows<T>(
  ds: DataSource,
  lock: string,
  rows: readonly T[],
  audit: { action: string; entityType: string },
  insert: (tx: EntityManager, row: T) => Promise<string | undefined>,
): Promise<number> {
  const log = new AuditLog(ds);
  return ds.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [lock]);
    let created = 0;
    for (const row of rows) {
      const id = await insert(tx, row);
      if (id === undefined) continue;
      await log.record({ userId: null, ...audit, entityId: id, details: { source: 'demo-seed' } }, tx);
      created++;
    }
    return created;
  });
}
