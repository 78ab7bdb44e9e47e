import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type AccessScope,
  appealPersonalDataScopeSql,
  appealScopeLexemes,
  appealScopeSql,
  appealScopeTsquerySql,
} from '@inbox/access';
import { cursorInstantSql, decodeTimeIdCursor, encodeCursor, type PersonNames } from '@inbox/common';
import { conditionAdder, queryRows } from '@inbox/database';
import { type Channel } from '@inbox/integrations/contract';
import { type AppealStatus, OPEN_STATUSES } from '../appeal-status';
import { type Db } from './db';
import { type JoinApplicant } from '../workflow/join-applicants';
import { AppealSpread, type CommonTime, type DayCount } from './appeal-spread';
import { type RatingKind, ratingKindSql } from './ratings.repository';

export interface AppealListFilter {
  status?: AppealStatus[];
  organisationId?: string;
  /**
   * With organisationId: only where that organisation's part is still active (its own work), not one it returned,
   * answered or had closed, which the appeal keeps while it is open elsewhere.
   */
  holding?: boolean;
  channel?: Channel;
  /** The line the appeal is on now (the handled report's rows by line). */
  line?: 1 | 2;
  fastTrack?: boolean;
  /** Withdrawn by its author or the channel (a `withdrawn` history event), or not. */
  withdrawn?: boolean;
  /** 'mine': with a draft answer waiting for the caller's approval (as ApproveAnswerCommand would allow it). */
  approval?: 'mine';
  dueBefore?: Date;
  dueAfter?: Date;
  /** Search: Russian full text, the registration number or a fragment, the applicant's surname, phone, e-mail. */
  q?: string;
  /** The search matches the registration number only (an administrator's: no text, name, phone or e-mail). */
  numberSearchOnly?: boolean;
  /** 'me' = the caller. */
  assigneeId?: string;
  /** A topic or subtopic id, or 'none' for the manual classification queue. */
  topicId?: string;
  /** Classification state; 'manual' = the manual classification queue (items nobody has classified yet). */
  classification?: 'pending' | 'auto' | 'manual' | 'confirmed';
  /** Open clock marks: 'overdue', or 'at-risk' and not (yet) overdue; at organisationId when given. */
  clock?: 'at-risk' | 'overdue';
  registeredAfter?: Date;
  registeredBefore?: Date;
  /** Exactly these appeals (a drill-down from a report). */
  ids?: string[];
  /** Rated by the applicant with this kind (the dashboard's ratings), since ratedAfter when given. */
  rating?: RatingKind;
  ratedAfter?: Date;
  sort?: 'registered' | 'due';
  limit?: number;
  cursor?: string;
}

export interface AppealSummary {
  id: string;
  registrationNumber: string;
  registeredAt: Date;
  regime: string;
  channel: string;
  subject: string | null;
  excerpt: string;
  status: AppealStatus;
  fastTrack: boolean;
  organisationId: string;
  organisationName: string;
  answerDueDate: string;
  answerDueAt: Date;
}

/** An organisation holding a line-2 part of the appeal. */
export interface AppealPartSummary {
  organisationId: string;
  organisationName: string;
  state: string;
  dueAt: Date | null;
}

/** A list row: the summary, plus what a queue shows of the work (zone, assignee, parts, the viewer's clock). */
export interface AppealListItem extends AppealSummary {
  timeZone: string;
  assigneeId: string | null;
  assigneeName: string | null;
  parts: AppealPartSummary[];
  /**
   * The nearest open clock of the viewer's own part: for an organisation's staff its line-2 term; for line 1
   * the escalation term while the appeal waits at line 1, else the earliest open line-2 term; the 59-ФЗ answer
   * term when there is no other.
   */
  nextDueAt: Date;
  nextDueKind: 'escalation' | 'line2' | 'answer';
  /** Who withdrew it, by the first withdrawal in its history: the author, or the channel (ПОС moderation). */
  withdrawnBy: 'author' | 'channel' | null;
}

/** What a workflow command reads of the appeal it changes, locked for the rest of its transaction. */
export interface LockedAppeal {
  id: string;
  registration_number: string;
  registered_at: Date;
  received_at: Date;
  status: AppealStatus;
  /** 'appeal' (59-ФЗ) or 'message' (outside 59-ФЗ). */
  regime: string;
  channel: string;
  organisation_id: string;
  assignee_id: string | null;
  topic_id: string | null;
  subject: string | null;
  line: number;
  fast_track: boolean;
  /** How many times a poor rating reopened it (each reopening gave a fresh term). */
  reopen_count: number;
  time_zone: string;
  answer_due_date: string;
  redirect_due_at: Date;
  escalation_due_at: Date | null;
  extended: boolean;
  applicant_id: string;
}

/** An appeal another may be joined into, as the join checks it. */
export interface JoinTarget {
  id: string;
  registration_number: string;
  registered_at: Date;
  status: AppealStatus;
  joined_into_id: string | null;
  joined_into_number: string | null;
}

/** An appeal the card offers to join into. */
export interface JoinCandidateRow {
  id: string;
  registrationNumber: string;
  registeredAt: Date;
  status: AppealStatus;
  channel: string;
  subject: string | null;
  excerpt: string;
  /** The one the appeal's «repeated» flag names. */
  flagged: boolean;
  /** The appeal it was joined into itself, if any (then it takes no join). */
  joined_into_id: string | null;
  joined_into_number: string | null;
}

/** Columns a workflow command may set, by their names in code. */
/** What the citizen's status page needs of an appeal found by its registration number. */
export interface AppealByNumber {
  id: string;
  registration_number: string;
  status: AppealStatus;
  registered_at: Date;
  due: string;
  access_code_hash: string;
  /** The appeal's IANA zone (its organisation's): the one its dates are read in. */
  time_zone: string;
}

export interface AppealChanges {
  status?: AppealStatus;
  assigneeId?: string | null;
  topicId?: string | null;
  subtopicId?: string | null;
  subject?: string | null;
  line?: number;
  organisationId?: string;
  timeZone?: string;
  answerDueDate?: string;
  answerDueAt?: Date;
  extended?: boolean;
  extensionReason?: string | null;
  fastTrack?: boolean;
  deadlineWarnings?: string;
  answeredAt?: Date | null;
  closedAt?: Date | null;
  /** The earlier appeal this one was joined into (the same appeal sent twice). */
  joinedIntoId?: string;
}

/** The applicant's fields staff may complete or correct; null clears one. */
export interface ApplicantChanges {
  surname?: string | null;
  firstName?: string | null;
  patronymic?: string | null;
  phone?: string | null;
  email?: string | null;
  postalAddress?: string | null;
}

/** The applicant's names escalation requires and where an answer may go, as stored. */
export interface ApplicantContacts {
  first_name: string | null;
  patronymic: string | null;
  phone: string | null;
  email: string | null;
  postal_address: string | null;
}

const APPLICANT_COLUMN: Record<keyof ApplicantChanges, string> = {
  surname: 'surname',
  firstName: 'first_name',
  patronymic: 'patronymic',
  phone: 'phone',
  email: 'email',
  postalAddress: 'postal_address',
};

const COLUMN: Record<keyof AppealChanges, string> = {
  status: 'status',
  assigneeId: 'assignee_id',
  topicId: 'topic_id',
  subtopicId: 'subtopic_id',
  subject: 'subject',
  line: 'line',
  organisationId: 'organisation_id',
  timeZone: 'time_zone',
  answerDueDate: 'answer_due_date',
  answerDueAt: 'answer_due_at',
  extended: 'extended',
  extensionReason: 'extension_reason',
  fastTrack: 'fast_track',
  deadlineWarnings: 'deadline_warnings',
  answeredAt: 'answered_at',
  closedAt: 'closed_at',
  joinedIntoId: 'joined_into_id',
};

const SUMMARY_COLUMNS = `a.id, a.registration_number, a.registered_at, a.regime, a.channel, a.subject,
  left(a.text, 200) AS excerpt, a.status, a.fast_track, a.organisation_id, o.short_name AS organisation_name,
  to_char(a.answer_due_date, 'YYYY-MM-DD') AS answer_due_date, a.answer_due_at`;

