import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository, whereClause } from '@inbox/database';

export interface AuditEntry {
  userId: string | null;
  action: string;
  entityType: string;
  entityId?: string | null;
  outcome?: 'ok' | 'denied';
  /** Ids and field names only: never the personal data itself. */
  details?: Record<string, unknown>;
}

export interface AuditRow {
  id: string;
  at: Date;
  userId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  outcome: 'ok' | 'denied';
  details: Record<string, unknown>;
}

/**
 * R10: every read of an applicant's personal data and every change, kept append-only (`audit_log`). A change
 * passes its transaction, so the row commits or rolls back with it.
 */
@Injectable()
export class AuditLog extends SqlRepository {
  async record(entry: AuditEntry, db: Db = this.pool): Promise<void> {
    await this.rows(
      `INSERT INTO audit_log (user_id, action, entity_type, entity_id, outcome, details) VALUES ($1,$2,$3,$4,$5,$6)`,
      [
        entry.userId && entry.userId !== 'system' ? entry.userId : null,
        entry.action,
        entry.entityType,
        entry.entityId ?? null,
        entry.outcome ?? 'ok',
        entry.details ?? {},
      ],
      db,
    );
  }

  async list(filter: {
    entityType?: string;
    entityId?: string;
    userId?: string;
    limit?: number;
  }): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of [
      ['entity_type', filter.entityType],
      ['entity_id', filter.entityId],
      ['user_id', filter.userId],
    ] as const) {
      if (value) {
        params.push(value);
        where.push(`${column} = $${params.length}`);
      }
    }
    params.push(Math.min(filter.limit ?? 100, 1000));
    return this.rows<AuditRow>(
      `SELECT id, at, user_id AS "userId", action, entity_type AS "entityType", entity_id AS "entityId", outcome,
              details FROM audit_log ${whereClause(where)}
        ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
  }
}
