import { Injectable } from '@nestjs/common';
import { organisationScopeSql } from '@inbox/access';
import { type DigestWording, OPEN_STATUSES, SUPERVISED_CTES, digestCtes } from '@inbox/appeals';
import { type Db, SqlRepository } from '@inbox/database';
import { zoneLabelSql } from '@inbox/deadlines';
import { ClockName, type ClockMarkKind } from './clock-names';

export interface ClockMark {
  id: string;
  appealId: string;
  registrationNumber: string;
  organisationId: string;
  organisationName: string;
  /** A ClockName, or a clock the workflow checks at the action ('redirect', 'misrouted-return'). */
  clock: string;
  kind: ClockMarkKind;
  dueAt: Date;
  holderUserId: string | null;
  recordedAt: Date;
}

export interface StaffNotification {
  id: string;
  kind: string;
  appealId: string | null;
  /** A supervisor's counted notice: the organisation whose terms it counts, and how many appeals. */
  organisationId: string | null;
  appealCount: number | null;
  text: string;
  createdAt: Date;
  readAt: Date | null;
}

/**
 * What one sweep statement did: marks recorded per 'clock/kind', notifications written appeal by appeal, supervisors'
 * counted notices written or updated ('digest'), history events written, and (reading since the watermark) the
 * queued appeals it drained.
 */
export type SweepCountRow = {
  what: 'mark' | 'notification' | 'digest' | 'event' | 'drained';
  key: string | null;
  n: number;
};

/** A sweep that drains more queued appeals than this (or a full one) vacuums the queue after it commits. */
const QUEUE_VACUUM_AFTER = 10_000;

export interface SweepParams {
  /** The instant swept up to; by default the database's now() (never the worker's clock, which may be skewed). */
  now?: Date;
  /** At-risk leads, in seconds, per clock. */
  answerLeadSeconds: number;
  line2LeadSeconds: number;
  escalationLeadSeconds: number;
  /** The clocks' Russian names for the notification texts. */
  clockTexts: Record<string, string>;
}

// Literals, not parameters, so the planner can use the partial indexes appeals_open_due_idx and
// appeals_escalation_due_idx (whose predicate is this condition as written here).
const sqlList = (values: readonly string[]) => values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
const OPEN = sqlList(OPEN_STATUSES);
/** S1: the escalation clock runs while line 1 still holds the appeal (migration OpenEscalationDueIndex). */
const LINE1_HOLDING = sqlList(['registered', 'in_work']);

/**
 * Which clocks a sweep reads. `all`: every open clock inside its lead (the first sweep, other leads, or a `now`
 * before the watermark). `since`: only the appeals in `candidates`: those whose overdue or at-risk line falls
 * between the last sweep's `now` ($6) and this one, found by index, and those the triggers queued because their
 * clocks changed (clock_sweep_queue, emptied by the same statement).
 */
export type SweepReach = 'all' | 'since';

/** The appeals' counted notice: «ГЖИ: просрочено 4 обращения за 07.12.2026 — последние № …, № …, № …». */
const APPEAL_DIGEST: DigestWording = {
  overdueKind: 'clock-overdue',
  overdue: { before: 'просрочено', nouns: ['обращение', 'обращения', 'обращений'] },
  atRisk: { before: 'срок под угрозой у', nouns: ['обращения', 'обращений', 'обращений'] },
  labelFrom: 'JOIN appeals a ON a.id = t.id',
  label: "'№ ' || a.registration_number",
};

/** make_interval of the leads' parameter $n (seconds). */
const lead = (n: number) => `make_interval(secs => $${n}::float8)`;

/**
 * The appeals whose clock crossed its overdue line (due) or its at-risk line (due - lead) in [$since, $1], one
 * statement per clock, each a range of that clock's index ($2..$4 the leads): a sweep's candidates but the queued.
 */
function crossedSince(since: number): string[] {
  const crossed = (due: string, n: number) =>
    `(${due} BETWEEN $${since}::timestamptz AND $1::timestamptz
      OR ${due} BETWEEN $${since}::timestamptz + ${lead(n)} AND $1::timestamptz + ${lead(n)})`;
  return [
    `SELECT a.id FROM appeals a WHERE a.status IN (${OPEN}) AND ${crossed('a.answer_due_at', 2)}`,
    `SELECT ao.appeal_id FROM appeal_organisations ao
   WHERE ao.line = 2 AND ao.state = 'active' AND ${crossed('COALESCE(ao.extended_until, ao.due_at)', 3)}`,
    `SELECT a.id FROM appeals a
   WHERE a.escalation_due_at IS NOT NULL AND a.line = 1 AND a.status IN (${LINE1_HOLDING})
     AND ${crossed('a.escalation_due_at', 4)}`,
  ];
}