/**
 * How far back, in days of registration time from the page's start, a newest-first search looks before it
 * widens; the last is unbounded. Each window reads only the matches inside it (the text's GIN and the
 * registration index together), so a common word costs a month's matches, not the table's.
 */
const SEARCH_WINDOWS_DAYS = [30, 180, 730, null];

const HOUR_MS = 3_600_000;
/**
 * The narrowest window, a millisecond: a batch registered at once holds one time, and a registration pass stamps a
 * batch every few hundred milliseconds; a window of an hour (once the least) spanned every burst of the hour, one of
 * a second four batches. Narrower than the hour buckets, the window's bounds keep its rows (read by the buckets).
 */
const MIN_WINDOW_MS = 1;
/** A search's count stops here (a page of the list at its largest). */
export const SEARCH_COUNT_CAP = 200;
const RECENT_SEARCH_MAX_WINDOWS = 12;
/**
 * The first window holds as many appeals as a page of a word in one appeal of this many, unless the text's
 * statistics (wordShare) know the query's words as more common.
 */
const FIRST_WINDOW_SHARE = 40;

/**
 * The share of appeals a query's text matches at most, from the lexemes the statistics of `search_vector` list
 * as most common (`shares`, pg_stats' most_common_elems): the share of its rarest word when it only ANDs words
 * (an OR or a NOT: unknown); a word not listed counts as one in FIRST_WINDOW_SHARE.
 */
