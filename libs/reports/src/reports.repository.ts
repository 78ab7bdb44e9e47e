import { Injectable } from '@nestjs/common';
import { type AccessScope, appealScopeSql, organisationScopeSql } from '@inbox/access';
import { OPEN_STATUSES, ratingKindSql } from '@inbox/appeals';
import { type Db, SqlRepository } from '@inbox/database';

// Literals, not parameters, so the planner can use the partial index on open appeals.
const OPEN = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');

/** The counts' keys compare a missing topic (or organisation) as this id (migrations AppealDailyCounts, OpenClockCounts). */
const NO_ID = '00000000-0000-0000-0000-000000000000';

/** Dates are local dates in each appeal's own zone, as its deadlines are. */
const LOCAL_DAY = `(a.registered_at AT TIME ZONE a.time_zone)::date`;

/** A scope's rows in the scope counts (migration AppealScopeCounts): the region is NO_ID, not a subtree. */
export interface ScopeKey {
  organisationId: string;
  subtree: boolean;
}

/** How far back registrations per hour are kept (the last 24 hours with a margin). */
const RECENT_HOURS = `now() - interval '2 days'`;

/**
 * Each table of deltas and the counts it folds into: their columns, unique key and which deltas they take (the
 * migrations that made them). Counts that fall to zero are dropped where `drop` holds.
 */
const FOLDS: {
  deltas: string;
  into: { counts: string; columns: string; key: string; where?: string; drop: string }[];
}[] = [
  {
    deltas: 'appeal_count_deltas',
    into: [
      {
        counts: 'appeal_daily_counts',
        columns: 'day, organisation_id, channel, status, topic_id, fast_track',
        key: `day, organisation_id, channel, status, (COALESCE(topic_id, '${NO_ID}'::uuid)), fast_track`,
        drop: `count = 0 AND status IN (${OPEN})`,
      },
    ],
  },
  {
    deltas: 'open_clock_count_deltas',
    into: [
      {
        counts: 'open_clock_counts',
        columns: 'organisation_id, topic_id, overdue, subtree',
        key: `(COALESCE(organisation_id, '${NO_ID}'::uuid)), (COALESCE(topic_id, '${NO_ID}'::uuid)), overdue, subtree`,
        drop: 'count = 0',
      },
    ],
  },
  {
    deltas: 'open_appeal_count_deltas',
    into: [
      {
        counts: 'open_appeal_counts',
        columns: 'organisation_id, subtree, due_hour, fast_track, unclassified',
        key: `(COALESCE(organisation_id, '${NO_ID}'::uuid)), subtree, due_hour, fast_track, unclassified`,
        drop: 'count = 0',
      },
    ],
  },
  {
    deltas: 'appeal_registration_count_deltas',
    into: [
      {
        counts: 'appeal_registration_counts',
        columns: 'organisation_id, subtree, day, channel',
        key: `(COALESCE(organisation_id, '${NO_ID}'::uuid)), subtree, day, channel`,
        drop: 'count = 0',
      },
      {
        // Only the hours the last 24 hours can still need (migration AppealScopeCounts).
        counts: 'appeal_recent_registration_counts',
        columns: 'organisation_id, subtree, hour',
        key: `(COALESCE(organisation_id, '${NO_ID}'::uuid)), subtree, hour`,
        where: `hour >= ${RECENT_HOURS}`,
        drop: `count = 0 OR hour < ${RECENT_HOURS}`,
      },
    ],
  },
];

/** A fold that moved at least this many deltas vacuums their tables. */
const VACUUM_AFTER_DELTAS = 10_000;

export const REPORT_GROUPS = ['topic', 'line', 'organisation', 'channel'] as const;
export type ReportGroupBy = (typeof REPORT_GROUPS)[number];

