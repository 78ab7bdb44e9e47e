import { Inject, Injectable } from '@nestjs/common';
import { AuditLog } from '@inbox/access';
import { CachedLoad, foundById, UUID } from '@inbox/common';
import { type Db, Transactions } from '@inbox/database';
import { OrganisationDirectory } from '@inbox/organisations';
import { RoutingRuleNotFoundError, RoutingValidationError } from './routing-errors';
import {
  matchRoute,
  type RouteDecision,
  type RouteQuery,
  type RouteReason,
  type RoutingRuleData,
  type TopicData,
} from './routing-match';
import { type RoutingRule, RoutingRulesRepository, type RoutingRuleView } from './routing-rules.repository';

export type { RoutingRule, RoutingRuleView } from './routing-rules.repository';

export interface RoutingRuleInput {
  name: string;
  /** Higher wins among rules of the same specificity; 100 when left out. */
  priority?: number;
  topicId?: string | null;
  territoryCode?: string | null;
  organisationIds: string[];
  active?: boolean;
}

export const ROUTING_RULE_ENTITY = 'routing-rule';
export const DEFAULT_RULE_PRIORITY = 100;
export const MAX_RULE_PRIORITY = 10_000;
export const MAX_RULE_ORGANISATIONS = 20;

/** OKTMO: 2 digits (region), 5 (municipality), 8 (settlement) or 11 (locality); any prefix of 2–11 digits. */
export const TERRITORY_CODE = /^\d{2,11}$/;

/** Rule names are unique regardless of case, spacing and е/ё (compared here, not by the database's locale). */
export function ruleNameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLocaleLowerCase('ru').replace(/ё/g, 'е');
}

export interface RoutingSuggestion extends RouteDecision {
  reasonText: string;
  organisations: { id: string; code: string; name: string; shortName: string; kind: string }[];
  matchedRules: { id: string; name: string; priority: number }[];
}

export const ROUTE_REASON_RU: Record<RouteReason, string> = {
  rule: 'По правилу маршрутизации',
  'topic-default': 'Организация по умолчанию для темы',
  none: 'Правило не найдено: направление определяет ЦУР вручную',
};

interface RoutingSnapshot {
  rules: RoutingRuleData[];
  ruleById: Map<string, RoutingRuleData>;
  topics: Map<string, TopicData>;
}

/**
 * Decides where an appeal goes. Active rules and the rubricator are cached for a few seconds (rules change
 * rarely; a change made through RoutingRules in this process applies at once, elsewhere within CACHE_MS).
 */
@Injectable()
export class RoutingEngine {
  static readonly CACHE_MS = 5_000;
  private readonly cache = new CachedLoad(RoutingEngine.CACHE_MS, (db?: Db) => this.load(db));

  constructor(
    @Inject(RoutingRulesRepository) private readonly rulesRepo: RoutingRulesRepository,
    @Inject(OrganisationDirectory) private readonly directory: OrganisationDirectory,
  ) {}

  /** `db`: the caller's transaction, when it holds one (a reload then reads on its connection, not the pool's). */
  async route(query: RouteQuery, db?: Db): Promise<RouteDecision> {
    const { rules, topics } = await this.snapshot(db);
    return matchRoute(query, rules, topics);
  }

  /** The decision with names, for a person choosing where to send an appeal; checks the query first. */
  async suggest(raw: RouteQuery): Promise<RoutingSuggestion> {
    const query: RouteQuery = {
      topicId: raw.topicId?.trim().toLowerCase() || null,
      subtopicId: raw.subtopicId?.trim().toLowerCase() || null,
      territoryCode: raw.territoryCode?.trim() || null,
    };
    const snapshot = await this.snapshot();
    const errors: Record<string, string> = {};
    const topic = query.topicId ? snapshot.topics.get(query.topicId) : undefined;
    const subtopic = query.subtopicId ? snapshot.topics.get(query.subtopicId) : undefined;
    if (query.topicId && !topic) errors.topicId = 'Такой темы нет в рубрикаторе';
    if (query.subtopicId && !subtopic) errors.subtopicId = 'Такой подтемы нет в рубрикаторе';
    if (topic && subtopic && subtopic.parentId !== topic.id) {
      errors.subtopicId = 'Подтема не относится к выбранной теме';
    }
    if (query.territoryCode && !TERRITORY_CODE.test(query.territoryCode)) {
      errors.territoryCode = 'Код территории — от 2 до 11 цифр по ОКТМО';
    }
    if (Object.keys(errors).length > 0)
      throw new RoutingValidationError(errors, 'Проверьте параметры запроса');
    const decision = matchRoute(query, snapshot.rules, snapshot.topics);
    const organisations = await this.directory.summariesInOrder(decision.organisationIds);
    return {
      ...decision,
      // A rule may still name an organisation removed from the directory since: offer only real ones.
      organisationIds: organisations.map((o) => o.id),
      reasonText: ROUTE_REASON_RU[decision.reason],
      organisations,
      matchedRules: decision.matchedRuleIds.map((id) => {
        const rule = snapshot.ruleById.get(id)!;
        return { id, name: rule.name, priority: rule.priority };
      }),
    };
  }

