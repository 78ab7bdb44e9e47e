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

/** What became visible to one scope since the stream's last snapshot, summed up. */
export interface StreamSummary {
  /** The id of the newest event reported (an SSE event id). */
  lastEventId: string;
  count: number;
  newAppeals: number;
  appealIds: string[];
  types: string[];
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

  /** System events for several appeals in one statement, in the order given. */
  async appendMany(
    db: Db,
    events: { appealId: string; type: string; data: Record<string, unknown> }[],
  ): Promise<void> {
    if (events.length === 0) return;
    await db.query(
      `INSERT INTO appeal_events (appeal_id, type, data)
       SELECT (e.x->>'appealId')::uuid, e.x->>'type', e.x->'data'
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(x, n) ORDER BY e.n`,
      [JSON.stringify(events)],
    );
  }

  /** Whether the appeal's author withdrew it (a `withdrawn` event by the author: a message deleted by them). */
  async withdrawnByAuthor(db: Db, appealId: string): Promise<boolean> {
    const rows = (await db.query(
      `SELECT 1 FROM appeal_events WHERE appeal_id = $1 AND type = 'withdrawn' AND data->>'by' = 'author' LIMIT 1`,
      [appealId],
    )) as unknown[];
    return rows.length > 0;
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

  /** The database's current snapshot (`pg_snapshot` text): where a live stream starts. */
  async snapshot(): Promise<string> {
    const [row] = (await this.dataSource.query(`SELECT pg_current_snapshot()::text AS s`)) as { s: string }[];
    return row.s;
  }

  /**
   * For each scope, the events that became visible since the snapshot `since` (committed after it was taken,
   * whatever their ids), summed up; and the snapshot they were read in, for the next call. All scopes read one
   * snapshot (REPEATABLE READ), so an event is reported once to every scope that sees it, never skipped: the
   * stream follows transaction ids (`appeal_events.tx_id`), not the id sequence, which a late commit breaks.
   */
  async visibleSince(
    since: string,
    scopes: AccessScope[],
  ): Promise<{ snapshot: string; summaries: (StreamSummary | undefined)[] }> {
    return this.dataSource.transaction('REPEATABLE READ', async (tx) => {
      const [{ s: snapshot }] = (await tx.query(`SELECT pg_current_snapshot()::text AS s`)) as {
        s: string;
      }[];
      const summaries: (StreamSummary | undefined)[] = [];
      for (const scope of scopes) {
        const params: unknown[] = [since];
        const [row] = (await tx.query(
          `SELECT count(*)::int AS count, count(*) FILTER (WHERE e.type = 'registered')::int AS "newAppeals",
                  max(e.id)::text AS "lastEventId",
                  (array_agg(DISTINCT e.appeal_id))[1:100] AS "appealIds", array_agg(DISTINCT e.type) AS types
             FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id
            WHERE e.tx_id >= pg_snapshot_xmin($1::pg_snapshot) AND NOT pg_visible_in_snapshot(e.tx_id, $1::pg_snapshot)
              AND ${appealScopeSql(scope, params, 'a')}`,
          params,
        )) as (StreamSummary & { count: number })[];
        summaries.push(row && row.count > 0 ? row : undefined);
      }
      return { snapshot, summaries };
    });
  }
}
