import { Injectable } from '@nestjs/common';
import { type AccessScope, appealScopeSql } from '@inbox/access';
import { type Db, SqlRepository } from '@inbox/database';
import { type OrganisationHistory } from '../routing/learned-routing';

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
   * Per query, per organisation: answers sent and returns as misrouted on the topic's latest 20 000 appeals (in
   * the territory when a prefix is given). All the queries in one statement, each read as it would be alone;
   * the result in the queries' order.
   */
  async counts(
    queries: { topicId: string | null; subtopicId: string | null; territoryPrefix: string | null }[],
    db: Db = this.pool,
  ): Promise<OrganisationHistory[][]> {
    if (queries.length === 0) return [];
    const rows = await this.rows<OrganisationHistory & { n: number }>(
      `SELECT q.n, h.* FROM jsonb_to_recordset($1::jsonb) AS q(n integer, "topicId" uuid, "subtopicId" uuid, "territoryPrefix" text)
       CROSS JOIN LATERAL (
         WITH topical AS (
           SELECT a.id, a.subtopic_id FROM appeals a
            WHERE a.topic_id = q."topicId" AND (q."territoryPrefix" IS NULL OR a.territory_code LIKE q."territoryPrefix" || '%')
            ORDER BY a.registered_at DESC LIMIT 20000
         ), answered AS (
           SELECT ans.organisation_id AS id, count(*)::int AS answered,
                  count(*) FILTER (WHERE q."subtopicId" IS NOT NULL AND t.subtopic_id = q."subtopicId")::int
                    AS answered_subtopic
             FROM answers ans JOIN topical t ON t.id = ans.appeal_id
            WHERE ans.status = 'sent' GROUP BY ans.organisation_id
         ), returned AS (
           SELECT (c.before->>'organisationId')::uuid AS id, count(*)::int AS returned
             FROM classification_corrections c JOIN topical t ON t.id = c.appeal_id
            WHERE c.kind = 'routing' AND c.before ? 'organisationId' GROUP BY 1
         )
         SELECT coalesce(an.id, r.id) AS "organisationId", coalesce(an.answered, 0) AS answered,
                coalesce(an.answered_subtopic, 0) AS "answeredSubtopic", coalesce(r.returned, 0) AS returned
           FROM answered an FULL JOIN returned r ON r.id = an.id
       ) h`,
      [JSON.stringify(queries.map((q, n) => ({ n, ...q })))],
      db,
    );
    const out = queries.map((): OrganisationHistory[] => []);
    for (const { n, ...h } of rows) out[n].push(h);
    return out;
  }
}
