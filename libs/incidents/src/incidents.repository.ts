import { Injectable } from '@nestjs/common';
import { type AccessScope, appealScopeSql, organisationScopeSql } from '@inbox/access';
import { cursorInstantSql } from '@inbox/common';
import { type Db, SqlRepository, whereClause } from '@inbox/database';

/** An item's grouping keys as stored (`appeal_cluster_keys`). */
export interface ClusterKey {
  appealId: string;
  registeredAt: Date;
  topicId: string | null;
  addressKey: string | null;
  bands: string[];
}

/** What grouping reads of an appeal. */
export interface ClaimedAppeal {
  id: string;
  registered_at: Date;
  topic_id: string | null;
  subject: string | null;
  text: string;
  address: string | null;
}

/** An item registered near another in time, found for the item `for_id`. */
export interface ClusterCandidate {
  for_id: string;
  id: string;
}

export interface IncidentSummary {
  id: string;
  /** What people call it by: «Инцидент № 12». */
  number: number;
  title: string;
  topicId: string | null;
  topicName: string | null;
  status: string;
  appealsCount: number;
  firstAt: Date;
  lastAt: Date;
  createdAt: Date;
  answeredAt: Date | null;
  channels: string[];
}

export interface IncidentDetail extends Omit<IncidentSummary, 'channels'> {
  addressKey: string | null;
  answeredBy: string | null;
}

/**
 * One organisation's part of an incident's answer: its draft (claimed by the organisation, one at a time), and
 * when it was answered; `pending`: its drafts still wait for approval.
 */
export interface IncidentPart {
  organisationId: string;
  draftText: string | null;
  draftedBy: string | null;
  draftedAt: Date | null;
  answeredBy: string | null;
  answeredAt: Date | null;
  pending: boolean;
}

export interface IncidentAppeal {
  id: string;
  registrationNumber: string;
  registeredAt: Date;
  channel: string;
  status: string;
  subject: string | null;
  excerpt: string;
  fastTrack: boolean;
  answerDueDate: string;
}

/** A draft answer written for the incident: which appeal, which answer, whose, and where it stands now. */
export interface IncidentDraft {
  appealId: string;
  answerId: string;
  appealStatus: string;
  answerStatus: string;
  authorId: string;
  organisationId: string;
}

/** A change of an incident's members by line 1 (incident_membership_changes), as the incident's history shows it. */
export interface IncidentMembershipChange {
  kind: 'excluded' | 'added';
  appealId: string;
  registrationNumber: string;
  reason: string | null;
  actorId: string;
  actorName: string | null;
  at: Date;
}

/** An open incident line 1 may add an appeal to, as the dialog offers it. */
export interface IncidentCandidate {
  id: string;
  number: number;
  title: string;
  appealsCount: number;
  lastAt: Date;
  /** Found through an appeal like this one (its words or its address), not by a search. */
  similar: boolean;
}

/** Appeal statuses that take no more answers. */
export const DONE_STATUSES = ['answered', 'closed', 'redirected'];

/** The summary's columns as the scope may read them (titleSql, countSql, partSql). */
function summaryColumns(scope: AccessScope, params: unknown[]): string {
  const title = titleSql(scope, params);
  const count = countSql(scope, params);
  if (scope.organisationIds === null) {
    return `i.id, i.number::int AS number, ${title} AS title, i.topic_id AS "topicId", t.name AS "topicName", i.status,
      ${count} AS "appealsCount", i.first_at AS "firstAt", i.last_at AS "lastAt", i.created_at AS "createdAt",
      i.answered_at AS "answeredAt"`;
  }
  const part = partSql(scope, params);
  return `i.id, i.number::int AS number, ${title} AS title, i.topic_id AS "topicId", t.name AS "topicName", ${part.status} AS status,
    ${count} AS "appealsCount", ${part.firstAt} AS "firstAt", ${part.lastAt} AS "lastAt",
    greatest(i.created_at, ${part.firstAt}) AS "createdAt", ${part.answeredAt} AS "answeredAt"`;
}

/**
 * A department's view of an incident is its own part: the times its appeals came, the incident answered for it
 * once every appeal of its is done and its part's answer went out (another organisation's approval answers
 * nothing of its), and when. Before, a department read the whole incident's span and state.
 */
function partSql(scope: AccessScope, params: unknown[]) {
  const scoped = appealScopeSql(scope, params);
  const mine = `FROM appeal_incidents l JOIN appeals a ON a.id = l.appeal_id WHERE l.incident_id = i.id AND ${scoped}`;
  const parts = `FROM incident_parts p WHERE p.incident_id = i.id AND ${visiblePartSql(scope, params, 'p')}`;
  params.push(DONE_STATUSES);
  const done = `$${params.length}::text[]`;
  return {
    firstAt: `(SELECT min(a.registered_at) ${mine})`,
    lastAt: `(SELECT max(a.registered_at) ${mine})`,
    answeredAt: `(SELECT max(p.answered_at) ${parts})`,
    status: `CASE WHEN i.status = 'open' AND NOT EXISTS (SELECT 1 ${mine} AND a.status <> ALL(${done}))
                   AND EXISTS (SELECT 1 ${parts} AND p.answered_at IS NOT NULL) THEN 'answered' ELSE i.status END`,
  };
}

