import { Injectable } from '@nestjs/common';
import { type AccessScope } from '@inbox/access';
import { notFoundError, UUID } from '@inbox/common';
import { RoutingEngine } from '@inbox/routing';
import { RoutingHistoryRepository } from '../repositories/routing-history.repository';
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

/**
 * Where an appeal should go: explicit routing rules win where they exist; otherwise the organisations that
 * answered appeals of this topic in this territory (learned from history, returns as misrouted counting
 * against), else in the whole region; else the topic's default organisation.
 */
@Injectable()
export class RoutingSuggestions {
  constructor(
    private readonly repository: RoutingHistoryRepository,
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
    const a = await this.repository.appeal(appealId, scope);
    if (!a) throw notFoundError('Обращение не найдено');
    const suggestion = await this.suggest({
      topicId: a.topic_id,
      subtopicId: a.subtopic_id,
      territoryCode: a.territory_code,
    });
    const ids = [
      ...new Set([...suggestion.organisationIds, ...suggestion.history.map((h) => h.organisationId)]),
    ];
    const names = ids.length ? await this.repository.organisations(ids) : [];
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

  private counts(query: RoutingQuery, territoryPrefix: string | null): Promise<OrganisationHistory[]> {
    return this.repository.counts({ topicId: query.topicId, subtopicId: query.subtopicId, territoryPrefix });
  }
}