export function wordShare(
  query: string,
  shares: Map<string, number>,
  unlisted = 1 / FIRST_WINDOW_SHARE,
): number {
  const fallback = 1 / FIRST_WINDOW_SHARE;
  const lexemes = [...query.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'"));
  if (!lexemes.length || /[|!]/.test(query.replace(/'((?:[^']|'')*)'/g, ''))) return fallback;
  return Math.min(...lexemes.map((l) => shares.get(l) ?? unlisted));
}

/**
 * The last, unbounded query of the windowed search reads the text's matches through its GIN and orders them itself
 * when its words are expected to match at most this many of the appeals it spans (a word the statistics do not
 * list counts as none): ordered by time with a limit, the planner walked the time's index testing the text on
 * every row for a word it takes for one appeal in 200 (at 1 M «грузовик», 46 matches, filtered 847 499 rows).
 */
const RARE_REST_MATCHES = 2_000;

/**
 * The windowed search's index expression (migration AppealSearchScopeIndex, repeated here exactly so the planner
 * matches it): the text's lexemes and lexemes no text can produce ('#' splits words): the hour of registration
 * ('h') and of the answer's due time ('d') at 1, 16, 256 and 4096 hours (UTC), the status ('s#') and each
 * organisation holding a part ('o#', the scope: appealScopeLexemes).
 */
export const APPEAL_SEARCH_INDEX_SQL = `(a.search_vector
        || appeal_search_terms(a.registered_at, a.answer_due_at, a.status, a.part_organisation_ids))`;

/**
 * The same lexemes under each organisation holding a part (migration AppealSearchPerOrganisation, repeated here
 * exactly): a search in an organisation scope matches it against its query scoped by appealScopeTsquerySql, so a
 * window's buckets and a word's list are the scope's own postings, whatever the size of the table.
 */
export const APPEAL_SCOPE_SEARCH_INDEX_SQL = `appeal_scope_search_terms(a.search_vector, a.registered_at,
        a.answer_due_at, a.status, a.part_organisation_ids)`;

/**
 * A window of at most this many appeals, region-wide and with no status asked for, is read by walking the order's
 * index over it and testing each row's text (`ts_match_vq`, the function of `@@`, which no index serves). A
 * frequent word's first window holds about twice a page (a word in half the appeals); offered the GIN, the planner
 * chose by its estimates between intersecting the window's hour buckets with the word's postings and walking the
 * order's index while computing the whole index expression for every row. At 10 M bench appeals, planned before
 * the table's ANALYZE, it took the GIN for «прошу» (in 5.2 M appeals), and as the window's appeals lie apart in the
 * table (the bench's fill spreads registration times over its rows) that read a leaf of the postings for nearly
 * every appeal of the window: 1 012 buffers for 200 matches, growing with the table; with statistics it walked
 * (101 buffers, 1.2–1.6 ms, planned in 0.7–3.4 ms). Walked with the text alone: 101 buffers, 0.2 ms, planned in
 * 0.25 ms, whatever the estimates, the table's size or its order.
 */
const WALKED_WINDOW_MAX = 500;

/** The bucket sizes of the index, in hours, smallest first. */
const BUCKET_HOURS = [1, 16, 256, 4096];
/**
 * A window asks for at most this many buckets: the GIN tests every bucket asked for at each match of the word
 * (in the whole table, not just the window), so fifty small buckets cost a rare word a second of CPU where a few
 * cost milliseconds. Fewer than eight made the cover too coarse: a 49-day window of a rare word by due date took
 * two 4096-hour buckets (340 days, seven times its matches), and the planner then ANDed in the due time's btree
 * over the window's 67 000 rows (43 ms at 1 M appeals); five 256-hour buckets hand over the window's matches
 * only (5 ms). The window's bounds keep the exact rows.
 */
const WINDOW_BUCKETS = 8;

/** How long the appeals' spread over a time column, read from its statistics, is used before it is read again. */
const SPREAD_TTL_MS = 5 * 60_000;

/**
 * A tsquery matching the buckets of one size that cover [from, to] (milliseconds): the smallest size that needs
 * at most WINDOW_BUCKETS (the largest size beyond that). It reaches past the window (the window's own time
 * condition keeps the exact bounds). `kind`: 'h' registration, 'd' the answer's due time.
 */
export function bucketQuery(from: number, to: number, kind: 'h' | 'd' = 'h'): string {
  const first = Math.floor(from / HOUR_MS);
  const last = Math.floor(to / HOUR_MS);
  const size =
    BUCKET_HOURS.find((h) => Math.floor(last / h) - Math.floor(first / h) < WINDOW_BUCKETS) ?? 4096;
  const terms: string[] = [];
  for (let b = Math.floor(first / size); b <= Math.floor(last / size); b++)
    terms.push(`'${kind}${size}#${b}'`);
  return terms.join(' | ');
}

/**
 * Filters the windowed search serves: those the index holds (status, scope) or that most appeals pass (channel,
 * fast track, registration dates). A rarer filter (an assignee, a topic, marks, ids, due dates, ratings) is better
 * read from its own index first, which the union of the ways of matching below leaves to the planner.
 */
const RECENT_SEARCH_FILTERS = (f: AppealListFilter) =>
  !f.ids?.length &&
  !f.assigneeId &&
  !f.topicId &&
  !f.classification &&
  !f.clock &&
  !f.rating &&
  !f.ratedAfter &&
  f.withdrawn === undefined &&
  !f.approval &&
  !f.organisationId &&
  !f.dueBefore &&
  !f.dueAfter;

/** A page's size: 50 unless asked, 1 to 200. */
const pageLimit = (filter: AppealListFilter) => Math.min(Math.max(filter.limit ?? 50, 1), 200);

/** Appends a parameter, returning its placeholder. */
function push(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

/**
 * The `appeals` table, and `appeal_incidents` (an appeal's incident, written by linkToIncidents): every read by
 * staff composes the organisation scope.
 */
@Injectable()
export class AppealsRepository {
  /** The statistics of each time column the search windows, with when they were read. */
  private readonly spreads = new Map<
    string,
    { read: number; bounds: number[]; common: CommonTime[]; nullFrac: number }
  >();
  /** The registrations per day of each set of statuses a search asked for, with when they were read. */
  private readonly statusDays = new Map<string, { read: number; days: DayCount[] }>();
  /** The text's most common lexemes and their shares, with when they were read. */
  private words: { read: number; shares: Map<string, number> } | undefined;

  constructor(private readonly dataSource: DataSource) {}

  /**
   * How many appeals of the caller's scope the filter selects (the whole result, not a page). A search counts
   * its matches up to SEARCH_COUNT_CAP (`capped`: there are more): counting every match of a common word read
   * hundreds of thousands of rows at millions of appeals; the count is the first pages of the list itself.
   */
  async count(filter: AppealListFilter, scope: AccessScope): Promise<{ total: number; capped: boolean }> {
    if (!filter.numberSearchOnly && filter.q?.trim()) {
      const { cursor: _, ...first } = filter;
      const rows = await this.pageRows({ ...first, limit: SEARCH_COUNT_CAP }, scope, 'a.id');
      return { total: Math.min(rows.length, SEARCH_COUNT_CAP), capped: rows.length > SEARCH_COUNT_CAP };
    }
    const params: unknown[] = [];
    const where = this.filterWhere(filter, scope, params);
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS count FROM appeals a WHERE ${where.join(' AND ')}`,
      params,
    )) as { count: number }[];
    return { total: row.count, capped: false };
  }

  async list(
    filter: AppealListFilter,
    scope: AccessScope,
  ): Promise<{ items: AppealListItem[]; nextCursor: string | null }> {
    const limit = pageLimit(filter);
    const rows = await this.pageRows(filter, scope);
    const page = rows.slice(0, limit).map(toListItem);
    const last = rows[limit - 1];
    const nextCursor = rows.length > limit && last ? encodeCursor([last.cursor_at, last.id]) : null;
    return { items: page, nextCursor };
  }

  /** The page's rows and the one after it: the list's columns, or `columns` (a search's count reads only ids). */
  private async pageRows(
    filter: AppealListFilter,
    scope: AccessScope,
    columns?: string,
  ): Promise<Record<string, unknown>[]> {
    const limit = pageLimit(filter);
    const q = filter.numberSearchOnly ? undefined : filter.q?.trim();
    const sortColumn = filter.sort === 'due' ? 'a.answer_due_at' : 'a.registered_at';
    const direction = filter.sort === 'due' ? 'ASC' : 'DESC';
    const order = `${sortColumn} ${direction}, a.id ${direction}`;
    const cursor = filter.cursor ? decodeTimeIdCursor(filter.cursor) : undefined;
    // Conditions shared by every query of this page: the filter (without the search), the scope and the cursor.
    const conditions = (params: unknown[], within: AccessScope = scope): string[] => {
      const where = this.filterWhere(q ? { ...filter, q: undefined } : filter, within, params);
      if (cursor) {
        // The instant as the database's text, microseconds included: a Date would drop them (see cursorInstantSql).
        params.push(cursor.atText, cursor.id);
        const op = direction === 'ASC' ? '>' : '<';
        where.push(
          `(${sortColumn}, a.id) ${op} ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
        );
      }
      return where;
    };
    // The text's matches, found window by window of registration or due time (the index of migration
    // AppealSearchScopeIndex); the other ways of matching and the rarer filters keep the path below.
    const textIds =
      q && RECENT_SEARCH_FILTERS(filter)
        ? await this.windowedTextMatches(q, filter, scope, conditions, limit + 1, cursor?.at)
        : undefined;
    // A search newest first looks back from the page's start through widening windows of registration time and
    // stops at the first that holds a page: any appeal outside a window is older than every one inside it.
    // «Мои» reads the caller's appeals whole by index in every window: one query, no windows.
    const windows =
      q && filter.sort !== 'due' && !textIds && !filter.assigneeId ? SEARCH_WINDOWS_DAYS : [null];
    let rows: Record<string, unknown>[] = [];
    for (const days of windows) {
      const params: unknown[] = [];
      let where = conditions(params);
      if (days !== null) {
        params.push(cursor?.at ?? new Date(), days);
        where.push(
          `a.registered_at >= $${params.length - 1}::timestamptz - make_interval(days => $${params.length}::int)`,
        );
      }
      params.push(limit + 1);
      const pageSize = `$${params.length}`;
      if (!q && filter.clock === 'overdue' && scope.organisationIds) {
        // A clerk's overdue queue: the page's ids first, by an index-only scan of the flagged appeals' index in
        // the queue's order with the scope tested inside it (migration OverdueScopeInIndex), instead of a probe
        // of the parts for every row walked; the rows are then checked against the scope itself.
        const inner = conditions(params, { ...scope, organisationIds: null });
        inner.push(`a.part_organisation_ids && ${push(params, scope.organisationIds)}::uuid[]`);
        where.push(
          `a.id IN (SELECT a.id FROM appeals a WHERE ${inner.join(' AND ')} ORDER BY ${order} LIMIT ${pageSize})`,
        );
      } else if (q && filter.assigneeId) {
        // «Мои»: the caller's appeals (read by index, bounded by what one person holds) are tested against every
        // way of matching in one pass; as arms, each way read all of them again (three times the rows).
        where.push(`(${searchArms(q, params, scope).join(' OR ')})`);
      } else if (q) {
        // A search is bounded: each way of matching takes its own first page with every other condition, in the
        // list's order, by whichever index serves it (the text's GIN, the order's index, the registration time's);
        // the page is the first of their union. Matching everything and sorting it grew with the table.
        const arms = searchArms(q, params, scope).map(
          (arm) =>
            `(SELECT a.id FROM appeals a WHERE ${[...where, arm].join(' AND ')} ORDER BY ${order} LIMIT ${pageSize})`,
        );
        if (textIds) {
          params.push(textIds);
          arms[0] = `(SELECT unnest($${params.length}::uuid[]))`;
        }
        where = [`a.id IN (${arms.join(' UNION ')})`];
        // The text's windows keep to an organisation scope by the index's lexemes and the parts' array
        // (windowedTextMatches); the page's rows are checked against the scope itself (a probe of the parts each,
        // whose pages the list's columns read anyway).
        if (textIds && scope.organisationIds) where.push(appealScopeSql(scope, params, 'a'));
      }
      let select = `SELECT ${columns} FROM appeals a`;
      if (!columns) {
        params.push(scope.organisationIds);
        select = `SELECT ${SUMMARY_COLUMNS}, ${listColumns(`$${params.length}::uuid[]`)},
                  ${cursorInstantSql(sortColumn)} AS cursor_at
             FROM appeals a JOIN organisations o ON o.id = a.organisation_id
             LEFT JOIN users u ON u.id = a.assignee_id`;
      }
      rows = (await this.dataSource.query(
        `${select} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${pageSize}`,
        params,
      )) as Record<string, unknown>[];
      if (rows.length > limit) break;
    }
    return rows;
  }

  /**
   * The first `wanted` appeals in the list's order (newest first, or by due time) whose text matches `q` under
   * the page's other `conditions`. It reads disjoint windows of registration (or due) time going on from the
   * page's start (the newest appeal or the earliest due, or the cursor), sized in appeals (AppealSpread, from the
   * column's histogram), not time: the first spans as many as hold a page of a word found in one appeal of 40 (an
   * hour at least), each next sized from the matches the windows so far held (a quarter to four times as many
   * appeals as the last, sixteen while none matched), so a window holds about what the page still needs.
   * Each window's words, hour buckets, statuses and scope are intersected inside one GIN
   * (APPEAL_SEARCH_INDEX_SQL; in an organisation scope APPEAL_SCOPE_SEARCH_INDEX_SQL, whose entries are the
   * scope's own, so that a window reads the organisation's appeals in it and a word the organisation's matches),
   * so only matches the page can use are read from the table, whatever the size of the table, how common the
   * word, or how small the scope. After twelve windows, or once a window reaches the
   * last appeal, the rest is one query without hour buckets (statuses and scope still inside the index).
   */
  private async windowedTextMatches(
    q: string,
    filter: AppealListFilter,
    scope: AccessScope,
    conditions: (params: unknown[], within?: AccessScope) => string[],
    wanted: number,
    cursorAt: Date | undefined,
  ): Promise<string[]> {
    const byDue = filter.sort === 'due';
    const column = byDue ? 'a.answer_due_at' : 'a.registered_at';
    const [bounds] = await queryRows<{ first: Date | null; last: Date | null; rows: number; query: string }>(
      this.dataSource.manager,
      `SELECT min(${column}) AS first, max(${column}) AS last,
              (SELECT reltuples FROM pg_class WHERE oid = 'appeals'::regclass)::float8 AS rows,
              websearch_to_tsquery('russian', $1)::text AS query FROM appeals a`,
      [q],
    );
    if (!bounds?.first || !bounds.last) return [];
    const first = bounds.first.getTime();
    const last = bounds.last.getTime();
    // Statuses and the scope, inside the index in every window and in the rest.
    const terms: string[] = [];
    if (filter.status?.length)
      terms.push(filter.status.map((s) => `'s#${s.replace(/['\\]/g, '\\$&')}'`).join(' | '));
    // An organisation scope: the whole query under the scope's organisations, in the per-organisation index;
    // region-wide (or no organisation), the scope's lexemes, if any, in the region's index.
    const perOrganisation = !!scope.organisationIds?.length;
    const inScope = perOrganisation ? null : appealScopeLexemes(scope);
    if (inScope) terms.push(inScope);
    // Newest first, windows go back from the cursor or now; by due time, forward from the cursor or the earliest.
    let edge = cursorAt?.getTime() ?? (byDue ? first : Math.max(last, Date.now()));
    const rows = Math.max(bounds.rows, 1);
    const spread = await this.spread(
      byDue ? 'answer_due_at' : 'registered_at',
      rows,
      first,
      last,
      byDue ? undefined : filter.status,
    );
    // Windows are sized in appeals, not time (AppealSpread): the first holds what a page needs of the query's words
    // at their share in the text's statistics (a word in half the appeals: twice the page, not forty times).
    let size = wanted / wordShare(bounds.query, await this.wordShares());
    // The appeals the windows so far have spanned: their matches over it are the word's rate in the scope.
    let read = 0;
    const ids: string[] = [];
    for (let step = 0; ids.length < wanted; step++) {
      // In whole milliseconds (what the statement gets), outwards: a time most common in the statistics (a batch
      // registered at once) steps up within its millisecond, and a window reaching into it holds all of it.
      // Newest first, from the newest appeal: none lies between it and now.
      const start = spread.position(byDue ? edge : Math.min(edge, last + 1));
      const reach = spread.at(start + (byDue ? size : -size));
      const far = byDue ? Math.ceil(reach) : Math.floor(reach);
      const [from, to] = byDue
        ? [edge, Math.max(far, edge + MIN_WINDOW_MS)]
        : [Math.min(far, edge - MIN_WINDOW_MS), edge];
      const rest = (byDue ? to > last : from <= first) || step >= RECENT_SEARCH_MAX_WINDOWS;
      const params: unknown[] = [];
      // In an organisation scope the index's lexemes are the scope's own, so the parts' array on the row (what
      // they were made from) keeps to it; probing the parts for every match (a page read each, most of a cold
      // window's time) was the scope test of rows the page may not even use. pageRows checks the page's rows.
      const where = perOrganisation
        ? [
            ...conditions(params, { ...scope, organisationIds: null }),
            `a.part_organisation_ids && ${push(params, scope.organisationIds)}::uuid[]`,
          ]
        : conditions(params);
      // Windows are [from, to): the first is open towards the page's start (the cursor, if any, bounds it), each
      // next begins where the last ended, so together they hold every appeal exactly once; the rest is open on.
      if (byDue ? step > 0 : !rest) where.push(`${column} >= ${push(params, new Date(from))}::timestamptz`);
      if (byDue ? !rest : step > 0) where.push(`${column} < ${push(params, new Date(to))}::timestamptz`);
      const text = push(params, q);
      // A small window with nothing to narrow it in the index (region-wide, no status) is walked in the order's
      // index, each row's text tested (WALKED_WINDOW_MAX).
      const walked =
        !rest &&
        !perOrganisation &&
        terms.length === 0 &&
        Math.abs(spread.position(to) - spread.position(from)) <= WALKED_WINDOW_MAX;
      const buckets = rest || walked ? terms : [bucketQuery(from, to, byDue ? 'd' : 'h'), ...terms];
      const query = buckets.length
        ? `(websearch_to_tsquery('russian', ${text}) && ${push(params, buckets.map((b) => `(${b})`).join(' & '))}::tsquery)`
        : `websearch_to_tsquery('russian', ${text})`;
      const scoped = perOrganisation ? appealScopeTsquerySql(scope, params, query) : null;
      where.push(
        `numnode(websearch_to_tsquery('russian', ${text})) > 0`,
        scoped
          ? `${APPEAL_SCOPE_SEARCH_INDEX_SQL} @@ ${scoped}`
          : walked
            ? `ts_match_vq(a.search_vector, websearch_to_tsquery('russian', ${text}))`
            : buckets.length
              ? `${APPEAL_SEARCH_INDEX_SQL} @@ ${query}`
              : `a.search_vector @@ ${query}`,
      );
      const order = byDue ? 'a.answer_due_at ASC, a.id ASC' : 'a.registered_at DESC, a.id DESC';
      // The rest of a rare word: its matches first (OFFSET 0 keeps the order and limit out of the subquery, so the
      // planner cannot walk the time's index for them), then ordered.
      const spanned = byDue
        ? spread.position(last + 1) - spread.position(edge)
        : spread.position(Math.min(edge, last + 1)) - spread.position(first);
      const fenced =
        rest && wordShare(bounds.query, await this.wordShares(), 0) * spanned <= RARE_REST_MATCHES;
      const matching = where.join(' AND ');
      const found = await queryRows<{ id: string }>(
        this.dataSource.manager,
        `SELECT a.id FROM ${fenced ? `(SELECT a.id, ${column} FROM appeals a WHERE ${matching} OFFSET 0) a` : `appeals a WHERE ${matching}`}
          ORDER BY ${order} LIMIT ${push(params, wanted - ids.length)}`,
        params,
      );
      ids.push(...found.map((r) => r.id));
      if (rest) break;
      // The next window is sized to hold half as much again as the page still needs, and four, at the rate of all
      // windows so far: every match in a window is read from the table to be ordered, so a surplus match costs a
      // page read, and a window short of it one more scan. It may shrink to a quarter (a last window for a few
      // matches) and grows at most four times once anything matched (at 2 M appeals by due date, sixteen times
      // from a window with two matches read 3 000 for a page of 51). While nothing matched it grows sixteen
      // times: eight took a fourth window at 10 M, which reached 77 days past the sparse first days of due times
      // and read 7 000 matches (0.4 s) where sixteen reads 2 000 (0.1 s).
      read += spread.position(to) - spread.position(from);
      const wanting = ((1.5 * (wanted - ids.length) + 4) * read) / Math.max(ids.length, 1);
      size = Math.min(Math.max(wanting, size / 4), size * (ids.length ? 4 : 16));
      edge = byDue ? to : from;
    }
    return ids;
  }

  /**
   * How the appeals lie along `column` (AppealSpread): its histogram and most common values from pg_stats, kept
   * SPREAD_TTL_MS (the statistics change only with ANALYZE); `rows` the table's, `first`/`last` the column's
   * extremes. With `statuses` (registration time only): the appeals of those statuses, from their counts per day
   * (appeal_daily_counts, kept by the appeals' triggers), placed within each day as the whole table is.
   */
  private async spread(
    column: 'answer_due_at' | 'registered_at',
    rows: number,
    first: number,
    last: number,
    statuses?: string[],
  ): Promise<AppealSpread> {
    let known = this.spreads.get(column);
    if (!known || Date.now() - known.read > SPREAD_TTL_MS) {
      const [stats] = await queryRows<{
        bounds: string[] | null;
        common: string[] | null;
        shares: number[] | null;
        null_frac: number;
      }>(
        this.dataSource.manager,
        `SELECT array_to_json(s.histogram_bounds::text::timestamptz[]) AS bounds,
                array_to_json(s.most_common_vals::text::timestamptz[]) AS common,
                array_to_json(s.most_common_freqs) AS shares, s.null_frac::float8 AS null_frac
           FROM pg_stats s JOIN pg_class c ON c.oid = 'appeals'::regclass
           JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname
          WHERE s.tablename = 'appeals' AND s.attname = $1`,
        [column],
      );
      // With no statistics (a table never analysed) every window is sized at the table's average rate.
      const bounds = (stats?.bounds ?? []).map((b) => new Date(b).getTime());
      const common = (stats?.common ?? []).map((c, i) => ({
        at: new Date(c).getTime(),
        share: stats?.shares?.[i] ?? 0,
      }));
      known = {
        read: Date.now(),
        bounds: bounds.every(Number.isFinite) ? bounds : [],
        common: common.every((c) => Number.isFinite(c.at)) ? common : [],
        nullFrac: stats?.null_frac ?? 0,
      };
      this.spreads.set(column, known);
    }
    const perMs = rows / Math.max(last - first, HOUR_MS);
    const whole = AppealSpread.ofStatistics(known.bounds, known.common, rows, perMs, known.nullFrac);
    // Open statuses only: their counts are read by a partial index (migration AppealDailyCounts); the closed ones
    // are most of the table (at 1 M appeals 311 000 rows of counts, a whole scan), and lie about as it does.
    if (!statuses?.length || !statuses.every((s) => (OPEN_STATUSES as readonly string[]).includes(s)))
      return whole;
    const days = await this.registrationsPerDay(statuses);
    const counted = days.reduce((s, d) => s + d.count, 0);
    if (counted <= 0) return whole;
    // The first and last days end at the first and last appeal (the day's counts lie within them).
    const clipped = days.map((d) => ({
      from: Math.max(d.from, Math.min(first, d.to - 1)),
      to: Math.min(d.to, Math.max(last + 1, d.from + 1)),
      count: d.count,
    }));
    return AppealSpread.ofDays(clipped, whole, (perMs * counted) / rows);
  }

  /**
   * Appeals registered per local day in each of `statuses`, from the counts the appeals' triggers keep (migration
   * AppealDailyCounts; the deltas not yet folded added), kept SPREAD_TTL_MS. A day is a local date in the
   * appeal's own zone: its bounds are taken in the zone most organisations have.
   */
  private async registrationsPerDay(statuses: string[]): Promise<DayCount[]> {
    const key = [...new Set(statuses)].sort().join(',');
    let known = this.statusDays.get(key);
    if (!known || Date.now() - known.read > SPREAD_TTL_MS) {
      // Literals (open statuses, checked by the caller), so the planner takes the counts' partial index.
      const among = key
        .split(',')
        .map((s) => `'${s}'`)
        .join(', ');
      const rows = await queryRows<{ from: number; to: number; count: number }>(
        this.dataSource.manager,
        `WITH z AS (SELECT COALESCE((SELECT time_zone FROM organisations GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1),
                               'UTC') AS time_zone),
              c AS (SELECT day, sum(n)::float8 AS count FROM (
                      SELECT day, count AS n FROM appeal_daily_counts WHERE status IN (${among})
                      UNION ALL SELECT day, delta FROM appeal_count_deltas WHERE status IN (${among})) x
                     GROUP BY day HAVING sum(n) > 0)
         SELECT extract(epoch FROM c.day::timestamp AT TIME ZONE z.time_zone)::float8 * 1000 AS "from",
                extract(epoch FROM (c.day + 1)::timestamp AT TIME ZONE z.time_zone)::float8 * 1000 AS "to",
                c.count
           FROM c CROSS JOIN z ORDER BY c.day`,
      );
      known = { read: Date.now(), days: rows };
      this.statusDays.set(key, known);
    }
    return known.days;
  }

  /**
   * The share of appeals holding each lexeme the statistics of `search_vector` list as most common (pg_stats), kept
   * SPREAD_TTL_MS.
   */
  private async wordShares(): Promise<Map<string, number>> {
    if (!this.words || Date.now() - this.words.read > SPREAD_TTL_MS) {
      const [stats] = await queryRows<{ lexemes: string[] | null; shares: number[] | null }>(
        this.dataSource.manager,
        `SELECT array_to_json(s.most_common_elems::text::text[]) AS lexemes,
                array_to_json(s.most_common_elem_freqs) AS shares
           FROM pg_stats s JOIN pg_class c ON c.oid = 'appeals'::regclass
           JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname
          WHERE s.tablename = 'appeals' AND s.attname = 'search_vector'`,
      );
      // The shares follow the lexemes one for one (three more at the end: the least, the most, the null share).
      const shares = new Map((stats?.lexemes ?? []).map((l, i) => [l, stats?.shares?.[i] ?? 0]));
      this.words = { read: Date.now(), shares };
    }
    return this.words.shares;
  }

  /** The list's conditions: the scope first, then each filter given. */
  private filterWhere(filter: AppealListFilter, scope: AccessScope, params: unknown[]): string[] {
    const where: string[] = [appealScopeSql(scope, params, 'a')];
    const add = conditionAdder(params, where);
    if (filter.status?.length) add('a.status = ANY(?)', filter.status);
    if (filter.organisationId) {
      add(
        `EXISTS (SELECT 1 FROM appeal_organisations ao WHERE ao.appeal_id = a.id AND ao.organisation_id = ?
          ${filter.holding ? `AND ao.state = 'active'` : ''})`,
        filter.organisationId,
      );
    }
    if (filter.channel) add('a.channel = ?', filter.channel);
    if (filter.line) add('a.line = ?', filter.line);
    if (filter.fastTrack !== undefined) add('a.fast_track = ?', filter.fastTrack);
    if (filter.withdrawn !== undefined) {
      // The withdrawn appeals' ids first, by the partial index of migration WithdrawnAppealIndex.
      where.push(`${filter.withdrawn ? '' : 'NOT '}a.id = ANY (ARRAY(SELECT e.appeal_id FROM appeal_events e
        WHERE e.type = 'withdrawn'))`);
    }
    if (filter.approval === 'mine') where.push(awaitingApprovalSql(scope, params));
    if (filter.dueBefore) add('a.answer_due_at < ?', filter.dueBefore);
    if (filter.dueAfter) add('a.answer_due_at >= ?', filter.dueAfter);
    if (filter.q?.trim() && filter.numberSearchOnly) {
      add('a.registration_number LIKE ?', `%${likeLiteral(filter.q.trim())}%`);
    } else if (filter.q?.trim()) where.push(searchSql(filter.q.trim(), params, scope));
    if (filter.assigneeId) {
      // The appeal's assignee (line 1) or the assignee of one of its parts (line 2).
      // Read first, by their indexes, into an array (an OR with an EXISTS made the planner walk the whole order).
      params.push(filter.assigneeId === 'me' ? scope.userId : filter.assigneeId);
      const who = `$${params.length}::uuid`;
      where.push(`a.id = ANY (ARRAY(SELECT m.id FROM appeals m WHERE m.assignee_id = ${who}
        UNION SELECT pa.appeal_id FROM appeal_organisations pa WHERE pa.assignee_id = ${who}))`);
    }
    if (filter.topicId === 'none') where.push('a.topic_id IS NULL');
    else if (filter.topicId) add('? IN (a.topic_id, a.subtopic_id)', filter.topicId);
    if (filter.classification === 'manual')
      where.push(`a.classification_state = 'manual' AND a.topic_id IS NULL`);
    else if (filter.classification) add('a.classification_state = ?', filter.classification);
    if (filter.registeredAfter) add('a.registered_at >= ?', filter.registeredAfter);
    if (filter.registeredBefore) add('a.registered_at < ?', filter.registeredBefore);
    if (filter.ids?.length) add('a.id = ANY(?)', filter.ids);
    if (filter.rating || filter.ratedAfter) {
      const kind = filter.rating ? (params.push(filter.rating), `$${params.length}`) : null;
      const after = filter.ratedAfter ? (params.push(filter.ratedAfter), `$${params.length}`) : null;
      where.push(`EXISTS (SELECT 1 FROM ratings r WHERE r.appeal_id = a.id
        ${kind ? `AND ${ratingKindSql('r')} = ${kind}` : ''} ${after ? `AND r.received_at >= ${after}` : ''})`);
    }
    if (filter.clock) {
      params.push(filter.organisationId ?? null);
      const org = `$${params.length}::uuid`;
      // As the dashboard counts them (ReportsRepository.clocks): overdue when any of the appeal's marks is (at the
      // organisation, when given), at risk when it has an at-risk mark and none overdue there — the two queues
      // split the marked appeals, and each holds the figure its panel shows. Overdue: the flag the marks set
      // (migration OverdueMarkedAppeals) has its own partial indexes in the queue's orders, so a page reads its
      // 50 rows by index; at one organisation, its marks are read first, by index (clock_marks_kind_idx), into an
      // array the flagged appeals are fetched by. At risk: the marks first, the same way (as an EXISTS the planner
      // walked every appeal in due order probing marks for each).
      where.push(
        filter.clock === 'overdue'
          ? `a.overdue_marked AND (${org} IS NULL OR a.id = ANY (ARRAY(SELECT m.appeal_id FROM clock_marks m
               WHERE m.kind = 'overdue' AND m.organisation_id = ${org})))`
          : `a.id = ANY (ARRAY(SELECT m.appeal_id FROM clock_marks m WHERE m.kind = 'at-risk'
               AND (${org} IS NULL OR m.organisation_id = ${org})
               AND NOT EXISTS (SELECT 1 FROM clock_marks o WHERE o.appeal_id = m.appeal_id AND o.kind = 'overdue'
                 AND (${org} IS NULL OR o.organisation_id = ${org}))))`,
      );
    }

    return where;
  }

  /** The card's own row with the applicant, or undefined when it does not exist or lies outside the scope. */
  async cardRow(id: string, scope: AccessScope): Promise<Record<string, unknown> | undefined> {
    const params: unknown[] = [id];
    const [row] = (await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS}, a.text, a.address, a.territory_code, a.channel_category, a.external_id,
              a.received_at, a.registration_due_at, a.redirect_due_at, a.extended, a.time_zone,
              a.deadline_warnings, a.calendar_version, a.topic_id, a.subtopic_id, a.typical_need, a.assignee_id,
              (SELECT u.full_name FROM users u WHERE u.id = a.assignee_id) AS assignee_name,
              a.classification_state, a.classification_confidence, a.classifier_model_id,
              a.suggested_organisation_ids::text[] AS suggested_organisation_ids,
              (SELECT l.incident_id FROM appeal_incidents l WHERE l.appeal_id = a.id) AS incident_id,
              (SELECT i.number::int FROM appeal_incidents l JOIN incidents i ON i.id = l.incident_id
                WHERE l.appeal_id = a.id) AS incident_number,
              a.personal_data_erased_at, p.surname, p.first_name, p.patronymic, p.display_name, p.email, p.phone, p.postal_address,
              p.snils
         FROM appeals a JOIN organisations o ON o.id = a.organisation_id JOIN applicants p ON p.id = a.applicant_id
        WHERE a.id = $1 AND ${appealScopeSql(scope, params, 'a')}`,
      params,
    )) as Record<string, unknown>[];
    return row;
  }

  /** Whether the appeal exists within the scope. */
  async existsInScope(id: string, scope: AccessScope): Promise<boolean> {
    const params: unknown[] = [id];
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM appeals a WHERE a.id = $1 AND ${appealScopeSql(scope, params, 'a')}`,
      params,
    )) as unknown[];
    return rows.length > 0;
  }

  /** 59-ФЗ flags raised by classification, for a person to confirm or dismiss. */
  async flags(appealId: string, scope: AccessScope): Promise<unknown[]> {
    const params: unknown[] = [appealId];
    return (await this.dataSource.query(
      `SELECT f.id, f.flag, ${flagEvidenceSql(scope, params)} AS evidence, f.status, f.decided_by AS "decidedBy",
              f.decided_at AS "decidedAt", f.created_at AS "createdAt"
         FROM appeal_flags f WHERE f.appeal_id = $1 ORDER BY f.created_at, f.flag`,
      params,
    )) as unknown[];
  }

  /** The appeal behind a registration number, for the citizen's status page (checked by the access code). */
  async byRegistrationNumber(registrationNumber: string): Promise<AppealByNumber | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT id, registration_number, status, registered_at, to_char(answer_due_date, 'YYYY-MM-DD') AS due,
              access_code_hash, time_zone FROM appeals WHERE registration_number = $1`,
      [registrationNumber],
    )) as AppealByNumber[];
    return row;
  }

  /** Locks the appeal for a change within the actor's scope; undefined when absent or out of scope. */
  async lockInScope(tx: Db, id: string, scope: AccessScope): Promise<LockedAppeal | undefined> {
    const params: unknown[] = [id];
    const [appeal] = (await tx.query(
      `SELECT a.id, a.registration_number, a.registered_at, a.received_at, a.status, a.regime, a.channel,
              a.organisation_id, a.assignee_id, a.topic_id, a.subject, a.line, a.fast_track, a.reopen_count,
              a.time_zone,
              to_char(a.answer_due_date, 'YYYY-MM-DD') AS answer_due_date, a.redirect_due_at,
              a.escalation_due_at, a.extended, a.applicant_id
         FROM appeals a WHERE a.id = $1 AND ${appealScopeSql(scope, params, 'a')} FOR UPDATE`,
      params,
    )) as LockedAppeal[];
    return appeal;
  }

  /**
   * The appeal of this number an appeal would be joined into, when it lies within the scope; locked (`lock`) once
   * the caller has checked it is the earlier of the two, so that two joins always lock later before earlier.
   */
  async joinTarget(
    tx: Db,
    registrationNumber: string,
    scope: AccessScope,
    lock = false,
  ): Promise<JoinTarget | undefined> {
    const params: unknown[] = [registrationNumber];
    const [row] = (await tx.query(
      `SELECT a.id, a.registration_number, a.registered_at, a.status, a.joined_into_id,
              (SELECT j.registration_number FROM appeals j WHERE j.id = a.joined_into_id) AS joined_into_number
         FROM appeals a WHERE a.registration_number = $1 AND ${appealScopeSql(scope, params, 'a')}
         ${lock ? 'FOR UPDATE OF a' : ''}`,
      params,
    )) as JoinTarget[];
    return row;
  }

  /**
   * What the appeal could be joined into, within the scope: first the earlier appeal its «repeated» flag names
   * (whatever its status: the screen says why it cannot take the join), then the same applicant's (or the same
   * e-mail's) earlier appeals still in work and not joined themselves, newest first — as the flag's detector
   * reads the applicant's earlier appeals (legal-flags EARLIER_ANSWERED_SQL).
   */
  async joinCandidates(id: string, scope: AccessScope, limit = 10): Promise<JoinCandidateRow[]> {
    const params: unknown[] = [id, OPEN_STATUSES, limit];
    return (await this.dataSource.query(
      `WITH me AS (
         SELECT a.id, a.applicant_id, a.registered_at, lower(p.email) AS email
           FROM appeals a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = $1
       ), flagged AS (
         SELECT (f.evidence->>'earlierAppealId')::uuid AS id FROM appeal_flags f
          WHERE f.appeal_id = $1 AND f.flag = 'repeated' AND f.evidence->>'earlierAppealId' ~ '^[0-9a-f-]{36}$'
       ), same AS (
         SELECT x.id FROM me CROSS JOIN LATERAL (
           SELECT me.applicant_id AS applicant_id
           UNION SELECT p.id FROM applicants p WHERE me.email IS NOT NULL AND lower(p.email) = me.email) who
         CROSS JOIN LATERAL (
           SELECT a2.id, a2.registered_at FROM appeals a2
            WHERE a2.applicant_id = who.applicant_id AND a2.id <> me.id AND a2.registered_at <= me.registered_at
              AND a2.status = ANY($2) AND a2.joined_into_id IS NULL
            ORDER BY a2.registered_at DESC LIMIT $3) x
       )
       SELECT a.id, a.registration_number AS "registrationNumber", a.registered_at AS "registeredAt", a.status,
              a.channel, a.subject, left(a.text, 200) AS excerpt, (a.id IN (SELECT id FROM flagged)) AS flagged,
              a.joined_into_id, (SELECT j.registration_number FROM appeals j WHERE j.id = a.joined_into_id) AS joined_into_number
         FROM appeals a
        WHERE (a.id IN (SELECT id FROM flagged) OR a.id IN (SELECT id FROM same)) AND a.id <> $1
          AND ${appealScopeSql(scope, params, 'a')}
        ORDER BY (a.id IN (SELECT id FROM flagged)) DESC, a.registered_at DESC
        LIMIT $3`,
      params,
    )) as JoinCandidateRow[];
  }

  /** What decides whether the appeal may be joined into another (sourceJoinRefusal), read outside a change. */
  async joinSource(id: string): Promise<
    | {
        registration_number: string;
        registered_at: Date;
        status: AppealStatus;
        answerGiven: boolean;
        joinedNumbers: string[];
      }
    | undefined
  > {
    const [row] = (await this.dataSource.query(
      `SELECT a.registration_number, a.registered_at, a.status,
              EXISTS (SELECT 1 FROM answers n WHERE n.appeal_id = a.id AND n.status <> 'discarded') AS "answerGiven",
              ARRAY(SELECT j.registration_number FROM appeals j WHERE j.joined_into_id = a.id
                     ORDER BY j.registered_at) AS "joinedNumbers"
         FROM appeals a WHERE a.id = $1`,
      [id],
    )) as {
      registration_number: string;
      registered_at: Date;
      status: AppealStatus;
      answerGiven: boolean;
      joinedNumbers: string[];
    }[];
    return row;
  }

  /** The id of the appeal of this number when it lies within the scope (what a join would go into). */
  async idByNumberInScope(registrationNumber: string, scope: AccessScope): Promise<string | undefined> {
    return (await this.joinTarget(this.dataSource.manager, registrationNumber, scope))?.id;
  }

  /** The applicants of the appeals, as a join compares them (JoinApplicant), in no particular order. */
  async joinApplicants(appealIds: string[], db: Db = this.dataSource.manager): Promise<JoinApplicant[]> {
    return (await db.query(
      `SELECT a.id AS "appealId", a.registration_number AS "registrationNumber", a.channel,
              p.id AS "applicantId", p.surname, p.first_name AS "firstName", p.patronymic,
              p.display_name AS "displayName", p.phone, p.email,
              ARRAY(SELECT t.channel || ' ' || t.thread_key FROM appeal_threads t WHERE t.appeal_id = a.id) AS threads
         FROM appeals a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = ANY($1::uuid[])`,
      [appealIds],
    )) as JoinApplicant[];
  }

  /** The numbers of the appeals joined into this one. */
  async joinedInto(tx: Db, id: string): Promise<string[]> {
    const rows = (await tx.query(
      `SELECT registration_number FROM appeals WHERE joined_into_id = $1 ORDER BY registered_at`,
      [id],
    )) as { registration_number: string }[];
    return rows.map((r) => r.registration_number);
  }

  /** Sets the given columns; `reopen_count` and `version` move only through their own methods. */
  async update(tx: Db, id: string, changes: AppealChanges): Promise<void> {
    const keys = (Object.keys(changes) as (keyof AppealChanges)[]).filter((k) => changes[k] !== undefined);
    if (keys.length === 0) return;
    const params: unknown[] = [id, ...keys.map((k) => changes[k])];
    await tx.query(
      `UPDATE appeals SET ${keys.map((k, i) => `${COLUMN[k]} = $${i + 2}`).join(', ')} WHERE id = $1`,
      params,
    );
  }

  async updateApplicant(tx: Db, applicantId: string, changes: ApplicantChanges): Promise<void> {
    const keys = (Object.keys(changes) as (keyof ApplicantChanges)[]).filter((k) => changes[k] !== undefined);
    if (keys.length === 0) return;
    await tx.query(
      `UPDATE applicants SET ${keys.map((k, i) => `${APPLICANT_COLUMN[k]} = $${i + 2}`).join(', ')} WHERE id = $1`,
      [applicantId, ...keys.map((k) => changes[k])],
    );
  }

  async countReopening(tx: Db, id: string): Promise<void> {
    await tx.query(`UPDATE appeals SET reopen_count = reopen_count + 1 WHERE id = $1`, [id]);
  }

  /** Every change bumps the version (optimistic readers) and the update time. */
  async touch(tx: Db, id: string): Promise<void> {
    await tx.query(`UPDATE appeals SET updated_at = now(), version = version + 1 WHERE id = $1`, [id]);
  }

  /**
   * Links each appeal that is in no incident yet to its incident (libs/incidents groups them), in one statement;
   * returns those linked. The link is a row of `appeal_incidents` (this lib's table), not a column of `appeals`:
   * joining an incident writes no version of the appeal's row (issue 18). An appeal leaves its incident only when
   * line 1 excludes it (unlinkFromIncident).
   */
  async linkToIncidents(tx: Db, links: { appealId: string; incidentId: string }[]): Promise<string[]> {
    if (links.length === 0) return [];
    const rows = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO appeal_incidents (appeal_id, incident_id)
       SELECT v."appealId", v."incidentId" FROM jsonb_to_recordset($1::jsonb) AS v("appealId" uuid, "incidentId" uuid)
       ON CONFLICT (appeal_id) DO NOTHING RETURNING appeal_id AS id`,
      [JSON.stringify(links)],
    );
    return rows.map((r) => r.id);
  }

  /** Takes the appeal (the caller holds its row) out of its incident; returns the incident it left, if any. */
  async unlinkFromIncident(tx: Db, appealId: string): Promise<string | undefined> {
    const [row] = await queryRows<{ incident_id: string }>(
      tx,
      `DELETE FROM appeal_incidents WHERE appeal_id = $1 RETURNING incident_id`,
      [appealId],
    );
    return row?.incident_id;
  }

  /** The appeal's incident, read in the caller's transaction. */
  async incidentOf(tx: Db, appealId: string): Promise<string | undefined> {
    const [row] = await queryRows<{ incident_id: string }>(
      tx,
      `SELECT incident_id FROM appeal_incidents WHERE appeal_id = $1`,
      [appealId],
    );
    return row?.incident_id;
  }

  /** Each appeal's applicant's names, by appeal id: what an administrator's rows mask in their texts. */
  async applicantNames(appealIds: string[]): Promise<Map<string, PersonNames>> {
    if (appealIds.length === 0) return new Map();
    const rows = await queryRows<PersonNames & { id: string }>(
      this.dataSource.manager,
      `SELECT a.id, p.surname, p.first_name AS "firstName", p.patronymic, p.display_name AS "displayName"
         FROM appeals a JOIN applicants p ON p.id = a.applicant_id
        WHERE a.id = ANY($1::uuid[])`,
      [appealIds],
    );
    return new Map(rows.map(({ id, ...names }) => [id, names]));
  }

  /** The applicant's fields escalation requires (S0), and the other contacts (changed or not). */
  async applicantOf(tx: Db, applicantId: string): Promise<ApplicantContacts> {
    const [applicant] = (await tx.query(
      `SELECT first_name, patronymic, phone, email, postal_address FROM applicants WHERE id = $1`,
      [applicantId],
    )) as ApplicantContacts[];
    return applicant;
  }

  /** What an answer template fills in: the applicant's names and the answering organisation's name. */
  async templateValues(
    tx: Db,
    appealId: string,
    organisationId: string,
  ): Promise<Record<string, string | null>> {
    const [values] = (await tx.query(
      `SELECT p.surname, p.first_name, p.patronymic, p.display_name, o.short_name
         FROM appeals x JOIN applicants p ON p.id = x.applicant_id, organisations o
        WHERE x.id = $1 AND o.id = $2`,
      [appealId, organisationId],
    )) as Record<string, string | null>[];
    return values;
  }
}