/**
 * The parts of an incident the scope sees: its own organisations', and those with a draft on an appeal in the
 * scope (line 1's draft of a department's appeal is that department's to see, not another department's).
 */
function visiblePartSql(scope: AccessScope, params: unknown[], alias: string): string {
  if (scope.organisationIds === null) return 'TRUE';
  const own = organisationScopeSql(scope, params, `${alias}.organisation_id`);
  const scoped = appealScopeSql(scope, params, 'da');
  return `(${own} OR EXISTS (SELECT 1 FROM incident_answers di JOIN answers dn ON dn.id = di.answer_id
                                JOIN appeals da ON da.id = di.appeal_id
                               WHERE di.incident_id = ${alias}.incident_id
                                 AND dn.organisation_id = ${alias}.organisation_id AND ${scoped}))`;
}

/**
 * The incident's title as the scope may read it. The stored one is made from the appeal that started the incident
 * (its subject and its address), which may be another organisation's: a viewer who sees part of the incident
 * gets the title their own first appeal of it makes (as incidentTitle would), never another organisation's.
 */
function titleSql(scope: AccessScope, params: unknown[]): string {
  if (scope.organisationIds === null) return 'i.title';
  return `coalesce((SELECT left(regexp_replace(coalesce(nullif(btrim(a.subject), ''), btrim(a.text)), '\\s+', ' ', 'g'), 120)
                           || coalesce(' — ' || left(nullif(btrim(a.address), ''), 120), '')
                      FROM appeal_incidents l JOIN appeals a ON a.id = l.appeal_id
                     WHERE l.incident_id = i.id AND ${appealScopeSql(scope, params)}
                     ORDER BY a.registered_at, a.id LIMIT 1), '')`;
}

/**
 * How many of the incident's appeals the scope sees, and through which channels: whole-region staff the whole
 * incident's, a department its own part's. Before, a department was shown the count and channels of every
 * organisation's appeals in it.
 */
function countSql(scope: AccessScope, params: unknown[]): string {
  if (scope.organisationIds === null) return 'i.appeals_count';
  return `(SELECT count(*)::int FROM appeal_incidents l JOIN appeals a ON a.id = l.appeal_id
            WHERE l.incident_id = i.id AND ${appealScopeSql(scope, params)})`;
}

function channelsSql(scope: AccessScope, params: unknown[]): string {
  const scoped = scope.organisationIds === null ? '' : ` AND ${appealScopeSql(scope, params)}`;
  return `(SELECT coalesce(array_agg(DISTINCT a.channel ORDER BY a.channel), '{}')
             FROM appeal_incidents l JOIN appeals a ON a.id = l.appeal_id WHERE l.incident_id = i.id${scoped})`;
}

/**
 * The incidents lib's tables: `incidents`, `appeal_cluster_keys` and `incident_answers` (which drafts answer an
 * incident); an appeal's link to its incident (`appeal_incidents`) is libs/appeals' table, written by
 * AppealsRepository.linkToIncidents.
 */
@Injectable()
export class IncidentsRepository extends SqlRepository {
  /**
   * Locks an item's buckets (transaction-level advisory locks), sorted so that two items sharing several
   * buckets take them in the same order and cannot deadlock.
   */
  async lockBuckets(tx: Db, buckets: string[]): Promise<void> {
    if (buckets.length === 0) return;
    await this.rows(
      `SELECT pg_advisory_xact_lock(h)
         FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) k ORDER BY 1) s`,
      [buckets],
      tx,
    );
  }

  /** Locks the matched appeals' rows (in id order) and reads their incidents as they are now. */
  lockMatches(
    tx: Db,
    appealIds: string[],
  ): Promise<{ id: string; incident_id: string | null; status: string | null }[]> {
    return this.rows(
      `SELECT x.id, l.incident_id, i.status
         FROM appeals x LEFT JOIN appeal_incidents l ON l.appeal_id = x.id
              LEFT JOIN incidents i ON i.id = l.incident_id
        WHERE x.id = ANY($1::uuid[]) ORDER BY x.id FOR NO KEY UPDATE OF x`,
      [appealIds],
      tx,
    );
  }

  /** The appeals' incidents as they are now, read without a lock. */
  incidentsOf(
    tx: Db,
    appealIds: string[],
  ): Promise<{ id: string; incident_id: string | null; status: string | null }[]> {
    if (appealIds.length === 0) return Promise.resolve([]);
    return this.rows(
      `SELECT x.id, l.incident_id, i.status
         FROM appeals x LEFT JOIN appeal_incidents l ON l.appeal_id = x.id
              LEFT JOIN incidents i ON i.id = l.incident_id
        WHERE x.id = ANY($1::uuid[])`,
      [appealIds],
      tx,
    );
  }

  /**
   * Saves the items' keys as grouped now (the caller holds their appeals' rows, and the waiting keys' rows if
   * any: it claimed them).
   */
  async saveGroupedKeys(tx: Db, keys: ClusterKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.rows(
      `INSERT INTO appeal_cluster_keys (appeal_id, registered_at, topic_id, address_key, bands, clustered_at)
       SELECT k."appealId", k."registeredAt", k."topicId", k."addressKey", k.bands, clock_timestamp()
         FROM jsonb_to_recordset($1::jsonb)
              AS k("appealId" uuid, "registeredAt" timestamptz, "topicId" uuid, "addressKey" text, bands bigint[])
       ON CONFLICT (appeal_id) DO UPDATE SET topic_id = EXCLUDED.topic_id, address_key = EXCLUDED.address_key,
         bands = EXCLUDED.bands, clustered_at = EXCLUDED.clustered_at`,
      [JSON.stringify(keys)],
      tx,
    );
  }

