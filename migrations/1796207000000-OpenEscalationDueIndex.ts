import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 18: the clock sweep's escalation part reads `appeals_escalation_due_idx` by due time up to now + lead, for
 * the appeals line 1 still holds (status registered or in_work). The index held every line-1 appeal that ever had
 * an escalation term, closed ones included: a range to now read them all, years of them, and dropped the closed
 * ones by a filter on the table's rows. It now holds only the appeals that part reads (the condition as the sweep
 * writes it, so the planner can prove it): it grows with the open line-1 work, not with the history. An appeal
 * leaving those statuses leaves the index with the update that moves it.
 *
 * Built inside the migration's transaction (not CONCURRENTLY: that waits for every session holding a snapshot);
 * writes to `appeals` wait for the build (one read of the table), reads go on.
 */
export class OpenEscalationDueIndex1796207000000 implements MigrationInterface {
  name = 'OpenEscalationDueIndex1796207000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX appeals_escalation_due_idx;
      CREATE INDEX appeals_escalation_due_idx ON appeals(escalation_due_at)
        WHERE escalation_due_at IS NOT NULL AND line = 1 AND status IN ('registered', 'in_work');
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX appeals_escalation_due_idx;
      CREATE INDEX appeals_escalation_due_idx ON appeals(escalation_due_at)
        WHERE escalation_due_at IS NOT NULL AND line = 1;
    `);
  }
}