/**
 * A 59-ФЗ flag's evidence (`f.evidence`) as the scope may read it. A repeated appeal's earlier one is named (its id
 * and number) only when the scope sees it: the applicant's earlier appeal at another organisation told that
 * organisation's number, and that the citizen had written there, to staff who may not open it. They read that
 * it was elsewhere (`earlierElsewhere`), which is what the flag is about.
 */
export function flagEvidenceSql(scope: AccessScope, params: unknown[], flag = 'f'): string {
  if (scope.organisationIds === null) return `${flag}.evidence`;
  const earlier = `${flag}.evidence->>'earlierAppealId'`;
  return `CASE WHEN ${earlier} IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM appeals ea
             WHERE ea.id = CASE WHEN ${earlier} ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' THEN (${earlier})::uuid END
               AND ${appealScopeSql(scope, params, 'ea')})
          THEN (${flag}.evidence - 'earlierAppealId' - 'earlierRegistrationNumber') || '{"earlierElsewhere": true}'::jsonb
          ELSE ${flag}.evidence END`;
}

/** LIKE's wildcards taken literally. */
const likeLiteral = (v: string) => v.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * "Find anything" in one box: the Russian full text of subject, text and address; the registration number,
 * whole or a fragment; the applicant's surname, e-mail or phone (any formatting, 8… or +7…). Each way is its own
 * arm of a UNION so that each can use its index (the text's GIN, the number's and the phone digits' trigram
 * GIN, lower(surname), lower(email): migration SearchTrigramIndexes); one OR across them would scan every appeal.
 * The applicant's arm matches only where the caller's `scope` may read the applicant (appealPersonalDataScopeSql):
 * an organisation that returned its part sees no applicant on the card, and finds the appeal by none of theirs.
 */