  /**
   * Keys of items routed (again) by a caller holding their appeals' rows, to wait for the grouping pass: an
   * item's first keys are inserted; an item that has keys gets a request to be grouped again instead. Neither
   * statement waits on a key row a grouping pass holds (it may hold one while it waits for the appeal): an
   * insert that finds the key only locked does nothing, and a request is a plain insert.
   */
  async queueKeys(tx: Db, keys: ClusterKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.rows(
      `WITH k AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
             AS k("appealId" uuid, "registeredAt" timestamptz, "topicId" uuid, "addressKey" text, bands bigint[])),
       saved AS (
         INSERT INTO appeal_cluster_keys (appeal_id, registered_at, topic_id, address_key, bands)
         SELECT "appealId", "registeredAt", "topicId", "addressKey", bands FROM k
         ON CONFLICT (appeal_id) DO NOTHING RETURNING appeal_id),
       banded AS (
         INSERT INTO appeal_cluster_bands (band, registered_at, appeal_id)
         SELECT DISTINCT b, k."registeredAt", k."appealId" FROM k JOIN saved s ON s.appeal_id = k."appealId",
                unnest(k.bands) b)
       INSERT INTO appeal_cluster_requests (appeal_id)
       SELECT k."appealId" FROM k WHERE k."appealId" NOT IN (SELECT appeal_id FROM saved)`,
      [JSON.stringify(keys)],
      tx,
    );
  }

