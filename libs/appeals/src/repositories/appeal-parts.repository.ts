import { appealPersonalDataScopeSql } from '@inbox/access';
import { rowsOf } from '@inbox/common';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type WorkingHours } from '@inbox/deadlines';
import { queryCount } from '@inbox/database';
import { type Db } from './db';

/** An organisation's part of an appeal as the card shows it. */
export interface AppealPartView {
  id: string;
  code: string;
  name: string;
  role: string;
  assigned_at: Date;
  line: number;
  /** active, answered, returned, closed (withdrawn: an old row). */
  state: string;
  assigneeId: string | null;
  assigneeName: string | null;
  dueAt: Date | null;
  extendedUntil: Date | null;
  /** The latest a line-2 part may be extended to (5 working days from its receipt); null for line 1. */
  extensionLimitAt: Date | null;
  answeredAt: Date | null;
  returnedAt: Date | null;
  returnReason: string | null;
  closedAt: Date | null;
}

/** An organisation's active line-2 part with the clock inputs of that organisation. */
export interface ActiveLine2Part {
  assigned_at: Date;
  due_at: Date;
  extension_limit_at: Date;
  time_zone: string;
  working_hours: WorkingHours;
}

/**
 * The organisations that hold or held an appeal (`appeal_organisations`): the responsible one and each
 * line-2 part, with its own state and clock. The organisation scope is built on this table.
 */
