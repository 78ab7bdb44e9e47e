import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog } from '@inbox/access';
import { invalidInput, notFoundError, UUID } from '@inbox/common';
import { isChannel } from '@inbox/integrations/contract';
import { type FastTrackRuleData } from './fast-track-match';

export interface FastTrackRule extends FastTrackRuleData {
  topic: { id: string; code: string; name: string } | null;
  createdAt: Date;
  updatedAt: Date;
}

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

const COLUMNS = `r.id, r.name, r.topic_id AS "topicId", r.keywords, r.channels, r.months, r.active,
  r.created_at AS "createdAt", r.updated_at AS "updatedAt",
  CASE WHEN t.id IS NULL THEN NULL ELSE json_build_object('id', t.id, 'code', t.code, 'name', t.name) END AS topic`;

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
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  /** The active rules, read fresh for every item (a few rows): an edit applies to the next item everywhere. */
  async active(): Promise<FastTrackRuleData[]> {
    return (await this.dataSource.query(
      `SELECT id, name, topic_id AS "topicId", keywords, channels, months, active FROM fast_track_rules WHERE active`,
    )) as FastTrackRuleData[];
  }

  async list(): Promise<FastTrackRule[]> {
    return (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM fast_track_rules r LEFT JOIN topics t ON t.id = r.topic_id ORDER BY r.active DESC, r.name`,
    )) as FastTrackRule[];
  }

  async get(id: string, db: EntityManager = this.dataSource.manager): Promise<FastTrackRule> {
    if (!UUID.test(id)) throw notFoundError('Правило фаст-трека не найдено');
    const [row] = (await db.query(
      `SELECT ${COLUMNS} FROM fast_track_rules r LEFT JOIN topics t ON t.id = r.topic_id WHERE r.id = $1`,
      [id],
    )) as FastTrackRule[];
    if (!row) throw notFoundError('Правило фаст-трека не найдено');
    return row;
  }

  async create(input: FastTrackRuleInput, actor: Actor): Promise<FastTrackRule> {
    const rule = normalise(input);
    const view = await this.dataSource.transaction(async (tx) => {
      await this.validate(tx, rule);
      const [{ id }] = (await tx.query(
        `INSERT INTO fast_track_rules (name, topic_id, keywords, channels, months, active)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [rule.name, rule.topicId, rule.keywords, rule.channels, rule.months, rule.active],
      )) as { id: string }[];
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
    const view = await this.dataSource.transaction(async (tx) => {
      const before = await this.lock(tx, id);
      await this.validate(tx, rule, id);
      const changed = (['name', 'topicId', 'keywords', 'channels', 'months', 'active'] as const).filter(
        (f) => JSON.stringify(before[f]) !== JSON.stringify(rule[f]),
      );
      if (changed.length > 0) {
        await tx.query(
          `UPDATE fast_track_rules SET name = $2, topic_id = $3, keywords = $4, channels = $5, months = $6,
                  active = $7, updated_at = now() WHERE id = $1`,
          [id, rule.name, rule.topicId, rule.keywords, rule.channels, rule.months, rule.active],
        );
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
    await this.dataSource.transaction(async (tx) => {
      await this.lock(tx, id);
      await tx.query(`DELETE FROM fast_track_rules WHERE id = $1`, [id]);
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

  private async lock(tx: EntityManager, id: string): Promise<FastTrackRuleData> {
    if (!UUID.test(id)) throw notFoundError('Правило фаст-трека не найдено');
    const [row] = (await tx.query(
      `SELECT id, name, topic_id AS "topicId", keywords, channels, months, active FROM fast_track_rules
        WHERE id = $1 FOR UPDATE`,
      [id],
    )) as FastTrackRuleData[];
    if (!row) throw notFoundError('Правило фаст-трека не найдено');
    return row;
  }

  private async validate(
    tx: EntityManager,
    rule: Omit<FastTrackRuleData, 'id'>,
    ownId?: string,
  ): Promise<void> {
    const errors: Record<string, string> = {};
    if (!rule.name) errors.name = 'Укажите название правила';
    else if (rule.name.length > 200) errors.name = 'Название — не длиннее 200 символов';
    else {
      const others = (await tx.query(`SELECT id, name FROM fast_track_rules`)) as {
        id: string;
        name: string;
      }[];
      if (others.some((o) => o.id !== ownId && nameKey(o.name) === nameKey(rule.name))) {
        errors.name = 'Правило с таким названием уже есть';
      }
    }
    if (rule.topicId) {
      if (!UUID.test(rule.topicId)) errors.topicId = 'Тема указана неверно';
      else if (
        ((await tx.query(`SELECT 1 FROM topics WHERE id = $1`, [rule.topicId])) as unknown[]).length === 0
      ) {
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
