import { Injectable } from '@nestjs/common';
import { AuditLog } from '@inbox/access';
import { foundById, invalidInput, UUID } from '@inbox/common';
import { type Db, Transactions } from '@inbox/database';
import { isChannel } from '@inbox/integrations/contract';
import { type FastTrackRule, FastTrackRulesRepository } from '../repositories/fast-track-rules.repository';
import { type FastTrackRuleData } from './fast-track-match';

export interface FastTrackRuleInput {
  name: string;
  topicId?: string | null;
  keywords?: string[];
  channels?: string[];
  months?: number[];
  active?: boolean;
}

export const MAX_RULE_KEYWORDS = 100;
export const MAX_KEYWORD_LENGTH = 200;

/** Said of a rule that does not exist, and of an id that is not a UUID. */
const NOT_FOUND = 'Правило фаст-трека не найдено';
const nameKey = (name: string) => name.trim().replace(/\s+/g, ' ').toLocaleLowerCase('ru').replace(/ё/g, 'е');

interface Actor {
  userId: string | null;
}

/**
 * The region's fast-track rules (by topic, keywords, channel and months) as data an administrator edits;
 * every change is audited.
 */
@Injectable()
export class FastTrackRules {
  constructor(
    private readonly repository: FastTrackRulesRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  /**
   * The active rules, read fresh for every item (a few rows): an edit applies to the next item everywhere. A
   * caller holding a transaction passes it (`db`): a second connection from the pool may never come.
   */
  active(db?: Db): Promise<FastTrackRuleData[]> {
    return this.repository.active(db);
  }

  list(): Promise<FastTrackRule[]> {
    return this.repository.list();
  }

  get(id: string, db?: Db): Promise<FastTrackRule> {
    return foundById(id, (rid) => this.repository.view(rid, db), NOT_FOUND);
  }

  async create(input: FastTrackRuleInput, actor: Actor): Promise<FastTrackRule> {
    const rule = normalise(input);
    const view = await this.transactions.run(async (tx) => {
      await this.validate(tx, rule);
      const id = await this.repository.insert(tx, rule);
      await this.audit.record(
        {
          userId: actor.userId,
          action: 'fast-track-rule.create',
          entityType: 'fast-track-rule',
          entityId: id,
        },
        tx,
      );
      return this.get(id, tx);
    });
    return view;
  }

  /** Replaces the rule's fields (a field left out takes its default). */
  async update(id: string, input: FastTrackRuleInput, actor: Actor): Promise<FastTrackRule> {
    const rule = normalise(input);
    const view = await this.transactions.run(async (tx) => {
      const before = await this.lock(tx, id);
      await this.validate(tx, rule, id);
      const changed = (['name', 'topicId', 'keywords', 'channels', 'months', 'active'] as const).filter(
        (f) => JSON.stringify(before[f]) !== JSON.stringify(rule[f]),
      );
      if (changed.length > 0) {
        await this.repository.update(tx, id, rule);
        await this.audit.record(
          {
            userId: actor.userId,
            action: 'fast-track-rule.update',
            entityType: 'fast-track-rule',
            entityId: id,
            details: { changed },
          },
          tx,
        );
      }
      return this.get(id, tx);
    });
    return view;
  }

  async delete(id: string, actor: Actor): Promise<void> {
    await this.transactions.run(async (tx) => {
      await this.lock(tx, id);
      await this.repository.delete(tx, id);
      await this.audit.record(
        {
          userId: actor.userId,
          action: 'fast-track-rule.delete',
          entityType: 'fast-track-rule',
          entityId: id,
        },
        tx,
      );
    });
  }

  private lock(tx: Db, id: string): Promise<FastTrackRuleData> {
    return foundById(id, (rid) => this.repository.lock(tx, rid), NOT_FOUND);
  }

  private async validate(tx: Db, rule: Omit<FastTrackRuleData, 'id'>, ownId?: string): Promise<void> {
    const errors: Record<string, string> = {};
    if (!rule.name) errors.name = 'Укажите название правила';
    else if (rule.name.length > 200) errors.name = 'Название — не длиннее 200 символов';
    else {
      const others = await this.repository.names(tx);
      if (others.some((o) => o.id !== ownId && nameKey(o.name) === nameKey(rule.name))) {
        errors.name = 'Правило с таким названием уже есть';
      }
    }
    if (rule.topicId) {
      if (!UUID.test(rule.topicId)) errors.topicId = 'Тема указана неверно';
      else if (!(await this.repository.topicExists(tx, rule.topicId))) {
        errors.topicId = 'Такой темы нет в рубрикаторе';
      }
    }
    if (rule.keywords.length > MAX_RULE_KEYWORDS)
      errors.keywords = `Не больше ${MAX_RULE_KEYWORDS} ключевых фраз`;
    else if (rule.keywords.some((k) => k.length > MAX_KEYWORD_LENGTH)) {
      errors.keywords = `Ключевая фраза — не длиннее ${MAX_KEYWORD_LENGTH} символов`;
    } else if (rule.keywords.some((k) => !/[a-zа-яё]/i.test(k))) {
      errors.keywords = 'В ключевой фразе должны быть слова';
    }
    const unknown = rule.channels.filter((c) => !isChannel(c));
    if (unknown.length > 0) errors.channels = `Неизвестные каналы: ${unknown.join(', ')}`;
    if (rule.months.some((m) => !Number.isInteger(m) || m < 1 || m > 12))
      errors.months = 'Месяцы — числа от 1 до 12';
    if (!rule.topicId && rule.keywords.length === 0 && rule.channels.length === 0) {
      const message = 'Укажите тему, ключевые фразы или каналы';
      errors.topicId ??= message;
      errors.keywords ??= message;
    }
    if (Object.keys(errors).length > 0) throw invalidInput('Проверьте поля правила', errors);
  }
}

function normalise(input: FastTrackRuleInput): Omit<FastTrackRuleData, 'id'> {
  return {
    name: (input.name ?? '').trim().replace(/\s+/g, ' '),
    topicId: input.topicId?.trim().toLowerCase() || null,
    keywords: [
      ...new Set(
        (input.keywords ?? []).map((k) => k.trim().replace(/\s+/g, ' ').toLowerCase()).filter(Boolean),
      ),
    ],
    channels: [...new Set((input.channels ?? []).map((c) => c.trim()).filter(Boolean))],
    months: [...new Set(input.months ?? [])].sort((a, b) => a - b),
    active: input.active ?? true,
  };
}