const GROUP_SQL: Record<ReportGroupBy, { key: string; label: string; join: string }> = {
  topic: {
    key: `COALESCE(a.topic_id::text, 'none')`,
    label: `COALESCE(t.name, 'Без темы')`,
    join: 'LEFT JOIN topics t ON t.id = a.topic_id',
  },
  line: {
    key: 'a.line::text',
    label: `CASE a.line WHEN 1 THEN '1-я линия (ЦУР)' ELSE '2-я линия (органы власти)' END`,
    join: '',
  },
  // Every organisation that held a part of the appeal (the responsible one and each line-2 part), not only
  // the one responsible now: a department that answered its part counts.
  organisation: {
    key: 'ao.organisation_id::text',
    label: 'o.short_name',
    join: 'JOIN appeal_organisations ao ON ao.appeal_id = a.id JOIN organisations o ON o.id = ao.organisation_id',
  },
  channel: { key: 'a.channel', label: 'a.channel', join: '' },
};

export interface DashboardTotalsRow {
  open: number;
  fastTrackOpen: number;
  overdueOpen: number;
  unclassified: number;
  received24h: number;
}

export interface FastTrackRow {
  id: string;
  registrationNumber: string;
  subject: string | null;
  excerpt: string;
  status: string;
  channel: string;
  organisationName: string;
  timeZone: string;
  registeredAt: Date;
  answerDueAt: Date;
  line2DueAt: Date | null;
  escalationDueAt: Date | null;
}

export interface ClocksByOrganisationRow {
  organisationId: string;
  organisationName: string;
  atRisk: number;
  overdue: number;
}

export interface ClocksByTopicRow {
  topicId: string;
  topicName: string;
  atRisk: number;
  overdue: number;
}

export interface VolumeRow {
  date: string;
  channel: string;
  count: number;
}

export interface RatingKindRow {
  kind: string;
  count: number;
  poor: number;
}

export interface PoorRatingRow {
  organisationId: string;
  organisationName: string;
  topicId: string;
  topicName: string;
  count: number;
  appealIds: string[];
  lastAt: Date;
}

export interface HandledRow {
  key: string;
  label: string;
  received: number;
  answered: number;
  onTime: number;
  late: number;
  inProgress: number;
  overdueOpen: number;
  redirected: number;
}

/**
 * The read model behind the supervisor dashboard and the reports: aggregates over appeals, clock marks,
 * ratings and poor-rating records (the tables of libs/appeals and libs/clocks, read here and never written).
 * Every query composes the one scope from libs/access: appealScopeSql for appeals, organisationScopeSql for
 * rows that belong to one organisation (a clock mark, a poor-rating record).
 */
@Injectable()
export class ReportsRepository extends SqlRepository {
  /** Today's date in an organisation's zone (periods are counted in local dates). */
  async localToday(organisationId: string): Promise<string | undefined> {
    const row = await this.one<{ today: string }>(
      `SELECT to_char((now() AT TIME ZONE o.time_zone)::date, 'YYYY-MM-DD') AS today FROM organisations o WHERE o.id = $1`,
      [organisationId],
    );
    return row?.today;
  }

  /** Whether any trigger wrote count deltas since the last fold. */
  async deltasPending(): Promise<boolean> {
    const pending = await this.one<{ any: boolean }>(
      `SELECT ${FOLDS.map((f) => `EXISTS (SELECT 1 FROM ${f.deltas})`).join(' OR ')} AS any`,
    );
    return pending?.any ?? false;
  }

  /**
   * Moves the count deltas the triggers wrote into the counts, in the caller's transaction `tx`: the appeals'
   * into the daily counts (migration AppealDailyCounts) and the scope counts (migration AppealScopeCounts), the
   * clock marks' into the open clock counts (migration OpenClockCounts). One statement, its cost the changes
   * since the last fold. One fold at a time; a caller that finds another running goes on (readers add the deltas
   * not yet folded, so nothing is missed). Counts that fell to zero are dropped (of the daily counts, those of
   * open statuses), so the open totals read only live rows. Returns the count rows written and the deltas moved.
   */
  async fold(tx: Db): Promise<{ rows: number; deltas: number }> {
    const [{ locked }] = (await tx.query(
      `SELECT pg_try_advisory_xact_lock(hashtext('appeal-daily-counts-fold')) AS locked`,
    )) as { locked: boolean }[];
    if (!locked) return { rows: 0, deltas: 0 };
    const targets = FOLDS.flatMap((f, i) => f.into.map((t) => ({ ...t, gone: `gone${i}` })));
    const [row] = await this.rows<{ rows: number; deltas: number }>(
      `WITH ${FOLDS.map((f, i) => `gone${i} AS (DELETE FROM ${f.deltas} RETURNING *)`).join(', ')},
            ${targets
              .map(
                (t, j) => `upserted${j} AS (
              INSERT INTO ${t.counts} AS c (${t.columns}, count)
              SELECT ${t.columns}, sum(delta)::int FROM ${t.gone} ${t.where ? `WHERE ${t.where}` : ''}
               GROUP BY ${t.columns} ORDER BY ${t.columns}
              ON CONFLICT (${t.key}) DO UPDATE SET count = c.count + EXCLUDED.count
              RETURNING 1)`,
              )
              .join(',\n            ')}
       SELECT ${targets.map((_, j) => `(SELECT count(*) FROM upserted${j})`).join(' + ')} AS rows,
              ${FOLDS.map((_, i) => `(SELECT count(*) FROM gone${i})`).join(' + ')} AS deltas`,
      [],
      tx,
    );
    for (const t of targets) await tx.query(`DELETE FROM ${t.counts} WHERE ${t.drop}`);
    return { rows: Number(row.rows), deltas: Number(row.deltas) };
  }