@Injectable()
export class AppealPartsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async forCard(appealId: string): Promise<AppealPartView[]> {
    return (await this.dataSource.query(
      `SELECT ao.organisation_id AS id, o.code, o.short_name AS name, ao.role, ao.assigned_at, ao.line, ao.state,
              ao.assignee_id AS "assigneeId", u.full_name AS "assigneeName", ao.due_at AS "dueAt",
              ao.extended_until AS "extendedUntil", ao.extension_limit_at AS "extensionLimitAt",
              ao.answered_at AS "answeredAt", ao.returned_at AS "returnedAt",
              ao.return_reason AS "returnReason", ao.closed_at AS "closedAt"
         FROM appeal_organisations ao JOIN organisations o ON o.id = ao.organisation_id
         LEFT JOIN users u ON u.id = ao.assignee_id
        WHERE ao.appeal_id = $1 ORDER BY ao.assigned_at`,
      [appealId],
    )) as AppealPartView[];
  }

  /** Whether the organisation holds or held the appeal in any role. */
  async isHeldBy(tx: Db, appealId: string, organisationId: string): Promise<boolean> {
    const rows = (await tx.query(
      `SELECT 1 FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2`,
      [appealId, organisationId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Whether the organisation's part is active (it is working on the appeal now). */
  async isActiveAt(tx: Db, appealId: string, organisationId: string): Promise<boolean> {
    const rows = (await tx.query(
      `SELECT 1 FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2 AND state = 'active'`,
      [appealId, organisationId],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * Whether the organisation's line-2 part is no longer open: it returned the appeal, or its part was closed. Its
   * staff then only read the appeal, and a draft it left is kept for reference only.
   */
  async isLeftBehind(tx: Db, appealId: string, organisationId: string): Promise<boolean> {
    const rows = (await tx.query(
      `SELECT 1 FROM appeal_organisations
        WHERE appeal_id = $1 AND organisation_id = $2 AND line = 2 AND state IN ('returned', 'closed')`,
      [appealId, organisationId],
    )) as unknown[];
    return rows.length > 0;
  }

  async activeLine2(tx: Db, appealId: string, organisationId: string): Promise<ActiveLine2Part | undefined> {
    const [row] = (await tx.query(
      `SELECT ao.assigned_at, ao.due_at, ao.extension_limit_at, o.time_zone, o.working_hours
         FROM appeal_organisations ao JOIN organisations o ON o.id = ao.organisation_id
        WHERE ao.appeal_id = $1 AND ao.organisation_id = $2 AND ao.line = 2 AND ao.state = 'active'`,
      [appealId, organisationId],
    )) as ActiveLine2Part[];
    return row;
  }

  /** A line-2 part starts (or starts again) with a fresh clock. */
  async openLine2(
    tx: Db,
    appealId: string,
    organisationId: string,
    at: Date,
    dueAt: Date,
    extensionLimitAt: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state, due_at,
         extension_limit_at)
       VALUES ($1, $2, 'co-executor', $3, 2, 'active', $4, $5)
       ON CONFLICT (appeal_id, organisation_id) DO UPDATE SET line = 2, state = 'active', assigned_at = $3,
         due_at = $4, extension_limit_at = $5, extended_until = NULL, extension_reason = NULL,
         returned_at = NULL, return_reason = NULL, answered_at = NULL, closed_at = NULL, assignee_id = NULL`,
      [appealId, organisationId, at, dueAt, extensionLimitAt],
    );
  }

  async markReturned(tx: Db, appealId: string, organisationId: string, at: Date, reason: string) {
    await tx.query(
      `UPDATE appeal_organisations SET state = 'returned', returned_at = $3, return_reason = $4
        WHERE appeal_id = $1 AND organisation_id = $2`,
      [appealId, organisationId, at, reason],
    );
  }

  /**
   * Whether anyone in the scope may change the appeal: an organisation of the scope is responsible for it or
   * holds a part that is active or answered. One that returned its part, or whose part was closed, only reads.
   */
  async writableIn(
    appealId: string,
    organisationIds: string[] | null,
    db: Db = this.dataSource.manager,
  ): Promise<boolean> {
    if (organisationIds === null) return true;
    const params: unknown[] = [appealId];
    const rows = (await db.query(
      `SELECT 1 FROM appeals a WHERE a.id = $1 AND ${appealPersonalDataScopeSql({ organisationIds }, params, 'a')}`,
      params,
    )) as unknown[];
    return rows.length > 0;
  }

  async setAssignee(tx: Db, appealId: string, organisationId: string, userId: string | null): Promise<void> {
    await tx.query(
      `UPDATE appeal_organisations SET assignee_id = $3 WHERE appeal_id = $1 AND organisation_id = $2`,
      [appealId, organisationId, userId],
    );
  }

  /** Line-2 parts that still owe the citizen something: active, or returned and not yet re-routed. */
  countPendingLine2(tx: Db, appealId: string): Promise<number> {
    return this.countLine2(tx, appealId, ['active', 'returned']);
  }

  /** Returned parts are closed when line 1 routes the question on (they were re-routed). */
  async closeReturned(tx: Db, appealId: string, at: Date): Promise<string[]> {
    const rows = rowsOf<{ organisation_id: string }>(
      await tx.query(
        `UPDATE appeal_organisations SET state = 'closed', closed_at = $2
          WHERE appeal_id = $1 AND line = 2 AND state = 'returned' RETURNING organisation_id`,
        [appealId, at],
      ),
    );
    return rows.map((r) => r.organisation_id);
  }

  /** Line 1 closes a part (no longer needed); false when the organisation holds no open part. */
  async close(tx: Db, appealId: string, organisationId: string, at: Date): Promise<boolean> {
    const rows = rowsOf(
      await tx.query(
        `UPDATE appeal_organisations SET state = 'closed', closed_at = $3
          WHERE appeal_id = $1 AND organisation_id = $2 AND line = 2 AND state IN ('active', 'returned')
          RETURNING 1`,
        [appealId, organisationId, at],
      ),
    );
    return rows.length > 0;
  }

  /** Every line-2 part still open (active or returned) closed at once; returns their organisations. */
  async closeAllOpen(tx: Db, appealId: string, at: Date): Promise<string[]> {
    const rows = rowsOf<{ organisation_id: string }>(
      await tx.query(
        `UPDATE appeal_organisations SET state = 'closed', closed_at = $2
          WHERE appeal_id = $1 AND line = 2 AND state IN ('active', 'returned') RETURNING organisation_id`,
        [appealId, at],
      ),
    );
    return rows.map((r) => r.organisation_id);
  }

  /** Line-2 parts still in play (active or answered). */
  countOpenLine2(tx: Db, appealId: string): Promise<number> {
    return this.countLine2(tx, appealId, ['active', 'answered']);
  }

  /** Whether a part of the appeal, at either line, has been answered. */
  async anyAnswered(tx: Db, appealId: string): Promise<boolean> {
    const rows = (await tx.query(
      `SELECT 1 FROM appeal_organisations WHERE appeal_id = $1 AND state = 'answered' LIMIT 1`,
      [appealId],
    )) as unknown[];
    return rows.length > 0;
  }

  private async countLine2(tx: Db, appealId: string, states: string[]): Promise<number> {
    return queryCount(
      tx,
      `SELECT count(*)::int AS n FROM appeal_organisations
        WHERE appeal_id = $1 AND line = 2 AND state = ANY($2::text[])`,
      [appealId, states],
    );
  }

  async extendLine2(tx: Db, appealId: string, organisationId: string, until: Date, reason: string) {
    await tx.query(
      `UPDATE appeal_organisations SET extended_until = $3, extension_reason = $4
        WHERE appeal_id = $1 AND organisation_id = $2`,
      [appealId, organisationId, until, reason],
    );
  }

  /**
   * The 59-ФЗ term extended: a line-2 part that runs on the appeal's own answer term (reopened at a superior after a
   * poor rating, `makeResponsible`) moves with it. Called before the appeal's term changes.
   */
  async followAnswerTerm(tx: Db, appealId: string, dueAt: Date): Promise<void> {
    await tx.query(
      `UPDATE appeal_organisations ao SET due_at = $2
         FROM appeals a
        WHERE a.id = $1 AND ao.appeal_id = a.id AND ao.line = 2 AND ao.state = 'active'
          AND ao.extended_until IS NULL AND ao.due_at = a.answer_due_at`,
      [appealId, dueAt],
    );
  }

  async markAnswered(tx: Db, appealId: string, organisationId: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE appeal_organisations SET state = 'answered', answered_at = $3
        WHERE appeal_id = $1 AND organisation_id = $2 AND state = 'active'`,
      [appealId, organisationId, at],
    );
  }

  /** The organisation becomes responsible again (a reopened appeal), with a fresh term. */
  async makeResponsible(tx: Db, appealId: string, organisationId: string, at: Date, dueAt: Date) {
    await tx.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state, due_at)
       VALUES ($1, $2, 'responsible', $3, 2, 'active', $4)
       ON CONFLICT (appeal_id, organisation_id) DO UPDATE SET role = 'responsible', assigned_at = $3, line = 2,
         state = 'active', due_at = $4, returned_at = NULL, answered_at = NULL, closed_at = NULL, assignee_id = NULL`,
      [appealId, organisationId, at, dueAt],
    );
  }
}
