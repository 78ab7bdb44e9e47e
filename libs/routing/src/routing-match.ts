/**
 * Pure routing logic: which organisations an appeal goes to, given the competence rules and the rubricator.
 * No I/O here, so every precedence case is unit-tested (routing-match.spec.ts); RoutingEngine loads the data.
 */

export interface RoutingRuleData {
  id: string;
  name: string;
  /** Higher wins among rules of the same specificity. */
  priority: number;
  topicId: string | null;
  /** OKTMO code or prefix; covers every territory code that starts with it (see territoryPrefix). */
  territoryCode: string | null;
  organisationIds: string[];
  active: boolean;
}

export interface TopicData {
  id: string;
  parentId: string | null;
  defaultOrganisationId: string | null;
}

export interface RouteQuery {
  topicId?: string | null;
  subtopicId?: string | null;
  territoryCode?: string | null;
}

export type RouteReason = 'rule' | 'topic-default' | 'none';

export interface RouteDecision {
  organisationIds: string[];
  matchedRuleIds: string[];
  reason: RouteReason;
}

/**
 * The significant part of an OKTMO code: trailing "000" groups at level boundaries stand for "the whole
 * territory above", so a district's own code 51604000 covers its settlements 51604151, 51604402, …, and
 * 51000000 covers the whole region. Codes of other lengths (already a prefix, like "51604") are kept as is.
 */
export function territoryPrefix(code: string): string {
  let prefix = code.trim();
  if (prefix.length === 11 && prefix.endsWith('000')) prefix = prefix.slice(0, 8);
  if (prefix.length === 8 && prefix.endsWith('000')) prefix = prefix.slice(0, 5);
  if (prefix.length === 5 && prefix.endsWith('000')) prefix = prefix.slice(0, 2);
  return prefix;
}

/** Whether a rule's territory covers an appeal's territory: equal, or the appeal's code starts with it. */
export function territoryCovers(ruleCode: string, appealCode: string): boolean {
  const appeal = appealCode.trim();
  const rule = ruleCode.trim();
  if (!rule || !appeal) return false;
  return appeal === rule || appeal.startsWith(territoryPrefix(rule));
}

/**
 * The appeal's topics from the most specific up: [subtopic, its parent] or [topic] (a "topic" that turns out
 * to be a subtopic gets its parent added). Ids missing from the rubricator are still matched literally.
 */
export function topicChain(query: RouteQuery, topics: ReadonlyMap<string, TopicData>): string[] {
  const start = query.subtopicId || query.topicId;
  if (!start) return [];
  const chain: string[] = [];
  let current: string | null | undefined = start;
  while (current && !chain.includes(current)) {
    chain.push(current);
    current = topics.get(current)?.parentId;
  }
  // A subtopic the rubricator does not know: the given topic is still its parent.
  if (query.subtopicId && query.topicId && !topics.has(query.subtopicId) && !chain.includes(query.topicId)) {
    chain.push(query.topicId);
  }
  return chain;
}

/**
 * How specific a rule is for this appeal, compared left to right; undefined when the rule does not apply.
 * 1. dimensions matched: topic and territory (2) beat topic only or territory only (1);
 * 2. topic depth: a subtopic rule beats its parent topic's rule, any topic beats none;
 * 3. territory depth: a settlement's code beats its district's code;
 * 4. priority (higher wins).
 */
export function ruleRank(
  rule: RoutingRuleData,
  chain: readonly string[],
  territoryCode: string | null | undefined,
): [number, number, number, number] | undefined {
  if (!rule.active || rule.organisationIds.length === 0) return undefined;
  if (!rule.topicId && !rule.territoryCode) return undefined;
  let topicDepth = 0;
  if (rule.topicId) {
    const index = chain.indexOf(rule.topicId);
    if (index < 0) return undefined;
    topicDepth = chain.length - index;
  }
  let territoryDepth = 0;
  if (rule.territoryCode) {
    if (!territoryCode || !territoryCovers(rule.territoryCode, territoryCode)) return undefined;
    territoryDepth = territoryPrefix(rule.territoryCode).length;
  }
  const dimensions = (rule.topicId ? 1 : 0) + (rule.territoryCode ? 1 : 0);
  return [dimensions, topicDepth, territoryDepth, rule.priority];
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * Explicit rules win: every active rule that applies is ranked, and all rules tied at the best rank give
 * their organisations (in the order each rule lists them; ties ordered by name). Without a rule, the
 * subtopic's default organisation, else its parent topic's; else none (line 1 routes by hand).
 */
export function matchRoute(
  query: RouteQuery,
  rules: readonly RoutingRuleData[],
  topics: ReadonlyMap<string, TopicData>,
): RouteDecision {
  const chain = topicChain(query, topics);
  const territory = query.territoryCode?.trim() || null;
  let best: [number, number, number, number] | undefined;
  let winners: RoutingRuleData[] = [];
  for (const rule of rules) {
    const rank = ruleRank(rule, chain, territory);
    if (!rank) continue;
    const order = best ? compareRanks(rank, best) : 1;
    if (order > 0) {
      best = rank;
      winners = [rule];
    } else if (order === 0) {
      winners.push(rule);
    }
  }
  if (winners.length > 0) {
    winners.sort((a, b) => a.name.localeCompare(b.name, 'ru') || a.id.localeCompare(b.id));
    const organisationIds = [...new Set(winners.flatMap((r) => r.organisationIds))];
    return { organisationIds, matchedRuleIds: winners.map((r) => r.id), reason: 'rule' };
  }
  for (const topicId of chain) {
    const fallback = topics.get(topicId)?.defaultOrganisationId;
    if (fallback) return { organisationIds: [fallback], matchedRuleIds: [], reason: 'topic-default' };
  }
  return { organisationIds: [], matchedRuleIds: [], reason: 'none' };
}