  /**
   * After a fold of many deltas (a fill, an import) their tables are vacuumed: every reader scans them, and
   * deleted rows would stay in those scans until autovacuum came by.
   */
  async vacuumAfterFold(deltas: number): Promise<void> {
    if (deltas >= VACUUM_AFTER_DELTAS)
      await this.dataSource.query(`VACUUM ${FOLDS.map((f) => f.deltas).join(', ')}`);
  }

  /**
   * Which maintained counts answer for a scope (migration AppealScopeCounts): the region's, one organisation's
   * (the appeals it holds or held a part of), or an organisation's subtree's, when the scope is exactly that
   * subtree (as libs/access builds a supervisor's). Undefined for any other list of organisations.
   */
  async scopeKey(scope: AccessScope): Promise<ScopeKey | undefined> {
    const ids = scope.organisationIds;
    if (ids === null) return { organisationId: NO_ID, subtree: false };
    if (ids.length === 1) return { organisationId: ids[0], subtree: false };
    if (ids.length === 0) return undefined;
    const row = await this.one<{ same: boolean }>(
      `SELECT array(SELECT organisation_id FROM organisation_ancestry() WHERE ancestor_id = $1 ORDER BY 1)
                = array(SELECT DISTINCT unnest($2::uuid[]) ORDER BY 1) AS same`,
      [scope.organisationId, ids],
    );
    return row?.same ? { organisationId: scope.organisationId, subtree: true } : undefined;
  }

  /**
   * The open appeals (all, fast-tracked, unclassified, past their due time) and the last 24 hours'
   * registrations. From the scope counts (migration AppealScopeCounts) when the scope has them: the time-bound
   * figures as whole hours plus the appeals of the hour the bound falls in, read through the open appeals' due
   * index and the registration index. Any other scope counts its appeals.
   */
  async totals(scope: AccessScope, key: ScopeKey | undefined): Promise<DashboardTotalsRow> {
    const params: unknown[] = [];
    const scoped = appealScopeSql(scope, params, 'a');
    const open = (extra: string) =>
      `(SELECT count(*)::int FROM appeals a WHERE a.status IN (${OPEN}) ${extra} AND ${scoped})`;
    const received = (extra: string) =>
      `(SELECT count(*)::int FROM appeals a
         WHERE a.registered_at >= now() - interval '24 hours' ${extra} AND ${scoped})`;
    if (key) {
      params.push(key.organisationId, key.subtree);
      const k = `COALESCE(organisation_id, '${NO_ID}'::uuid) = $${params.length - 1}::uuid AND subtree = $${params.length}`;
      const hour = `date_trunc('hour', now(), 'UTC')`;
      const dayAgoHour = `date_trunc('hour', now() - interval '24 hours', 'UTC') + interval '1 hour'`;
      const row = await this.one<DashboardTotalsRow>(
        `WITH o AS (
           SELECT due_hour, fast_track, unclassified, count AS n FROM open_appeal_counts WHERE ${k}
           UNION ALL
           SELECT due_hour, fast_track, unclassified, delta FROM open_appeal_count_deltas WHERE ${k}
         ), r AS (
           SELECT count AS n FROM appeal_recent_registration_counts WHERE ${k} AND hour >= ${dayAgoHour}
           UNION ALL
           SELECT delta FROM appeal_registration_count_deltas WHERE ${k} AND hour >= ${dayAgoHour}
         )
         SELECT COALESCE(sum(o.n), 0)::int AS open,
                COALESCE(sum(o.n) FILTER (WHERE o.fast_track), 0)::int AS "fastTrackOpen",
                COALESCE(sum(o.n) FILTER (WHERE o.unclassified), 0)::int AS unclassified,
                (COALESCE(sum(o.n) FILTER (WHERE o.due_hour < ${hour}), 0)
                  + ${open(`AND a.answer_due_at >= ${hour} AND a.answer_due_at < now()`)})::int AS "overdueOpen",
                ((SELECT COALESCE(sum(r.n), 0) FROM r)
                  + ${received(`AND a.registered_at < ${dayAgoHour}`)})::int AS "received24h"
           FROM o`,
        params,
      );
      return row!;
    }
    const row = await this.one<DashboardTotalsRow>(
      `SELECT ${open('')} AS open,
              ${open('AND a.fast_track')} AS "fastTrackOpen",
              ${open('AND a.topic_id IS NULL')} AS "unclassified",
              ${open('AND a.answer_due_at < now()')} AS "overdueOpen",
              ${received('')} AS "received24h"`,
      params,
    );
    return row!;
  }

