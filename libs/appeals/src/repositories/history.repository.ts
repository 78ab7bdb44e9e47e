import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AccessScope, appealScopeSql } from '@inbox/access';
import { type Db } from './db';

export interface HistoryEvent {
  id: string;
  type: string;
  actor: string | null;
  /** The staff member behind `actor` (null for the system or an account since removed). */
  actorName?: string | null;
  actorRole?: string | null;
  occurredAt: Date;
  data: unknown;
}

/** A new history event as the live stream reports it. */
export interface StreamEvent {
  id: string;
  appealId: string;
  type: string;
}

/** The appeal's append-only history (`appeal_events`). */
@Injectable()
export class AppealHistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends an event; without an actor it is the system's (the column's default). */
  async append(
    db: Db,
    appealId: string,
    type: string,
    actorId: string | null,
    data: Record<string, unknown>,
  ): Promise<void> {
    await db.query(
      `INSERT INTO appeal_events (appeal_id, type, actor, data) VALUES ($1, $2, COALESCE($3, 'system'), $4)`,
      [appealId, type, actorId, data],
    );
  }

  async forAppeal(appealId: string): Promise<HistoryEvent[]> {
    const rows = (await this.dataSource.query(
      `SELECT e.id, e.type, e.actor, u.full_name AS actor_name, u.role AS actor_role, e.occurred_at, e.data
         FROM appeal_events e LEFT JOIN users u ON u.id::text = e.actor
        WHERE e.appeal_id = $1 ORDER BY e.id`,
      [appealId],
    )) as {
      id: string | number;
      type: string;
      actor: string | null;
      actor_name: string | null;
      actor_role: string | null;
      occurred_at: Date;
      data: unknown;
    }[];
    return rows.map((e) => ({
      id: String(e.id),
      type: e.type,
      actor: e.actor,
      actorName: e.actor_name,
      actorRole: e.actor_role,
      occurredAt: e.occurred_at,
      data: e.data,
    }));
  }

  /** The id of the newest event (0 when there is none): where a live stream starts. */
  async latestId(): Promise<string> {
    const [row] = (await this.dataSource.query(
      `SELECT COALESCE(max(id), 0)::text AS id FROM appeal_events`,
    )) as { id: string }[];
    return row.id;
  }

  /** The id of the newest event among the next `limit` after `afterId`, or undefined when none is new. */
  async newestAfter(afterId: string, limit: number): Promise<string | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT max(id)::text AS id FROM (SELECT id FROM appeal_events WHERE id > $1::bigint ORDER BY id LIMIT $2) e`,
      [afterId, limit],
    )) as { id: string | null }[];
    return row?.id ?? undefined;
  }

  /** Events in (afterId, upToId] of appeals within the scope, oldest first. */
  async inScopeBetween(afterId: string, upToId: string, scope: AccessScope): Promise<StreamEvent[]> {
    const params: unknown[] = [afterId, upToId];
    return (await this.dataSource.query(
      `SELECT e.id::text AS id, e.appeal_id AS "appealId", e.type
         FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id
        WHERE e.id > $1::bigint AND e.id <= $2::bigint AND ${appealScopeSql(scope, params, 'a')}
        ORDER BY e.id`,
      params,
    )) as StreamEvent[];
  }
}
