import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AccessScope } from '@inbox/access';
import { notFoundError, UUID } from '@inbox/common';
import { RoutingEngine } from '@inbox/routing';
import { learnRoute, type LearnedRoute, type OrganisationHistory } from './learned-routing';

export type SuggestionSource = 'rule' | 'history' | 'topic-default' | 'none';

export const SUGGESTION_SOURCE_RU: Record<SuggestionSource, string> = {
  rule: 'По правилу маршрутизации',
  history: 'По истории: эти организации отвечали на обращения этой темы и территории',
  'topic-default': 'Организация по умолчанию для темы',
  none: 'Ни правила, ни истории: направление определяет ЦУР вручную',
};

export interface RoutingQuery {
  topicId: string | null;
  subtopicId: string | null;
  territoryCode: string | null;
}

export interface RoutingSuggestion {
  organisationIds: string[];
  source: SuggestionSource;
  reasonText: string;
  matchedRuleIds: string[];
  /** What history says, whether or not it decided (rules win where they exist). */
  history: LearnedRoute[];
  /** "territory" when history of the appeal's municipality was enough, else "region". */
  historyScope: 'territory' | 'region' | null;
}

const SCOPE_CONDITION =
  'EXISTS (SELECT 1 FROM appeal_organisations so WHERE so.appeal_id = a.id AND so.organisation_id = ANY($2))';

/**
 * Where an appeal should go: explicit routing rules win where they exist; otherwise the organisations that
 * answered appeals of this topic in this territory (learned from history, returns as misrouted counting
 * against), else in the whole region; else the topic's default organisation.
 */
@Injectable()
export class RoutingSuggestions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: RoutingEngine,
  ) {}

  async suggest(query: RoutingQuery): Promise<RoutingSuggestion> {
    const decision = await this.engine.route(query);
    const { history, scope } = query.topicId
      ? await this.history(query)
      : { history: [] as LearnedRoute[], scope: null };
    const pick = (source: SuggestionSource, organisationIds: string[], matchedRuleIds: string[] = []) => ({
      organisationIds,
      source,
      reasonText: SUGGESTION_SOURCE_RU[source],
      matchedRuleIds,
      history,
      historyScope: scope,
    });
    if (decision.reason === 'rule') return pick('rule', decision.organisationIds, decision.matchedRuleIds);
    if (history.length > 0)
      return pick(
        'history',
        history.map((h) => h.organisationId),
      );
    if (decision.reason === 'topic-default') return pick('topic-default', decision.organisationIds);
    return pick('none', []);
  }

  /** The suggestion for a stored appeal (within the caller's scope), with organisation names. */
  async forAppeal(appealId: string, scope: AccessScope) {
    if (!UUID.test(appealId)) throw notFoundError('Обращение не найдено');
    const scoped = scope.organisationIds !== null;
    const [a] = (await this.dataSource.query(
      `SELECT a.id, a.topic_id, a.subtopic_id, a.territory_code, a.suggested_organisation_ids::text[] AS stored
         FROM appeals a WHERE a.id = $1 ${scoped ? `AND ${SCOPE_CONDITION}` : ''}`,
      scoped ? [appealId, scope.organisationIds] : [appealId],
    )) as {
      id: string;
      topic_id: string | null;
      subtopic_id: string | null;
      territory_code: string | null;
      stored: string[];
    }[];
    if (!a) throw notFoundError('Обращение не найдено');
    const suggestion = await this.suggest({
      topicId: a.topic_id,
      subtopicId: a.subtopic_id,
      territoryCode: a.territory_code,
    });
    const ids = [
      ...new Set([...suggestion.organisationIds, ...suggestion.history.map((h) => h.organisationId)]),
    ];
    const names = ids.length
      ? ((await this.dataSource.query(
          `SELECT id, code, short_name AS "shortName", kind FROM organisations WHERE id = ANY($1::uuid[])`,
          [ids],
        )) as { id: string; code: string; shortName: string; kind: string }[])
      : [];
    const byId = new Map(names.map((n) => [n.id, n]));
    return {
      appealId: a.id,
      topicId: a.topic_id,
      subtopicId: a.subtopic_id,
      territoryCode: a.territory_code,
      ...suggestion,
      storedOrganisationIds: a.stored,
      organisations: suggestion.organisationIds.filter((id) => byId.has(id)).map((id) => byId.get(id)!),
      history: suggestion.history.map((h) => ({ ...h, organisation: byId.get(h.organisationId) ?? null })),
    };
  }

  private async history(
    query: RoutingQuery,
  ): Promise<{ history: LearnedRoute[]; scope: 'territory' | 'region' | null }> {
    const territory =
      query.territoryCode && /^\d{5,}/.test(query.territoryCode) ? query.territoryCode.slice(0, 5) : null;
    if (territory) {
      const local = learnRoute(await this.counts(query, territory));
      if (local.length > 0) return { history: local, scope: 'territory' };
    }
    const region = learnRoute(await this.counts(query, null));
    return { history: region, scope: region.length > 0 ? 'region' : null };
  }

  private async counts(query: RoutingQuery, territoryPrefix: string | null): Promise<OrganisationHistory[]> {
    const rows = (await this.dataSource.query(
      `WITH topical AS (
         SELECT a.id, a.subtopic_id FROM appeals a
          WHERE a.topic_id = $1 AND ($3::text IS NULL OR a.territory_code LIKE $3 || '%')
          ORDER BY a.registered_at DESC LIMIT 20000
       ), answered AS (
         SELECT ans.organisation_id AS id, count(*)::int AS answered,
                count(*) FILTER (WHERE $2::uuid IS NOT NULL AND t.subtopic_id = $2)::int AS answered_subtopic
           FROM answers ans JOIN topical t ON t.id = ans.appeal_id
          WHERE ans.status = 'sent' GROUP BY ans.organisation_id
       ), returned AS (
         SELECT (c.before->>'organisationId')::uuid AS id, count(*)::int AS returned
           FROM classification_corrections c JOIN topical t ON t.id = c.appeal_id
          WHERE c.kind = 'routing' AND c.before ? 'organisationId' GROUP BY 1
       )
       SELECT coalesce(an.id, r.id) AS "organisationId", coalesce(an.answered, 0) AS answered,
              coalesce(an.answered_subtopic, 0) AS "answeredSubtopic", coalesce(r.returned, 0) AS returned
         FROM answered an FULL JOIN returned r ON r.id = an.id`,
      [query.topicId, query.subtopicId, territoryPrefix],
    )) as OrganisationHistory[];
    return rows;
  }
}
