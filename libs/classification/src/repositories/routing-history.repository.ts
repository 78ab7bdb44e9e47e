import { Injectable } from '@nestjs/common';
import { type AccessScope, appealScopeSql } from '@inbox/access';
import { type Db, SqlRepository } from '@inbox/database';
import { type OrganisationHistory } from '../routing/learned-routing';

/** How much evidence (answers and returns) of a topic the learned routing reads, newest months first. */
export const HISTORY_WINDOW = 20_000;

/** "Every subtopic" and "every organisation" in routing_history_counts (migration RoutingHistoryCounts). */
const ALL = `'00000000-0000-0000-0000-000000000000'::uuid`;

/**
 * The history of each query of $1 (n, topicId, subtopicId, territoryPrefix): its months' totals newest first up
 * to the month where the evidence reaches $2, then per organisation the counts of those months, of every
 * subtopic and of the query's own.
 */
export const ROUTING_HISTORY_SQL = `
  SELECT q.n, h.* FROM jsonb_to_recordset($1::jsonb) AS q(n integer, "topicId" uuid, "subtopicId" uuid, "territoryPrefix" text)
  CROSS JOIN LATERAL (
    SELECT min(m.month) AS since FROM (
      SELECT t.month, coalesce(sum(t.answered + t.returned) OVER (ORDER BY t.month DESC
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
        FROM routing_history_counts t
       WHERE t.topic_id = q."topicId" AND t.territory = coalesce(q."territoryPrefix", '')
         AND t.organisation_id = ${ALL} AND t.subtopic_id = ${ALL}
    ) m WHERE m.before < $2
  ) w
  CROSS JOIN LATERAL (
    SELECT t.organisation_id AS "organisationId",
           coalesce(sum(t.answered) FILTER (WHERE t.subtopic_id = ${ALL}), 0)::int AS answered,
           coalesce(sum(t.answered) FILTER (WHERE t.subtopic_id = q."subtopicId"), 0)::int AS "answeredSubtopic",
           coalesce(sum(t.returned) FILTER (WHERE t.subtopic_id = ${ALL}), 0)::int AS returned
      FROM routing_history_counts t
     WHERE t.topic_id = q."topicId" AND t.territory = coalesce(q."territoryPrefix", '')
       AND t.subtopic_id IN (${ALL}, q."subtopicId") AND t.month >= w.since AND t.organisation_id <> ${ALL}
     GROUP BY t.organisation_id
    HAVING sum(t.answered) FILTER (WHERE t.subtopic_id = ${ALL}) <> 0
        OR sum(t.returned) FILTER (WHERE t.subtopic_id = ${ALL}) <> 0
  ) h`;

/** What a routing suggestion needs of a stored appeal. */
export interface RoutedAppeal {
  id: string;
  topic_id: string | null;
  subtopic_id: string | null;
  territory_code: string | null;
  stored: string[];
}

export interface OrganisationRef {
  id: string;
  code: string;
  shortName: string;
  kind: string;
}

/**
 * What routing learns from: who answered appeals of a topic (in a territory) and who returned them as
 * misrouted; and the appeal and organisations a suggestion is shown with.
 */
@Injectable()
export class RoutingHistoryRepository extends SqlRepository {
  /** The appeal within the scope, or undefined (missing and out of scope look the same). */
  appeal(appealId: string, scope: AccessScope): Promise<RoutedAppeal | undefined> {
    const params: unknown[] = [appealId];
    const scoped = appealScopeSql(scope, params);
    return this.one<RoutedAppeal>(
      `SELECT a.id, a.topic_id, a.subtopic_id, a.territory_code, a.suggested_organisation_ids::text[] AS stored
         FROM appeals a WHERE a.id = $1 AND ${scoped}`,
      params,
    );
  }

  organisations(ids: string[]): Promise<OrganisationRef[]> {
    return this.rows<OrganisationRef>(
      `SELECT id, code, short_name AS "shortName", kind FROM organisations WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /**
   * Per query, per organisation: answers sent and returns as misrouted on the topic's appeals (in the territory
   * when a prefix is given), from the counts kept per month of registration (migration RoutingHistoryCounts):
   * the newest months whose answers and returns together reach HISTORY_WINDOW. All the queries in one
   * statement, each read as it would be alone; the result in the queries' order. Its cost is the topic's
   * months and organisations, whatever the number of appeals.
   */
  async counts(
    queries: { topicId: string | null; subtopicId: string | null; territoryPrefix: string | null }[],
    db: Db = this.pool,
  ): Promise<OrganisationHistory[][]> {
    if (queries.length === 0) return [];
    const rows = await this.rows<OrganisationHistory & { n: number }>(
      ROUTING_HISTORY_SQL,
      [JSON.stringify(queries.map((q, n) => ({ n, ...q }))), HISTORY_WINDOW],
      db,
    );
    const out = queries.map((): OrganisationHistory[] => []);
    for (const { n, ...h } of rows) out[n].push(h);
    return out;
  }
}