export function searchSql(
  q: string,
  params: unknown[],
  scope?: Pick<AccessScope, 'organisationIds'>,
): string {
  const { text, fragment, person } = searchTerms(q, params);
  const personal = scope ? ` AND ${appealPersonalDataScopeSql(scope, params, 's')}` : '';
  return `a.id IN (
      SELECT s.id FROM appeals s WHERE s.search_vector @@ websearch_to_tsquery('russian', ${text})
      UNION SELECT s.id FROM appeals s WHERE s.registration_number LIKE ${fragment}
      UNION SELECT s.id FROM applicants p JOIN appeals s ON s.applicant_id = p.id WHERE (${person})${personal})`;
}

/**
 * The same ways as conditions on the appeal `a` itself, each to be bounded on its own (the list's page). The
 * applicants are read first, by their indexes, into an array: as a join the planner, misled by a surname that
 * matches nobody, walked every appeal probing its applicant. The applicant's arm keeps to where `scope` may read
 * the applicant, as in searchSql.
 */
export function searchArms(
  q: string,
  params: unknown[],
  scope?: Pick<AccessScope, 'organisationIds'>,
): string[] {
  const { text, fragment, person } = searchTerms(q, params);
  const personal = scope ? ` AND ${appealPersonalDataScopeSql(scope, params, 'a')}` : '';
  return [
    `a.search_vector @@ websearch_to_tsquery('russian', ${text})`,
    `a.registration_number LIKE ${fragment}`,
    `(a.applicant_id = ANY (ARRAY(SELECT p.id FROM applicants p WHERE ${person}))${personal})`,
  ];
}