  /** Whether any request to group again waits (of these appeals, when given). */
  async anyRegroupRequests(appealIds?: string[]): Promise<boolean> {
    const [row] = await this.rows<{ any: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM appeal_cluster_requests
                       WHERE $1::uuid[] IS NULL OR appeal_id = ANY($1::uuid[])) AS any`,
      [appealIds ?? null],
    );
    return row.any;
  }

  /**
   * Takes up to `limit` requests to group again (oldest first) whose keys no other pass holds, locking those
   * keys and deleting the requests (both skip rows another transaction holds: this waits on no one); returns
   * what the keys are computed from, as the appeals are now.
   */
  takeRegroupRequests(tx: Db, limit: number, appealIds?: string[]): Promise<ClaimedAppeal[]> {
    return this.rows(
      `WITH r AS (
         SELECT id, appeal_id FROM appeal_cluster_requests
          WHERE $2::uuid[] IS NULL OR appeal_id = ANY($2::uuid[])
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED),
       k AS (
         SELECT appeal_id FROM appeal_cluster_keys WHERE appeal_id IN (SELECT appeal_id FROM r)
            FOR UPDATE SKIP LOCKED),
       taken AS (
         DELETE FROM appeal_cluster_requests x USING r, k
          WHERE x.id = r.id AND k.appeal_id = r.appeal_id RETURNING x.appeal_id)
       SELECT a.id, a.registered_at, a.topic_id, a.subject, a.text, a.address FROM appeals a
        WHERE a.id IN (SELECT appeal_id FROM taken)`,
      [limit, appealIds ?? null],
      tx,
    );
  }

  /**
   * The items' rows in the band index: their bands now. To be called before their key rows take the new bands:
   * the rows of the old bands are found by the band index's primary key from the bands the key rows hold (the
   * table has no index by appeal: issue 18, twelve entries an appeal). The key rows are locked here, in id order,
   * if the caller does not hold them yet.
   */
  async replaceBands(tx: Db, keys: ClusterKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.rows(
      `WITH k AS (SELECT * FROM jsonb_to_recordset($1::jsonb)
                  AS k("appealId" uuid, "registeredAt" timestamptz, bands bigint[])),
       old AS (
         SELECT c.appeal_id, c.registered_at, c.bands FROM appeal_cluster_keys c
          WHERE c.appeal_id IN (SELECT "appealId" FROM k) ORDER BY c.appeal_id FOR NO KEY UPDATE),
       gone AS (
         DELETE FROM appeal_cluster_bands x USING old o CROSS JOIN LATERAL unnest(o.bands) AS b(band), k
          WHERE k."appealId" = o.appeal_id AND x.band = b.band AND x.registered_at = o.registered_at
            AND x.appeal_id = o.appeal_id AND NOT (x.band = ANY(k.bands) AND x.registered_at = k."registeredAt"))
       INSERT INTO appeal_cluster_bands (band, registered_at, appeal_id)
       SELECT DISTINCT b, k."registeredAt", k."appealId" FROM k, unnest(k.bands) b ON CONFLICT DO NOTHING`,
      [JSON.stringify(keys)],
      tx,
    );
  }

  /** New keys for items whose keys the caller holds, to be grouped again (as if saved now). */
  async requeueKeys(tx: Db, keys: ClusterKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.replaceBands(tx, keys);
    await this.rows(
      `UPDATE appeal_cluster_keys c SET topic_id = k."topicId", address_key = k."addressKey", bands = k.bands,
              clustered_at = NULL
         FROM jsonb_to_recordset($1::jsonb)
              AS k("appealId" uuid, "registeredAt" timestamptz, "topicId" uuid, "addressKey" text, bands bigint[])
        WHERE c.appeal_id = k."appealId"`,
      [JSON.stringify(keys)],
      tx,
    );
  }

  /**
   * Claims up to `limit` items waiting for the grouping pass, oldest first (rows another pass holds are
   * skipped, so no item is taken by two passes), with what grouping reads of their appeals, their saved
   * keys (not computed again) and their incidents as they are now (read, not locked: the appeals stay free).
   */
  claimUnclustered(
    tx: Db,
    limit: number,
    appealIds?: string[],
  ): Promise<
    (ClaimedAppeal & {
      bands: string[];
      address_key: string | null;
      incident_id: string | null;
      incident_status: string | null;
    })[]
  > {
    return this.rows(
      `WITH claimed AS (
         SELECT appeal_id, registered_at, address_key, bands FROM appeal_cluster_keys
          WHERE clustered_at IS NULL AND ($2::uuid[] IS NULL OR appeal_id = ANY($2::uuid[]))
          ORDER BY registered_at, appeal_id LIMIT $1 FOR UPDATE SKIP LOCKED)
       SELECT a.id, a.registered_at, a.topic_id, a.subject, a.text, a.address, c.address_key, c.bands,
              l.incident_id, i.status AS incident_status
         FROM claimed c JOIN appeals a ON a.id = c.appeal_id LEFT JOIN appeal_incidents l ON l.appeal_id = a.id
              LEFT JOIN incidents i ON i.id = l.incident_id
        ORDER BY c.registered_at, c.appeal_id`,
      [limit, appealIds ?? null],
      tx,
    );
  }

  /**
   * For each item, the items in its window sharing a MinHash band with it, newest first (up to `limit` each),
   * in one statement: their ids only (the batch's items share most of them; their texts are read once each).
   * Each band's newest `limit` in the window come by one index range (band, registered_at); the newest `limit`
   * of their union are the newest `limit` sharing any band.
   */
  textCandidates(
    tx: Db,
    items: { appealId: string; bands: string[]; from: Date; to: Date }[],
    limit: number,
  ): Promise<ClusterCandidate[]> {
    if (items.length === 0) return Promise.resolve([]);
    return this.rows(
      `SELECT q."appealId" AS for_id, c.id
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
              AS ("appealId" uuid, bands bigint[], "from" timestamptz, "to" timestamptz)) WITH ORDINALITY
              AS q("appealId", bands, "from", "to", n)
        CROSS JOIN LATERAL (
          SELECT x.appeal_id AS id, x.registered_at
            FROM unnest(q.bands) AS b(band)
           CROSS JOIN LATERAL (
             SELECT d.appeal_id, d.registered_at FROM appeal_cluster_bands d
              WHERE d.band = b.band AND d.registered_at BETWEEN q."from" AND q."to" AND d.appeal_id <> q."appealId"
              ORDER BY d.registered_at DESC LIMIT $2) x
           GROUP BY x.appeal_id, x.registered_at
           ORDER BY x.registered_at DESC LIMIT $2) c
        ORDER BY q.n, c.registered_at DESC`,
      [JSON.stringify(items), limit],
      tx,
    );
  }

  /** The candidates' subjects and texts, once each. */
  candidateTexts(
    tx: Db,
    appealIds: string[],
  ): Promise<{ id: string; subject: string | null; text: string }[]> {
    if (appealIds.length === 0) return Promise.resolve([]);
    return this.rows(`SELECT id, subject, text FROM appeals WHERE id = ANY($1::uuid[])`, [appealIds], tx);
  }

  /** For each item, the items in its window at the same normalised address on the same topic, newest first. */
  addressCandidates(
    tx: Db,
    items: { appealId: string; addressKey: string; topicId: string; from: Date; to: Date }[],
    limit: number,
  ): Promise<ClusterCandidate[]> {
    if (items.length === 0) return Promise.resolve([]);
    return this.rows(
      `SELECT q."appealId" AS for_id, c.id
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
              AS ("appealId" uuid, "addressKey" text, "topicId" uuid, "from" timestamptz, "to" timestamptz))
              WITH ORDINALITY AS q("appealId", "addressKey", "topicId", "from", "to", n)
        CROSS JOIN LATERAL (
          SELECT k.appeal_id AS id, k.registered_at FROM appeal_cluster_keys k
           WHERE k.address_key = q."addressKey" AND k.topic_id = q."topicId" AND k.appeal_id <> q."appealId"
             AND k.registered_at BETWEEN q."from" AND q."to"
           ORDER BY k.registered_at DESC LIMIT $2) c
        ORDER BY q.n, c.registered_at DESC`,
      [JSON.stringify(items), limit],
      tx,
    );
  }

  /** When each of these incidents was last added to. */
  lastAt(tx: Db, ids: string[]): Promise<{ id: string; last_at: Date }[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.rows(`SELECT id, last_at FROM incidents WHERE id = ANY($1::uuid[])`, [ids], tx);
  }

  /** New incidents (ids chosen by the caller), each spanning its first item's time; no appeals counted yet. */
  async createMany(
    tx: Db,
    incidents: { id: string; title: string; topicId: string | null; addressKey: string | null; at: Date }[],
  ): Promise<void> {
    if (incidents.length === 0) return;
    await this.rows(
      `INSERT INTO incidents (id, title, topic_id, address_key, first_at, last_at)
       SELECT v.id, v.title, v."topicId", v."addressKey", v.at, v.at
         FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, title text, "topicId" uuid, "addressKey" text, at timestamptz)`,
      [JSON.stringify(incidents)],
      tx,
    );
  }

  /**
   * What the incidents keep of the appeals' personal data goes with it (retention): the appeals' normalised
   * addresses (their text bands stay), and in their incidents the title — made from the first appeal's subject
   * and the citizen's address — the address key and the drafts' texts (copies of answers, erased there), each
   * replaced by `erasedText`.
   */
  async forgetPersonalData(tx: Db, appealIds: string[], erasedText: string): Promise<void> {
    await this.rows(
      `UPDATE appeal_cluster_keys SET address_key = NULL WHERE appeal_id = ANY($1)`,
      [appealIds],
      tx,
    );
    // A reason line 1 wrote may name the citizen.
    await this.rows(
      `UPDATE incident_membership_changes SET reason = $2 WHERE appeal_id = ANY($1) AND reason IS NOT NULL`,
      [appealIds, erasedText],
      tx,
    );
    const incidentIds = [
      ...new Set((await this.incidentsOf(tx, appealIds)).flatMap((r) => r.incident_id ?? [])),
    ];
    if (incidentIds.length === 0) return;
    await this.rows(
      `UPDATE incidents SET title = $2, address_key = NULL WHERE id = ANY($1::uuid[])`,
      [incidentIds, erasedText],
      tx,
    );
    await this.rows(
      `UPDATE incident_parts SET draft_text = $2 WHERE incident_id = ANY($1::uuid[]) AND draft_text IS NOT NULL`,
      [incidentIds, erasedText],
      tx,
    );
  }

  /**
   * The incidents' counts and time spans with the appeals just linked to them (read by id: the cost does not
   * grow with an incident's size); each one's topic from the first item that had one. The rows are locked
   * first, in id order, so that two batches touching the same incidents cannot deadlock on them.
   */
  async addToCounts(
    tx: Db,
    incidents: { incidentId: string; topicId: string | null }[],
    linkedAppealIds: string[],
  ): Promise<void> {
    if (incidents.length === 0) return;
    await this.rows(
      `SELECT id FROM incidents WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
      [incidents.map((i) => i.incidentId)],
      tx,
    );
    await this.rows(
      `UPDATE incidents i SET appeals_count = i.appeals_count + s.n, first_at = least(i.first_at, s.first_at),
              last_at = greatest(i.last_at, s.last_at), topic_id = coalesce(i.topic_id, t."topicId")
         FROM (SELECT l.incident_id, count(*)::int AS n, min(a.registered_at) AS first_at,
                      max(a.registered_at) AS last_at
                 FROM appeal_incidents l JOIN appeals a ON a.id = l.appeal_id
                WHERE l.appeal_id = ANY($2::uuid[]) GROUP BY l.incident_id) s
         JOIN jsonb_to_recordset($1::jsonb) AS t("incidentId" uuid, "topicId" uuid) ON t."incidentId" = s.incident_id
        WHERE i.id = s.incident_id`,
      [JSON.stringify(incidents), linkedAppealIds],
      tx,
    );
  }

  /** A page of incidents, newest activity first; within a scope, those with an appeal in it. */
  list(
    filter: { status?: string; before?: { atText: string; id: string }; limit: number },
    scope: AccessScope,
  ): Promise<(IncidentSummary & { cursorAt: string })[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const columns = summaryColumns(scope, params);
    const channels = channelsSql(scope, params);
    if (filter.status) {
      // By the state the scope reads (partSql): a department's answered part is not among its open incidents.
      params.push(filter.status);
      where.push(`s.status = $${params.length}`);
    }
    if (scope.organisationIds !== null) {
      where.push(
        `EXISTS (SELECT 1 FROM appeal_incidents l JOIN appeals a ON a.id = l.appeal_id
                  WHERE l.incident_id = i.id AND ${appealScopeSql(scope, params)})`,
      );
    }
    if (filter.before) {
      // The instant as the database's text, microseconds included (see cursorInstantSql).
      params.push(filter.before.atText, filter.before.id);
      where.push(`(i.last_at, i.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit);
    return this.rows<IncidentSummary & { cursorAt: string }>(
      `SELECT s.*, ${channels} AS channels
         FROM incidents i LEFT JOIN topics t ON t.id = i.topic_id
        CROSS JOIN LATERAL (SELECT ${columns}, ${cursorInstantSql('i.last_at')} AS "cursorAt") s
        ${whereClause(where)}
        ORDER BY i.last_at DESC, i.id DESC LIMIT $${params.length}`,
      params,
    );
  }

  /** The incident, its title as the scope may read it (titleSql); its address key only to whole-region staff. */
  find(id: string, scope: AccessScope): Promise<IncidentDetail | undefined> {
    const params: unknown[] = [id];
    const whole = scope.organisationIds === null;
    return this.one<IncidentDetail>(
      `SELECT ${summaryColumns(scope, params)},
              ${whole ? 'i.address_key' : 'NULL'} AS "addressKey", ${whole ? 'i.answered_by' : 'NULL'} AS "answeredBy"
         FROM incidents i LEFT JOIN topics t ON t.id = i.topic_id WHERE i.id = $1`,
      params,
    );
  }

  /** Whether the incident exists and the scope sees it: whole-region staff any, others one with an appeal in it. */
  async visibleTo(id: string, scope: AccessScope): Promise<boolean> {
    const params: unknown[] = [id];
    const scoped =
      scope.organisationIds === null
        ? 'TRUE'
        : `EXISTS (SELECT 1 FROM appeal_incidents l JOIN appeals a ON a.id = l.appeal_id
                    WHERE l.incident_id = i.id AND ${appealScopeSql(scope, params)})`;
    const rows = await this.rows(`SELECT 1 FROM incidents i WHERE i.id = $1 AND ${scoped}`, params);
    return rows.length > 0;
  }

  /** The incident's appeals within the scope, oldest first. */
  appeals(incidentId: string, scope: AccessScope): Promise<IncidentAppeal[]> {
    const params: unknown[] = [incidentId];
    const scoped = appealScopeSql(scope, params);
    return this.rows<IncidentAppeal>(
      `SELECT a.id, a.registration_number AS "registrationNumber", a.registered_at AS "registeredAt", a.channel,
              a.status, a.subject, left(a.text, 200) AS excerpt, a.fast_track AS "fastTrack",
              to_char(a.answer_due_date, 'YYYY-MM-DD') AS "answerDueDate"
         FROM appeal_incidents l JOIN appeals a ON a.id = l.appeal_id WHERE l.incident_id = $1 AND ${scoped}
        ORDER BY a.registered_at, a.id`,
      params,
    );
  }

  /**
   * The incident's appeals within the scope, with their statuses, oldest first (the workflow checks the scope of
   * each step as well): another organisation's part is neither acted on nor named back.
   */
  appealStatuses(incidentId: string, scope: AccessScope): Promise<{ id: string; status: string }[]> {
    const params: unknown[] = [incidentId];
    return this.rows(
      `SELECT a.id, a.status FROM appeal_incidents l JOIN appeals a ON a.id = l.appeal_id
        WHERE l.incident_id = $1 AND ${appealScopeSql(scope, params)}
        ORDER BY a.registered_at, a.id`,
      params,
    );
  }

  /** The incident's status (open, answered, closed); undefined when there is none. */
  async status(id: string): Promise<string | undefined> {
    return (await this.one<{ status: string }>(`SELECT status FROM incidents WHERE id = $1`, [id]))?.status;
  }

  /** The parts of the incident the scope sees (visiblePartSql), the latest drafted first. */
  parts(incidentId: string, scope: AccessScope): Promise<IncidentPart[]> {
    const params: unknown[] = [incidentId];
    return this.rows<IncidentPart>(
      `SELECT p.organisation_id AS "organisationId", p.draft_text AS "draftText", p.drafted_by AS "draftedBy",
              p.drafted_at AS "draftedAt", p.answered_by AS "answeredBy", p.answered_at AS "answeredAt",
              (p.drafted_at IS NOT NULL AND p.answered_at IS NULL) AS pending
         FROM incident_parts p WHERE p.incident_id = $1 AND ${visiblePartSql(scope, params, 'p')}
        ORDER BY p.drafted_at DESC NULLS LAST, p.organisation_id`,
      params,
    );
  }

  /**
   * Claims the organisation's part of the open incident for a draft: free when it was never drafted, given back,
   * or answered (appeals that joined since are answered by a new draft); false when it is drafted and waits for
   * approval, or the incident is not open. Another organisation's part is not touched.
   */
  async claimDraft(id: string, organisationId: string, text: string, userId: string): Promise<boolean> {
    const rows = await this.rows(
      `INSERT INTO incident_parts AS p (incident_id, organisation_id, draft_text, drafted_by, drafted_at)
       SELECT i.id, $2, $3, $4, now() FROM incidents i WHERE i.id = $1 AND i.status = 'open'
       ON CONFLICT (incident_id, organisation_id) DO UPDATE
          SET draft_text = EXCLUDED.draft_text, drafted_by = EXCLUDED.drafted_by, drafted_at = EXCLUDED.drafted_at,
              answered_by = NULL, answered_at = NULL
        WHERE p.drafted_at IS NULL OR p.answered_at IS NOT NULL
       RETURNING p.incident_id`,
      [id, organisationId, text, userId],
    );
    return rows.length > 0;
  }

  /** Gives the organisation's draft claim back (nothing could be drafted). */
  async releaseDraft(id: string, organisationId: string): Promise<void> {
    await this.rows(
      `UPDATE incident_parts SET draft_text = NULL, drafted_by = NULL, drafted_at = NULL
        WHERE incident_id = $1 AND organisation_id = $2 AND answered_at IS NULL`,
      [id, organisationId],
    );
  }

  /**
   * Links a draft just written on the appeal to the incident, in the draft's transaction (the appeal locked); false,
   * and nothing written, when the appeal is no longer in the incident (line 1 excluded it meanwhile).
   */
  async addDraft(tx: Db, incidentId: string, appealId: string, answerId: string): Promise<boolean> {
    const rows = await this.rows(
      `INSERT INTO incident_answers (incident_id, appeal_id, answer_id)
       SELECT l.incident_id, l.appeal_id, $3 FROM appeal_incidents l WHERE l.incident_id = $1 AND l.appeal_id = $2
       RETURNING answer_id`,
      [incidentId, appealId, answerId],
      tx,
    );
    return rows.length > 0;
  }

  /**
   * Whether the answer is still the incident's on the appeal, and the appeal still in the incident: read with the
   * appeal locked, after an exclusion of it (which holds that lock) has committed or before it starts.
   */
  async holdsDraft(tx: Db, incidentId: string, appealId: string, answerId: string): Promise<boolean> {
    const rows = await this.rows(
      `SELECT 1 FROM incident_answers d
         JOIN appeal_incidents l ON l.appeal_id = d.appeal_id AND l.incident_id = d.incident_id
        WHERE d.incident_id = $1 AND d.appeal_id = $2 AND d.answer_id = $3`,
      [incidentId, appealId, answerId],
      tx,
    );
    return rows.length > 0;
  }

  /**
   * The drafts written for the incident on appeals within the scope, with where each answer and its appeal stand
   * now: another organisation's part is neither approved nor named back.
   */
  drafts(incidentId: string, scope: AccessScope): Promise<IncidentDraft[]> {
    const params: unknown[] = [incidentId];
    return this.rows<IncidentDraft>(
      `SELECT d.appeal_id AS "appealId", d.answer_id AS "answerId", a.status AS "appealStatus",
              n.status AS "answerStatus", n.author_id AS "authorId", n.organisation_id AS "organisationId"
         FROM incident_answers d JOIN appeals a ON a.id = d.appeal_id JOIN answers n ON n.id = d.answer_id
        WHERE d.incident_id = $1 AND ${appealScopeSql(scope, params)} ORDER BY a.registered_at, a.id`,
      params,
    );
  }

  /** Whether the appeal exists within the scope. */
  async appealVisibleTo(appealId: string, scope: AccessScope): Promise<boolean> {
    const params: unknown[] = [appealId];
    const rows = await this.rows(
      `SELECT 1 FROM appeals a WHERE a.id = $1 AND ${appealScopeSql(scope, params)}`,
      params,
    );
    return rows.length > 0;
  }

  /** Locks the incident's row (an appeal joins or leaves it); undefined when there is none. */
  lockIncident(tx: Db, id: string): Promise<{ id: string; number: number; status: string } | undefined> {
    return this.one(
      `SELECT id, number::int AS number, status FROM incidents WHERE id = $1 FOR NO KEY UPDATE`,
      [id],
      tx,
    );
  }

  /** The incident's drafts written on this appeal (incident_answers), with each answer's status now. */
  appealDrafts(
    tx: Db,
    incidentId: string,
    appealId: string,
  ): Promise<{ answerId: string; status: string }[]> {
    return this.rows(
      `SELECT d.answer_id AS "answerId", n.status FROM incident_answers d JOIN answers n ON n.id = d.answer_id
        WHERE d.incident_id = $1 AND d.appeal_id = $2`,
      [incidentId, appealId],
      tx,
    );
  }

  /**
   * The appeal left the incident: its drafts are no longer the incident's, and a part whose drafts none waits any
   * more is free to be drafted again (it was pending on this appeal's draft alone).
   */
  async forgetAppealDrafts(tx: Db, incidentId: string, appealId: string): Promise<void> {
    await this.rows(
      `DELETE FROM incident_answers WHERE incident_id = $1 AND appeal_id = $2`,
      [incidentId, appealId],
      tx,
    );
    await this.rows(
      `UPDATE incident_parts p SET draft_text = NULL, drafted_by = NULL, drafted_at = NULL
        WHERE p.incident_id = $1 AND p.drafted_at IS NOT NULL AND p.answered_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM incident_answers d JOIN answers n ON n.id = d.answer_id
                           WHERE d.incident_id = p.incident_id AND n.organisation_id = p.organisation_id
                             AND n.status = 'draft')`,
      [incidentId],
      tx,
    );
  }

  /** The incident's count and time span as its members are now (one left it, or joined it by hand). */
  async recount(tx: Db, incidentId: string): Promise<void> {
    await this.rows(
      `UPDATE incidents i SET appeals_count = s.n, first_at = coalesce(s.first_at, i.first_at),
              last_at = coalesce(s.last_at, i.last_at)
         FROM (SELECT count(*)::int AS n, min(a.registered_at) AS first_at, max(a.registered_at) AS last_at
                 FROM appeal_incidents l JOIN appeals a ON a.id = l.appeal_id WHERE l.incident_id = $1) s
        WHERE i.id = $1`,
      [incidentId],
      tx,
    );
  }

  async recordMembershipChange(
    tx: Db,
    change: {
      incidentId: string;
      appealId: string;
      kind: 'excluded' | 'added';
      reason: string | null;
      actorId: string;
    },
  ): Promise<void> {
    await this.rows(
      `INSERT INTO incident_membership_changes (incident_id, appeal_id, kind, reason, actor_id)
       VALUES ($1, $2, $3, $4, $5)`,
      [change.incidentId, change.appealId, change.kind, change.reason, change.actorId],
      tx,
    );
  }

  /** The incidents each of these appeals was excluded from by line 1: grouping never puts them back there. */
  excludedFrom(tx: Db, appealIds: string[]): Promise<{ appeal_id: string; incident_id: string }[]> {
    if (appealIds.length === 0) return Promise.resolve([]);
    return this.rows(
      `SELECT DISTINCT appeal_id, incident_id FROM incident_membership_changes
        WHERE appeal_id = ANY($1::uuid[]) AND kind = 'excluded'`,
      [appealIds],
      tx,
    );
  }

  /** Line 1's changes of the incident's members within the scope, newest first. */
  membershipChanges(incidentId: string, scope: AccessScope): Promise<IncidentMembershipChange[]> {
    const params: unknown[] = [incidentId];
    return this.rows<IncidentMembershipChange>(
      `SELECT c.kind, c.appeal_id AS "appealId", a.registration_number AS "registrationNumber", c.reason,
              c.actor_id AS "actorId", u.full_name AS "actorName", c.at
         FROM incident_membership_changes c JOIN appeals a ON a.id = c.appeal_id
              LEFT JOIN users u ON u.id = c.actor_id
        WHERE c.incident_id = $1 AND ${appealScopeSql(scope, params)}
        ORDER BY c.at DESC, c.id DESC`,
      params,
    );
  }

  /**
   * Incidents the appeal may be added to, within the scope: with a search, those whose number it is or that hold
   * the appeal of that number, whatever their state (an answered or closed one reopens); without one, those holding appeals like this one — sharing its text's bands
   * or its address on its topic — most alike first, then the latest open ones. Incidents it was excluded from are
   * not offered.
   */
  candidates(
    appealId: string,
    scope: AccessScope,
    search: string | undefined,
    limit = 10,
  ): Promise<IncidentCandidate[]> {
    const params: unknown[] = [appealId, limit];
    const visible =
      scope.organisationIds === null
        ? 'TRUE'
        : `EXISTS (SELECT 1 FROM appeal_incidents l JOIN appeals a ON a.id = l.appeal_id
                    WHERE l.incident_id = i.id AND ${appealScopeSql(scope, params)})`;
    const title = titleSql(scope, params);
    const count = countSql(scope, params);
    let found: string;
    const q = search?.trim().replace(/^№\s*/u, '') ?? '';
    if (q) {
      params.push(q);
      const n = `$${params.length}`;
      // By an appeal's number only within the scope: another organisation's number found the incident holding it,
      // and so told that such an appeal exists and where it went.
      found = `SELECT i.id, 0 AS rank FROM incidents i WHERE ${n}::text ~ '^[0-9]{1,12}$' AND i.number = ${n}::text::bigint
               UNION SELECT l.incident_id, 1 FROM appeals a JOIN appeal_incidents l ON l.appeal_id = a.id
                WHERE a.registration_number = ${n} AND ${appealScopeSql(scope, params)}`;
    } else {
      found = `SELECT l.incident_id AS id, -count(*) AS rank
                 FROM appeal_cluster_keys k CROSS JOIN LATERAL unnest(k.bands) b(band)
                 JOIN appeal_cluster_bands d ON d.band = b.band AND d.appeal_id <> k.appeal_id
                 JOIN appeal_incidents l ON l.appeal_id = d.appeal_id
                WHERE k.appeal_id = $1 GROUP BY l.incident_id
               UNION ALL
               SELECT l.incident_id, -1000 FROM appeal_cluster_keys k
                 JOIN appeal_cluster_keys o ON o.address_key = k.address_key AND o.topic_id = k.topic_id
                      AND o.appeal_id <> k.appeal_id
                 JOIN appeal_incidents l ON l.appeal_id = o.appeal_id
                WHERE k.appeal_id = $1 AND k.address_key IS NOT NULL`;
    }
    return this.rows<IncidentCandidate>(
      `WITH f AS (SELECT id, min(rank) AS rank FROM (${found}) x GROUP BY id)
       SELECT i.id, i.number::int AS number, ${title} AS title, ${count} AS "appealsCount", i.last_at AS "lastAt",
              ${q ? 'FALSE' : '(f.rank IS NOT NULL)'} AS similar
         FROM incidents i ${q ? 'JOIN' : 'LEFT JOIN'} f ON f.id = i.id
        WHERE ${q ? 'TRUE' : `i.status = 'open'`} AND ${visible}
          AND NOT EXISTS (SELECT 1 FROM incident_membership_changes c
                           WHERE c.appeal_id = $1 AND c.incident_id = i.id AND c.kind = 'excluded')
          AND NOT EXISTS (SELECT 1 FROM appeal_incidents m WHERE m.appeal_id = $1 AND m.incident_id = i.id)
        ORDER BY f.rank NULLS LAST, i.last_at DESC, i.id LIMIT $2`,
      params,
    );
  }

  /**
   * Marks these organisations' drafted parts answered by this approver where none of their drafts waits any more,
   * and names the approver of the incident its last answer closed.
   */
  async markAnswered(id: string, organisationIds: string[], userId: string): Promise<void> {
    await this.rows(
      `UPDATE incident_parts p SET answered_by = $3, answered_at = now()
        WHERE p.incident_id = $1 AND p.organisation_id = ANY($2::uuid[]) AND p.drafted_at IS NOT NULL
          AND p.answered_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM incident_answers d JOIN answers n ON n.id = d.answer_id
                           WHERE d.incident_id = p.incident_id AND n.organisation_id = p.organisation_id
                             AND n.status = 'draft')`,
      [id, organisationIds, userId],
    );
    // The incident is answered by its members' state (a trigger: IncidentStateFollowsMembers); by this approver
    // when their approval answered its last appeal in work.
    await this.rows(
      `UPDATE incidents SET answered_by = $2 WHERE id = $1 AND status = 'answered' AND answered_by IS NULL`,
      [id, userId],
    );
  }
}