/**
 * Whether a sweep since the watermark has anything to read: an appeal queued, or a clock crossed since ($5; $1 now,
 * $2..$4 the leads). When not, its statement (sweepSql('since')) would mark nothing: every clock it reads is a
 * candidate's. Read by the clocks' indexes over [$5, $1] and the queue, and planned in a fraction of the marking
 * statement's time, which was most of a quiet sweep's (≈ 6–12 ms against < 1 ms of execution at 1 M appeals).
 * Counted, not EXISTS: planned for a first row, a range the statistics put at a few dozen rows was looked for by
 * reading the table in order (the parts' whole, in the 20 000-appeal test); a count reads the ranges by index.
 */
export const SWEEP_DUE_SQL = `SELECT EXISTS (SELECT 1 FROM clock_sweep_queue)
    OR (SELECT count(*) FROM (
          ${crossedSince(5).join('\n          UNION ALL\n          ')}) crossed) > 0 AS due`;

/**
 * One statement: find crossed clocks, record each mark once, and for exactly the marks this statement
 * inserted write the notifications and the history events. Being one statement it is atomic (a crash
 * leaves all or nothing); ON CONFLICT DO NOTHING + RETURNING make a concurrent sweep skip what another
 * recorded, so nobody is notified twice. Rows are inserted in key order so two sweeps can't deadlock.
 * $1 now, $2..$4 at-risk leads (seconds) for answer / line-2 / escalation, $5 clock texts, $6 the watermark.
 */