  invalidate(): void {
    this.cache.invalidate();
  }

  private snapshot(db?: Db): Promise<RoutingSnapshot> {
    return this.cache.get(db);
  }

  private async load(db?: Db): Promise<RoutingSnapshot> {
    const [rules, topics]: [RoutingRuleData[], TopicData[]] = await Promise.all([
      this.rulesRepo.activeRules(db),
      this.rulesRepo.topicLinks(db),
    ]);
    return {
      rules,
      ruleById: new Map(rules.map((r) => [r.id, r])),
      topics: new Map(topics.map((t) => [t.id, t])),
    };
  }
}

interface Actor {
  userId: string | null;
}

/**
 * Competence rules as data an administrator edits: topic and/or territory → one or several organisations.
 * Every change is written to the audit log (ids and field names only) in the same transaction.
 */
@Injectable()
export class RoutingRules {
  constructor(
    @Inject(RoutingRulesRepository) private readonly rulesRepo: RoutingRulesRepository,
    @Inject(OrganisationDirectory) private readonly directory: OrganisationDirectory,
    @Inject(Transactions) private readonly transactions: Transactions,
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(RoutingEngine) private readonly engine: RoutingEngine,
  ) {}

  list(filter: { active?: boolean; topicId?: string } = {}): Promise<RoutingRuleView[]> {
    return this.rulesRepo.list(filter);
  }

  get(id: string, db?: Db): Promise<RoutingRuleView> {
    return foundById(
      id,
      (rid) => this.rulesRepo.view(rid, db),
      () => new RoutingRuleNotFoundError(id),
    );
  }

  async create(input: RoutingRuleInput, actor: Actor): Promise<RoutingRuleView> {
    const rule = normalise(input);
    return this.change(async (tx) => {
      await this.validate(rule, tx);
      const id = await this.rulesRepo.insert(rule, tx);
      await this.audited(tx, actor, 'create', id, {
        topicId: rule.topicId,
        organisationIds: rule.organisationIds,
        active: rule.active,
      });
      return this.get(id, tx);
    });
  }

  /** Replaces the rule's fields (PUT semantics: a field left out takes its default). */
  async update(id: string, input: RoutingRuleInput, actor: Actor): Promise<RoutingRuleView> {
    const rule = normalise(input);
    return this.change(async (tx) => {
      const before = await this.lock(id, tx);
      await this.validate(rule, tx, id);
      const changed = (
        ['name', 'priority', 'topicId', 'territoryCode', 'organisationIds', 'active'] as const
      ).filter((field) => JSON.stringify(before[field]) !== JSON.stringify(rule[field]));
      if (changed.length > 0) {
        await this.rulesRepo.update(id, rule, tx);
        await this.audited(tx, actor, 'update', id, {
          changed,
          ...(changed.includes('topicId') ? { topicId: { from: before.topicId, to: rule.topicId } } : {}),
          ...(changed.includes('organisationIds')
            ? { organisationIds: { from: before.organisationIds, to: rule.organisationIds } }
            : {}),
        });
      }
      return this.get(id, tx);
    });
  }

  /** Switches the rule off but keeps it (and its history) for later; a no-op on an inactive rule. */
  async deactivate(id: string, actor: Actor): Promise<RoutingRuleView> {
    return this.change(async (tx) => {
      const before = await this.lock(id, tx);
      if (before.active) {
        await this.rulesRepo.deactivate(id, tx);
        await this.audited(tx, actor, 'deactivate', id);
      }
      return this.get(id, tx);
    });
  }