function searchTerms(q: string, params: unknown[]): { text: string; fragment: string; person: string } {
  params.push(q);
  const text = `$${params.length}`;
  params.push(`%${likeLiteral(q)}%`);
  const fragment = `$${params.length}`;
  const person = [
    `(p.surname IS NOT NULL AND lower(p.surname) = lower(split_part(${text}, ' ', 1)))`,
    `(p.email IS NOT NULL AND lower(p.email) = lower(${text}))`,
  ];
  let digits = q.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('8')) digits = `7${digits.slice(1)}`;
  if (digits.length >= 6 && /^[\d\s()+-]+$/.test(q)) {
    params.push(`%${digits}%`);
    person.push(
      `(p.phone IS NOT NULL AND regexp_replace(coalesce(p.phone, ''), '\\D', '', 'g') LIKE $${params.length})`,
    );
  }
  return { text, fragment, person: person.join(' OR ') };
}

/** The list-only columns; viewerOrgs is the parameter holding the caller's organisations (null: all). */
/**
 * The appeals with a draft answer the caller may approve, by the rule of WorkflowRules.assertMayApprove: never
 * their own; a supervisor or an administrator any organisation's in their scope; anyone else their own
 * organisation's — its head, or a colleague where it has none; never one of an organisation that returned its
 * line-2 part or had it closed (kept for reference). A draft sent back counts again once edited. The
 * drafts are read first, by the partial index of migration DraftAnswersIndex.
 */