  fastTrack(scope: AccessScope): Promise<FastTrackRow[]> {
    const params: unknown[] = [];
    return this.rows<FastTrackRow>(
      `SELECT a.id, a.registration_number AS "registrationNumber", a.subject, left(a.text, 160) AS excerpt,
              a.status, a.channel, o.short_name AS "organisationName", a.time_zone AS "timeZone",
              a.registered_at AS "registeredAt", a.answer_due_at AS "answerDueAt",
              (SELECT min(COALESCE(ao.extended_until, ao.due_at)) FROM appeal_organisations ao
                WHERE ao.appeal_id = a.id AND ao.line = 2 AND ao.state = 'active') AS "line2DueAt",
              CASE WHEN a.line = 1 AND a.status IN ('registered', 'in_work') THEN a.escalation_due_at END
                AS "escalationDueAt"
         FROM appeals a JOIN organisations o ON o.id = a.organisation_id
        WHERE a.fast_track AND a.status IN (${OPEN}) AND ${appealScopeSql(scope, params, 'a')}
        ORDER BY a.answer_due_at, a.id LIMIT 100`,
      params,
    );
  }

  /**
   * Open appeals' clock marks at organisations in the scope, at risk or overdue: per organisation (one per
   * appeal and organisation, overdue when any of its marks there is) and per topic (one per appeal, overdue
   * when any of its marks in the scope is). From the maintained open clock counts (migrations OpenClockCounts,
   * AppealScopeCounts): the organisations' rows in the scope; per topic, region-wide the appeals' rows, within one
   * organisation its rows, within a subtree the subtree's rows. Any other list of several organisations counts
   * its topics from the marks, as an appeal marked at two of them is one appeal.
   */
  async clocks(
    scope: AccessScope,
    key: ScopeKey | undefined,
  ): Promise<{ byOrganisation: ClocksByOrganisationRow[]; byTopic: ClocksByTopicRow[] }> {
    const params: unknown[] = [];
    const chart = (dim: string, id: string, name: string) =>
      `SELECT '${dim}' AS dim, ${id} AS id, ${name} AS name,
              COALESCE(sum(c.n) FILTER (WHERE NOT c.overdue), 0)::int AS "atRisk",
              COALESCE(sum(c.n) FILTER (WHERE c.overdue), 0)::int AS overdue`;
    const byTopic = (rows: string) =>
      `${chart('topic', `COALESCE(t.id::text, 'none')`, `COALESCE(t.name, 'Без темы')`)}
         FROM ${rows} c LEFT JOIN topics t ON t.id = c.topic_id
        GROUP BY t.id, t.name HAVING sum(c.n) <> 0`;
    const inScope = organisationScopeSql(scope, params, 'c.organisation_id');
    const subtreeTopics = () => {
      params.push(key!.organisationId);
      return byTopic(`(SELECT * FROM counts WHERE subtree AND organisation_id = $${params.length}::uuid)`);
    };
    const topics =
      scope.organisationIds === null
        ? byTopic(`(SELECT * FROM counts WHERE organisation_id IS NULL)`)
        : scope.organisationIds.length <= 1
          ? byTopic(
              `(SELECT * FROM counts c WHERE c.organisation_id IS NOT NULL AND NOT c.subtree AND ${inScope})`,
            )
          : key?.subtree
            ? subtreeTopics()
            : byTopic(`(SELECT topic_id, bool_or(overdue) AS overdue, 1 AS n FROM (${markedSql(scope, params)}) x
                         GROUP BY appeal_id, topic_id)`);
    const rows = await this.rows<{
      dim: 'organisation' | 'topic';
      id: string;
      name: string;
      atRisk: number;
      overdue: number;
    }>(
      `WITH counts AS (
         SELECT organisation_id, topic_id, overdue, subtree, count AS n FROM open_clock_counts
         UNION ALL SELECT organisation_id, topic_id, overdue, subtree, delta FROM open_clock_count_deltas
       )
       ${chart('organisation', 'c.organisation_id::text', 'o.short_name')}
         FROM counts c JOIN organisations o ON o.id = c.organisation_id
        WHERE NOT c.subtree AND ${inScope}
        GROUP BY c.organisation_id, o.short_name HAVING sum(c.n) <> 0
       UNION ALL
       ${topics}
       ORDER BY dim, overdue DESC, "atRisk" DESC, name`,
      params,
    );
    return {
      byOrganisation: rows
        .filter((r) => r.dim === 'organisation')
        .map((r) => ({
          organisationId: r.id,
          organisationName: r.name,
          atRisk: r.atRisk,
          overdue: r.overdue,
        })),
      byTopic: rows
        .filter((r) => r.dim === 'topic')
        .map((r) => ({ topicId: r.id, topicName: r.name, atRisk: r.atRisk, overdue: r.overdue })),
    };
  }

