import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface AuditEntry {
  userId: string | null;
  action: string;
  entityType: string;
  entityId?: string | null;
  outcome?: 'ok' | 'denied';
  /** Ids and field names only: never the personal data itself. */
  details?: Record<string, unknown>;
}

/** R10: every read of an applicant's personal data and every change, kept append-only. */
@Injectable()
export class AuditLog {
  constructor(private readonly dataSource: DataSource) {}

  async record(entry: AuditEntry, db: EntityManager = this.dataSource.manager): Promise<void> {
    await db.query(
      `INSERT INTO audit_log (user_id, action, entity_type, entity_id, outcome, details) VALUES ($1,$2,$3,$4,$5,$6)`,
      [
        entry.userId && entry.userId !== 'system' ? entry.userId : null,
        entry.action,
        entry.entityType,
        entry.entityId ?? null,
        entry.outcome ?? 'ok',
        entry.details ?? {},
      ],
    );
  }

  async list(filter: { entityType?: string; entityId?: string; userId?: string; limit?: number }) {
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
    return this.dataSource.query(
      `SELECT id, at, user_id AS "userId", action, entity_type AS "entityType", entity_id AS "entityId", outcome,
              details FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
  }
}