function awaitingApprovalSql(scope: AccessScope, params: unknown[]): string {
  const me = push(params, scope.userId);
  const role = push(params, scope.role);
  const org = push(params, scope.organisationId);
  const orgs = push(params, scope.organisationIds);
  return `a.id = ANY (ARRAY(SELECT an.appeal_id FROM answers an
      WHERE an.status = 'draft' AND an.author_id <> ${me}::uuid
        AND (an.sent_back_at IS NULL OR an.edited_at > an.sent_back_at)
        AND NOT EXISTS (SELECT 1 FROM appeal_organisations lb WHERE lb.appeal_id = an.appeal_id
              AND lb.organisation_id = an.organisation_id AND lb.line = 2 AND lb.state IN ('returned', 'closed'))
        AND CASE WHEN ${role}::text IN ('supervisor', 'admin')
              THEN ${orgs}::uuid[] IS NULL OR an.organisation_id = ANY (${orgs}::uuid[])
              ELSE an.organisation_id = ${org}::uuid AND (${role}::text = 'head' OR NOT EXISTS (
                SELECT 1 FROM users h WHERE h.organisation_id = an.organisation_id AND h.role = 'head' AND h.active))
            END))`;
}

function listColumns(viewerOrgs: string): string {
  const open = `ao.appeal_id = a.id AND ao.line = 2 AND ao.state = 'active'`;
  const partDue = `COALESCE(ao.extended_until, ao.due_at)`;
  const mine = `(SELECT min(${partDue}) FROM appeal_organisations ao
      WHERE ${open} AND (${viewerOrgs} IS NULL OR ao.organisation_id = ANY(${viewerOrgs})))`;
  // Line 1's escalation term only while it runs, as the clock sweep marks it (registered, in work): an appeal
  // line 2 returned was escalated long before, and its row read «передать на 2-ю линию … просрочено» for a term
  // nobody marks or owes; it shows the answer term, which line 1 now owes.
  const escalation = `CASE WHEN ${viewerOrgs} IS NULL AND a.line = 1 AND a.status IN ('registered', 'in_work')
      THEN a.escalation_due_at END`;
  return `a.time_zone, a.assignee_id, u.full_name AS assignee_name,
    COALESCE((SELECT json_agg(json_build_object('organisationId', ao.organisation_id, 'organisationName', po.short_name,
               'state', ao.state, 'dueAt', ${partDue}) ORDER BY ao.assigned_at)
        FROM appeal_organisations ao JOIN organisations po ON po.id = ao.organisation_id
       WHERE ao.appeal_id = a.id AND ao.line = 2), '[]'::json) AS parts,
    ${escalation} AS escalation_next, ${mine} AS part_next,
    (SELECT e.data->>'by' FROM appeal_events e WHERE e.appeal_id = a.id AND e.type = 'withdrawn'
      ORDER BY e.id LIMIT 1) AS withdrawn_by`;
}