  /**
   * Appeals registered per local day and channel, `from` and `to` inclusive: from the scope counts when the scope
   * has them, else from its appeals by registration time.
   */
  volume(scope: AccessScope, key: ScopeKey | undefined, from: string, to: string): Promise<VolumeRow[]> {
    const params: unknown[] = [from, to];
    if (key) {
      params.push(key.organisationId, key.subtree);
      const where = `COALESCE(organisation_id, '${NO_ID}'::uuid) = $3::uuid AND subtree = $4
                     AND day BETWEEN $1::date AND $2::date`;
      return this.rows<VolumeRow>(
        `SELECT to_char(c.day, 'YYYY-MM-DD') AS date, c.channel, sum(c.n)::int AS count
           FROM (SELECT day, channel, count AS n FROM appeal_registration_counts WHERE ${where}
                 UNION ALL SELECT day, channel, delta FROM appeal_registration_count_deltas WHERE ${where}) c
          GROUP BY c.day, c.channel HAVING sum(c.n) <> 0 ORDER BY 1, 2`,
        params,
      );
    }
    return this.rows<VolumeRow>(
      `SELECT to_char(${LOCAL_DAY}, 'YYYY-MM-DD') AS date, a.channel, count(*)::int AS count
         FROM appeals a
        WHERE ${LOCAL_DAY} BETWEEN $1::date AND $2::date AND ${appealScopeSql(scope, params, 'a')}
          -- The same days as a range the registration index can read (no zone is a day away from UTC).
          AND a.registered_at >= $1::date - interval '1 day' AND a.registered_at < $2::date + interval '2 days'
        GROUP BY 1, 2 ORDER BY 1, 2`,
      params,
    );
  }

  /** Ratings of the last 90 days by kind. */
  ratingsByKind(scope: AccessScope): Promise<RatingKindRow[]> {
    const params: unknown[] = [];
    return this.rows<RatingKindRow>(ratingsByKindSql(scope, params), params);
  }