export function sweepSql(reach: SweepReach): string {
  const only = (column: string) =>
    reach === 'all' ? '' : `AND ${column} IN (SELECT appeal_id FROM candidates)`;
  const candidates =
    reach === 'all'
      ? ''
      : `
candidates AS (
  SELECT appeal_id FROM drained
  UNION
  ${crossedSince(6).join('\n  UNION\n  ')}
),`;
  return `
WITH RECURSIVE drained AS (
  -- Appeals whose clocks changed since the last sweep (see the ClockSweepWatermark migration).
  DELETE FROM clock_sweep_queue RETURNING appeal_id
),${candidates} clocks AS (
  -- 59-ФЗ / fast track: runs in the open statuses only; closed appeals have no clocks. Held where the appeal is:
  -- at each organisation working a line-2 part of it while any does (not at the management centre that passed
  -- it on), else at its responsible organisation; the assignee holds it only when they work there. A part that
  -- runs on the appeal's own answer term (the superior an appeal was reopened at after a poor rating) holds it
  -- alone: a co-executor still at work from before the reopening has its own line-2 clock, and marking the one
  -- term at both told supervisors twice of one lapse: asked of each appeal's own parts by key (NOT EXISTS).
  SELECT a.id AS appeal_id, COALESCE(p.organisation_id, a.organisation_id) AS organisation_id,
         '${ClockName.Answer}'::text AS clock, a.answer_due_at AS due_at,
         CASE WHEN p.organisation_id IS NULL OR u.organisation_id = p.organisation_id THEN a.assignee_id END
           AS holder_user_id,
         $2::float8 AS lead_s
    FROM appeals a
    LEFT JOIN appeal_organisations p ON p.appeal_id = a.id AND p.line = 2 AND p.state = 'active'
    LEFT JOIN users u ON u.id = a.assignee_id AND p.organisation_id IS NOT NULL
   WHERE a.status IN (${OPEN}) AND a.answer_due_at <= $1::timestamptz + ${lead(2)} ${only('a.id')}
     AND (COALESCE(p.extended_until, p.due_at) = a.answer_due_at
          OR NOT EXISTS (SELECT 1 FROM appeal_organisations own
                          WHERE own.appeal_id = a.id AND own.line = 2 AND own.state = 'active'
                            AND COALESCE(own.extended_until, own.due_at) = a.answer_due_at))
  UNION ALL
  -- S1: each active line-2 organisation has its own clock; an extension replaces the due time. Not a part that
  -- runs on the appeal's own answer term: that is the answer clock itself (marked above), not a second one.
  SELECT ao.appeal_id, ao.organisation_id, '${ClockName.Line2Answer}', COALESCE(ao.extended_until, ao.due_at),
         CASE WHEN u.organisation_id = ao.organisation_id THEN a.assignee_id END, $3::float8
    FROM appeal_organisations ao
    JOIN appeals a ON a.id = ao.appeal_id
    LEFT JOIN users u ON u.id = a.assignee_id
   WHERE ao.line = 2 AND ao.state = 'active' AND a.status IN (${OPEN})
     AND COALESCE(ao.extended_until, ao.due_at) IS DISTINCT FROM a.answer_due_at
     AND COALESCE(ao.extended_until, ao.due_at) <= $1::timestamptz + ${lead(3)} ${only('ao.appeal_id')}
  UNION ALL
  -- S1: 15 minutes at line 1; the workflow sets escalation_due_at only for the configured channels.
  SELECT a.id, a.organisation_id, '${ClockName.Escalation}', a.escalation_due_at, a.assignee_id, $4::float8
    FROM appeals a
   WHERE a.escalation_due_at IS NOT NULL AND a.line = 1 AND a.status IN (${LINE1_HOLDING})
     AND a.escalation_due_at <= $1::timestamptz + ${lead(4)} ${only('a.id')}
), crossed AS (
  -- Past due is overdue; inside the lead is at risk. A clock first seen past due gets only the overdue mark.
  SELECT c.appeal_id, c.organisation_id, c.clock, c.due_at,
         CASE WHEN c.due_at < $1::timestamptz THEN 'overdue' ELSE 'at-risk' END AS kind,
         (SELECT u.id FROM users u WHERE u.id = c.holder_user_id) AS holder_user_id
    FROM clocks c
   WHERE c.due_at IS NOT NULL AND (c.due_at < $1::timestamptz OR c.lead_s > 0)
), marks AS (
  INSERT INTO clock_marks (appeal_id, organisation_id, clock, kind, due_at, holder_user_id, recorded_at)
  SELECT x.appeal_id, x.organisation_id, x.clock, x.kind, x.due_at, x.holder_user_id, $1::timestamptz
    FROM crossed x
   WHERE NOT EXISTS (
           SELECT 1 FROM clock_marks m
            WHERE m.appeal_id = x.appeal_id AND m.organisation_id = x.organisation_id AND m.clock = x.clock
              AND m.kind = x.kind AND m.due_at = x.due_at)
   ORDER BY x.appeal_id, x.organisation_id, x.clock, x.kind, x.due_at
  ON CONFLICT DO NOTHING
  RETURNING id, appeal_id, organisation_id, clock, kind, due_at, holder_user_id
), ${SUPERVISED_CTES}, recipients AS (
  -- Told appeal by appeal: the supervisors of the holding organisation itself (not those over it: they are told
  -- counted, below), and whoever is to meet the term (it reached supervisors only; overdue, the holder still owes
  -- the answer and heard nothing): the holder, else the clerks and heads of the organisation that holds the clock.
  -- UNION: one notice per mark (per term and kind), whoever is told twice over.
  SELECT s.mark_id, s.user_id FROM supervised s WHERE s.own
  UNION
  SELECT m.id, h.id
    FROM marks m
    JOIN users h ON h.id = m.holder_user_id AND h.active
  UNION
  SELECT m.id, u.id
    FROM marks m
    JOIN users u ON u.organisation_id = m.organisation_id AND u.role IN ('clerk', 'head') AND u.active
   WHERE NOT EXISTS (SELECT 1 FROM users h WHERE h.id = m.holder_user_id AND h.active)
), ${
    // A supervisor over another organisation is told its marks counted: a regional supervisor read one notice per
    // appeal of every body of the region, «99+» by the evening.
    digestCtes({ item: 'appeal_id', kindPrefix: 'clock-', at: '$1::timestamptz', wording: APPEAL_DIGEST })
  }, notes AS (
  INSERT INTO notifications (user_id, kind, appeal_id, text)
  SELECT r.user_id, 'clock-' || m.kind, m.appeal_id,
         CASE m.kind
           WHEN 'overdue' THEN
             'Просрочен срок ' || ($5::jsonb ->> m.clock) || ' по обращению № ' || a.registration_number
             || ' (' || o.short_name || ')'
           ELSE
             'Срок ' || ($5::jsonb ->> m.clock) || ' по обращению № ' || a.registration_number
             || ' (' || o.short_name || ') истекает '
             || to_char(m.due_at AT TIME ZONE z.zone, 'DD.MM.YYYY HH24:MI') || ' (' || z.label || ')'
         END
    FROM recipients r
    JOIN marks m ON m.id = r.mark_id
    JOIN appeals a ON a.id = m.appeal_id
    JOIN organisations o ON o.id = m.organisation_id
    -- The answer term is counted in the appeal's zone, the line clocks in the holder's.
    CROSS JOIN LATERAL (
      SELECT CASE WHEN m.clock = '${ClockName.Answer}' THEN a.time_zone ELSE o.time_zone END AS zone
    ) tz
    -- The zone as staff read it («Новосибирск, UTC+7»), not its code.
    CROSS JOIN LATERAL (
      SELECT tz.zone, ${zoneLabelSql('tz.zone', 'm.due_at')} AS label
    ) z
   ORDER BY m.id, r.user_id
  RETURNING 1
), events AS (
  INSERT INTO appeal_events (appeal_id, type, occurred_at, data)
  SELECT m.appeal_id, 'clock-' || m.kind, $1::timestamptz,
         jsonb_build_object('clock', m.clock, 'organisationId', m.organisation_id,
           'dueAt', to_char(m.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'holderUserId', m.holder_user_id)
    FROM marks m
   ORDER BY m.id
  RETURNING 1
)
SELECT 'mark' AS what, clock || '/' || kind AS key, count(*)::int AS n FROM marks GROUP BY clock, kind
UNION ALL SELECT 'notification', NULL, count(*)::int FROM notes
UNION ALL SELECT 'digest', NULL, count(*)::int FROM digests
UNION ALL SELECT 'event', NULL, count(*)::int FROM events${
    // The drained appeals are counted where they are read anyway (a full sweep never keeps them).
    reach === 'all' ? '' : `\nUNION ALL SELECT 'drained', NULL, count(*)::int FROM drained`
  }`;
}