  async delete(id: string, actor: Actor): Promise<void> {
    await this.change(async (tx) => {
      const before = await this.lock(id, tx);
      await this.rulesRepo.delete(id, tx);
      await this.audited(tx, actor, 'delete', id, {
        topicId: before.topicId,
        organisationIds: before.organisationIds,
      });
    });
  }

  /** One transaction for a change and its audit row; the engine sees the change once it is committed. */
  private async change<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    const result = await this.transactions.run(work);
    this.engine.invalidate();
    return result;
  }

  private audited(
    tx: Db,
    actor: Actor,
    action: 'create' | 'update' | 'deactivate' | 'delete',
    id: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(
      {
        userId: actor.userId,
        action: `routing-rule.${action}`,
        entityType: ROUTING_RULE_ENTITY,
        entityId: id,
        ...(details ? { details } : {}),
      },
      tx,
    );
  }

  private lock(id: string, tx: Db): Promise<RoutingRule> {
    return foundById(
      id,
      (rid) => this.rulesRepo.lock(rid, tx),
      () => new RoutingRuleNotFoundError(id),
    );
  }

  /** Every problem at once, keyed by field, in Russian. */
  private async validate(rule: NormalisedRule, tx: Db, ownId?: string): Promise<void> {
    const errors: Record<string, string> = {};
    if (!rule.name) errors.name = 'Укажите название правила';
    else if (rule.name.length > 200) errors.name = 'Название правила — не длиннее 200 символов';
    else {
      const others = await this.rulesRepo.names(tx);
      const key = ruleNameKey(rule.name);
      if (others.some((r) => r.id !== ownId && ruleNameKey(r.name) === key)) {
        errors.name = 'Правило с таким названием уже есть';
      }
    }
    if (!Number.isInteger(rule.priority) || rule.priority < 0 || rule.priority > MAX_RULE_PRIORITY) {
      errors.priority = `Приоритет — целое число от 0 до ${MAX_RULE_PRIORITY}`;
    }
    if (!rule.topicId && !rule.territoryCode) {
      const message = 'Укажите тему, территорию или и то и другое';
      errors.topicId = message;
      errors.territoryCode = message;
    }
    if (rule.territoryCode && !TERRITORY_CODE.test(rule.territoryCode)) {
      errors.territoryCode = 'Код территории — от 2 до 11 цифр по ОКТМО';
    }
    if (rule.topicId) {
      if (!UUID.test(rule.topicId)) errors.topicId = 'Тема указана неверно';
      else {
        if (!(await this.rulesRepo.topicExists(rule.topicId, tx)))
          errors.topicId = 'Такой темы нет в рубрикаторе';
      }
    }
    if (rule.organisationIds.length === 0) errors.organisationIds = 'Укажите хотя бы одну организацию';
    else if (rule.organisationIds.length > MAX_RULE_ORGANISATIONS) {
      errors.organisationIds = `Не больше ${MAX_RULE_ORGANISATIONS} организаций в одном правиле`;
    } else if (rule.organisationIds.some((id) => !UUID.test(id))) {
      errors.organisationIds = 'Организации указаны неверно';
    } else {
      const missing = await this.directory.missingIds(rule.organisationIds, tx);
      if (missing.length > 0) errors.organisationIds = `Нет в справочнике организаций: ${missing.join(', ')}`;
    }
    if (Object.keys(errors).length > 0) throw new RoutingValidationError(errors);
  }
}

type NormalisedRule = Required<Omit<RoutingRuleInput, 'topicId' | 'territoryCode'>> & {
  topicId: string | null;
  territoryCode: string | null;
};

function normalise(input: RoutingRuleInput): NormalisedRule {
  return {
    name: (input.name ?? '').trim(),
    priority: input.priority ?? DEFAULT_RULE_PRIORITY,
    topicId: input.topicId?.trim().toLowerCase() || null,
    territoryCode: input.territoryCode?.trim() || null,
    organisationIds: [...new Set((input.organisationIds ?? []).map((id) => id.trim().toLowerCase()))],
    active: input.active ?? true,
  };
}