  /** Poor-rating records of organisations in the scope, by organisation and topic. */
  poorRatings(scope: AccessScope): Promise<PoorRatingRow[]> {
    const params: unknown[] = [];
    return this.rows<PoorRatingRow>(
      `SELECT p.organisation_id AS "organisationId", o.short_name AS "organisationName",
              COALESCE(t.id::text, 'none') AS "topicId", COALESCE(t.name, 'Без темы') AS "topicName",
              count(*)::int AS count, array_agg(DISTINCT p.appeal_id) AS "appealIds",
              max(p.created_at) AS "lastAt"
         FROM poor_rating_records p JOIN organisations o ON o.id = p.organisation_id
         LEFT JOIN topics t ON t.id = p.topic_id
        WHERE ${organisationScopeSql(scope, params, 'p.organisation_id')}
        GROUP BY p.organisation_id, o.short_name, t.id, t.name
        ORDER BY count DESC, "lastAt" DESC LIMIT 100`,
      params,
    );
  }

  /** Appeals registered in the period (local dates, inclusive), answered on time or late, by group. */
  handled(
    scope: AccessScope,
    groupBy: ReportGroupBy,
    from: string,
    to: string,
    db: Db = this.pool,
  ): Promise<HandledRow[]> {
    const g = GROUP_SQL[groupBy];
    const params: unknown[] = [from, to];
    return this.rows<HandledRow>(
      `SELECT ${g.key} AS key, ${g.label} AS label,
              count(*)::int AS received,
              count(*) FILTER (WHERE a.answered_at IS NOT NULL)::int AS answered,
              count(*) FILTER (WHERE a.answered_at IS NOT NULL AND a.answered_at <= a.answer_due_at)::int AS "onTime",
              count(*) FILTER (WHERE a.answered_at > a.answer_due_at)::int AS late,
              count(*) FILTER (WHERE a.answered_at IS NULL AND a.status IN (${OPEN}))::int AS "inProgress",
              count(*) FILTER (WHERE a.answered_at IS NULL AND a.status IN (${OPEN})
                                 AND a.answer_due_at < now())::int AS "overdueOpen",
              count(*) FILTER (WHERE a.status = 'redirected')::int AS redirected
         FROM appeals a ${g.join}
        WHERE ${LOCAL_DAY} BETWEEN $1::date AND $2::date
          AND ${appealScopeSql(scope, params, 'a')}
          ${groupBy === 'organisation' ? `AND ${organisationScopeSql(scope, params, 'ao.organisation_id')}` : ''}
        GROUP BY 1, 2 ORDER BY received DESC, label`,
      params,
      db,
    );
  }
}

/**
 * The dashboard's ratings of the last 90 days by kind, within the scope. The scope is tested on each rating's
 * appeal id (appealScopeSql reads `<alias>.id`, here the rating's `appeal_id`): joined to `appeals` for it, the
 * planner read the whole appeals table (its primary key and, the table being written all day, its rows) for a
 * few hundred ratings — 30 ms of the 44 ms a view's statements took on 2 500 demo appeals, the slowest of them,
 * and growing with every appeal ever registered. The region's count now reads the ratings alone; a narrower
 * scope, the ratings' appeals' parts at its organisations.
 */
export function ratingsByKindSql(scope: AccessScope, params: unknown[]): string {
  return `SELECT ${ratingKindSql('r')} AS kind,
                 count(*)::int AS count, count(*) FILTER (WHERE r.poor)::int AS poor
            FROM ratings r CROSS JOIN LATERAL (SELECT r.appeal_id AS id) rated
           WHERE r.received_at >= now() - interval '90 days' AND ${appealScopeSql(scope, params, 'rated')}
           GROUP BY 1 ORDER BY 1`;
}

/**
 * Open appeals' marks, one row per appeal and organisation. The appeal's status and topic come from the open
 * appeals' partial index (id, topic) alone: the marks never shrink, the open appeals stay few.
 */
function markedSql(scope: AccessScope, params: unknown[]): string {
  return `
      SELECT m.appeal_id, m.organisation_id, a.topic_id, bool_or(m.kind = 'overdue') AS overdue
        FROM clock_marks m JOIN appeals a ON a.id = m.appeal_id
       WHERE a.status IN (${OPEN}) AND ${organisationScopeSql(scope, params, 'm.organisation_id')}
       GROUP BY m.appeal_id, m.organisation_id, a.topic_id`;
}