const SWEEP_SQL: Record<SweepReach, string> = { all: sweepSql('all'), since: sweepSql('since') };

/**
 * The clock tables: `clock_marks` (each crossed clock recorded once), the supervisors' `notifications`, and
 * the `appeal_events` a sweep writes. Read by supervisors within their organisation scope.
 */
@Injectable()
export class ClockMarksRepository extends SqlRepository {
  /** The database server's clock as it is now (clock_timestamp(), not the transaction's start). */
  async databaseClock(): Promise<Date> {
    const [row] = await this.rows<{ now: Date }>(`SELECT clock_timestamp() AS now`);
    return row.now;
  }

  /**
   * Sweeps take turns on the watermark row: each reads what crossed since the last one's `now` (or everything,
   * see SweepReach), and leaves its own `now` and leads as the new watermark in the caller's transaction `tx`.
   * Returns the counts, and whether the sweep was a full one (for vacuumQueueAfter).
   */
  async sweep(tx: Db, p: SweepParams): Promise<{ rows: SweepCountRow[]; full: boolean }> {
    const leads = `${p.answerLeadSeconds}/${p.line2LeadSeconds}/${p.escalationLeadSeconds}`;
    // The statement is short but its plan is priced high (the queue's statistics count rows already taken):
    // compiling it (JIT) took most of a second of a sweep that reads nothing.
    await tx.query(`SET LOCAL jit = off`);
    const [state] = await this.rows<{ swept_until: Date | null; leads: string | null }>(
      `SELECT swept_until, leads FROM clock_sweep_state WHERE id = 1 FOR UPDATE`,
      [],
      tx,
    );
    // The database's clock, one for every worker: a worker whose own clock runs ahead marked clocks overdue
    // before their time (and one behind, late), and moved the watermark past what it had read.
    const now = p.now ?? (await this.rows<{ now: Date }>(`SELECT now() AS now`, [], tx))[0].now;
    const since =
      state?.swept_until && state.leads === leads && state.swept_until <= now ? state.swept_until : null;
    const full = since === null;
    const params: unknown[] = [
      now,
      p.answerLeadSeconds,
      p.line2LeadSeconds,
      p.escalationLeadSeconds,
      JSON.stringify(p.clockTexts),
    ];
    // Since the watermark, a sweep with no candidate (most: one every few seconds) stops at the check. In the
    // same transaction as the watermark's lock; a clock changed after the check is in the queue for the next one.
    const due =
      !since || (await this.rows<{ due: boolean }>(SWEEP_DUE_SQL, [...params.slice(0, 4), since], tx))[0].due;
    const rows = due
      ? await this.rows<SweepCountRow>(
          since ? SWEEP_SQL.since : SWEEP_SQL.all,
          since ? [...params, since] : params,
          tx,
        )
      : [];
    await this.rows(
      `UPDATE clock_sweep_state SET swept_until = $1, leads = $2 WHERE id = 1`,
      [now, leads],
      tx,
    );
    return { rows, full };
  }