function toListItem(r: Record<string, unknown>): AppealListItem {
  const escalation = r.escalation_next as Date | null;
  const part = r.part_next as Date | null;
  const parts = (r.parts as (Omit<AppealPartSummary, 'dueAt'> & { dueAt: string | null })[]).map((p) => ({
    ...p,
    dueAt: p.dueAt ? new Date(p.dueAt) : null,
  }));
  const summary = toSummary(r);
  // The viewer's own term (line 1's escalation, else their line-2 part's), unless the appeal's answer term comes
  // first: an appeal late with its answer is late, whatever time its part has left (the overdue queue listed it
  // under «осталось 1 день»), or is the same instant: a part reopened at a superior after a poor rating runs on the
  // appeal's fresh answer term, which the card calls «Срок ответа», not a line-2 day.
  const own = escalation
    ? { at: escalation, kind: 'escalation' as const }
    : part
      ? { at: part, kind: 'line2' as const }
      : null;
  const next =
    own && own.at.getTime() < summary.answerDueAt.getTime()
      ? own
      : { at: summary.answerDueAt, kind: 'answer' as const };
  return {
    ...summary,
    timeZone: r.time_zone as string,
    assigneeId: r.assignee_id as string | null,
    assigneeName: r.assignee_name as string | null,
    parts,
    nextDueAt: next.at,
    nextDueKind: next.kind,
    withdrawnBy: r.withdrawn_by === 'channel' ? 'channel' : r.withdrawn_by ? 'author' : null,
  };
}

export function toSummary(r: Record<string, unknown>): AppealSummary {
  return {
    id: r.id as string,
    registrationNumber: r.registration_number as string,
    registeredAt: r.registered_at as Date,
    regime: r.regime as string,
    channel: r.channel as string,
    subject: r.subject as string | null,
    excerpt: r.excerpt as string,
    status: r.status as AppealStatus,
    fastTrack: r.fast_track as boolean,
    organisationId: r.organisation_id as string,
    organisationName: r.organisation_name as string,
    answerDueDate: r.answer_due_date as string,
    answerDueAt: r.answer_due_at as Date,
  };
}
