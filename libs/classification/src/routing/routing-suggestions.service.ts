import { Injectable } from '@nestjs/common';
import { type AccessScope } from '@inbox/access';
import { notFoundError, UUID } from '@inbox/common';
import { type Db } from '@inbox/database';
import { RoutingEngine } from '@inbox/routing';
import { RoutingHistoryRepository } from '../repositories/routing-history.repository';
import { learnRoute, type LearnedRoute } from './learned-routing';

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
    const [{ history, scope }] = await this.histories([query]);
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

  /**
   * The organisations `suggest` would give each query, for a batch: history is read only where no rule decides,
   * in at most two statements for the whole batch (the territories', then the region's where those say nothing).
   * `db`: the caller's transaction, when it holds one: every read goes on its connection, none waits for the pool.
   */
  async organisationsFor(queries: RoutingQuery[], db?: Db): Promise<string[][]> {
    const decisions = await Promise.all(queries.map((q) => this.engine.route(q, db)));
    const unruled = queries.flatMap((q, i) => (decisions[i].reason === 'rule' ? [] : [i]));
    const histories = await this.histories(
      unruled.map((i) => queries[i]),
      db,
    );
    const historyOf = new Map(unruled.map((i, k) => [i, histories[k].history]));
    return decisions.map((decision, i) => {
      if (decision.reason === 'rule') return decision.organisationIds;
      const history = historyOf.get(i)!;
      if (history.length > 0) return history.map((h) => h.organisationId);
      return decision.reason === 'topic-default' ? decision.organisationIds : [];
    });
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

  /**
   * What history says for each query: the municipality's answers when they are enough, else the region's; each
   * distinct question asked once, the territories' in one statement and the region's in another.
   */
  private async histories(
    queries: RoutingQuery[],
    db?: Db,
  ): Promise<{ history: LearnedRoute[]; scope: 'territory' | 'region' | null }[]> {
    const territoryOf = (q: RoutingQuery) =>
      q.territoryCode && /^\d{5,}/.test(q.territoryCode) ? q.territoryCode.slice(0, 5) : null;
    const learned = async (
      asked: { topicId: string | null; subtopicId: string | null; territoryPrefix: string | null }[],
    ) => {
      const keyOf = (a: (typeof asked)[number]) => `${a.topicId}|${a.subtopicId}|${a.territoryPrefix ?? ''}`;
      const distinct = [...new Map(asked.map((a) => [keyOf(a), a])).values()];
      const counts = await this.repository.counts(distinct, db);
      const byKey = new Map(distinct.map((a, k) => [keyOf(a), learnRoute(counts[k])]));
      return asked.map((a) => byKey.get(keyOf(a))!);
    };
    const topical = queries.flatMap((q, i) => (q.topicId ? [i] : []));
    const local = topical.filter((i) => territoryOf(queries[i]));
    const asked = (i: number, territoryPrefix: string | null) => ({
      topicId: queries[i].topicId,
      subtopicId: queries[i].subtopicId,
      territoryPrefix,
    });
    const localRoutes = await learned(local.map((i) => asked(i, territoryOf(queries[i]))));
    const out = queries.map(() => ({
      history: [] as LearnedRoute[],
      scope: null as 'territory' | 'region' | null,
    }));
    local.forEach((i, k) => {
      if (localRoutes[k].length > 0) out[i] = { history: localRoutes[k], scope: 'territory' };
    });
    const regional = topical.filter((i) => out[i].scope === null);
    const regionRoutes = await learned(regional.map((i) => asked(i, null)));
    regional.forEach((i, k) => {
      out[i] = { history: regionRoutes[k], scope: regionRoutes[k].length > 0 ? 'region' : null };
    });
    return out;
  }
}