  /**
   * After a sweep (its `full` and its counts): the queue is drained by one DELETE, which reads every page of the
   * table; a large drain (the first sweep after a fill, which is a full one, or a sweep after an import) leaves
   * its pages empty but there, and its statistics counting rows already taken, until autovacuum gets to it. Every
   * later sweep then read all those empty pages, and planned for millions of queued appeals. Vacuumed now
   * (outside the transaction, as VACUUM must be), the empty tail is cut off and the statistics say what is left.
   */
  async vacuumQueueAfter({ rows, full }: { rows: SweepCountRow[]; full: boolean }): Promise<void> {
    if (full || (rows.find((r) => r.what === 'drained')?.n ?? 0) > QUEUE_VACUUM_AFTER) {
      await this.dataSource.query(`VACUUM (ANALYZE) clock_sweep_queue`);
    }
  }

  /** Marks of one kind at organisations in the scope, newest due time first; due range from inclusive, to exclusive. */
  violations(q: {
    organisationIds: string[] | null;
    kind: ClockMarkKind;
    clock: string | null;
    from: Date | null;
    to: Date | null;
    limit: number;
  }): Promise<ClockMark[]> {
    const params: unknown[] = [q.kind, q.clock, q.from, q.to, q.limit];
    const scoped = organisationScopeSql(q, params, 'm.organisation_id');
    return this.rows<ClockMark>(
      `SELECT m.id::text AS id, m.appeal_id AS "appealId", a.registration_number AS "registrationNumber",
              m.organisation_id AS "organisationId", o.short_name AS "organisationName", m.clock, m.kind,
              m.due_at AS "dueAt", m.holder_user_id AS "holderUserId", m.recorded_at AS "recordedAt"
         FROM clock_marks m
         JOIN appeals a ON a.id = m.appeal_id
         JOIN organisations o ON o.id = m.organisation_id
        WHERE m.kind = $1
          AND ${scoped}
          AND ($2::text IS NULL OR m.clock = $2)
          AND ($3::timestamptz IS NULL OR m.due_at >= $3)
          AND ($4::timestamptz IS NULL OR m.due_at < $4)
        ORDER BY m.due_at DESC, m.id DESC
        LIMIT $5`,
      params,
    );
  }

  notificationsFor(userId: string, unreadOnly: boolean, limit: number): Promise<StaffNotification[]> {
    return this.rows<StaffNotification>(
      `SELECT id::text AS id, kind, appeal_id AS "appealId", organisation_id AS "organisationId",
              cardinality(appeal_ids) AS "appealCount", text, created_at AS "createdAt", read_at AS "readAt"
         FROM notifications
        WHERE user_id = $1 AND (NOT $2::boolean OR read_at IS NULL)
        -- The table's id, not the text column named so (as text «82» came before «101»).
        ORDER BY notifications.id DESC
        LIMIT $3`,
      [userId, unreadOnly, limit],
    );
  }

  /** Marks the user's own notification read; false when it is not theirs or does not exist. */
  async markNotificationRead(userId: string, id: string): Promise<boolean> {
    const rows = await this.rows(
      `UPDATE notifications SET read_at = COALESCE(read_at, now())
        WHERE id = $1::bigint AND user_id = $2 RETURNING id`,
      [id, userId],
    );
    return rows.length > 0;
  }
}
