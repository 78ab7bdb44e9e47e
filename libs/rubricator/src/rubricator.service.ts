import { Injectable } from '@nestjs/common';
import { AuditLog } from '@inbox/access';
import { foundById, invalidInput, notFoundError, UUID } from '@inbox/common';
import { type Db, Transactions } from '@inbox/database';
import {
  type ChannelCategoryRow,
  type RubricatorChange,
  RubricatorRepository,
  type TopicRow,
} from './rubricator.repository';
import { TopicCatalogue } from './topic-catalogue.service';
import {
  MAX_TOPIC_NAME,
  MAX_TYPICAL_NEEDS,
  parseRubricatorCsv,
  type RubricatorCsvRow,
  splitTypicalNeeds,
  TOPIC_CODE,
} from './rubricator-csv';

export type TopicNode = TopicRow & { children: TopicRow[] };

export interface TopicInput {
  code?: string;
  name?: string;
  parentId?: string | null;
  typicalNeeds?: string[];
  defaultOrganisationId?: string | null;
  active?: boolean;
}

interface Actor {
  userId: string | null;
}

const FIELDS = ['name', 'parentId', 'typicalNeeds', 'defaultOrganisationId', 'active'] as const;

/**
 * The region's two-level rubricator (topics → subtopics, each with typical needs), edited by an
 * administrator: every change makes a new version that records what changed, and is audited. Codes never
 * change once given (models label topics by code); a topic is switched off, not deleted.
 */
@Injectable()
export class Rubricator {
  constructor(
    private readonly repository: RubricatorRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly catalogue: TopicCatalogue,
  ) {}

  /** Runs a change and makes this process's pipeline see it at once (others within a second). */
  private async changing<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    try {
      return await this.transactions.run(work);
    } finally {
      this.catalogue.invalidate();
    }
  }

  currentVersion(db?: Db): Promise<number> {
    return this.repository.currentVersion(db);
  }

  topics(db?: Db): Promise<TopicRow[]> {
    return this.repository.topics(db);
  }

  /** The tree: top-level topics with their subtopics, by name. */
  async tree(options: { activeOnly?: boolean } = {}): Promise<{ version: number; topics: TopicNode[] }> {
    const all = (await this.topics()).filter((t) => !options.activeOnly || t.active);
    const byName = (a: TopicRow, b: TopicRow) => a.name.localeCompare(b.name, 'ru');
    const roots = all.filter((t) => !t.parentId).sort(byName);
    return {
      version: await this.currentVersion(),
      topics: roots.map((r) => ({ ...r, children: all.filter((c) => c.parentId === r.id).sort(byName) })),
    };
  }

  versions(): Promise<unknown[]> {
    return this.repository.versions();
  }

  get(id: string, db?: Db): Promise<TopicRow> {
    return foundById(id, (tid) => this.repository.topic(tid, db), 'Тема не найдена');
  }

  async create(input: TopicInput, actor: Actor): Promise<TopicRow> {
    return this.changing(async (tx) => {
      await this.repository.lock(tx);
      const topic = await this.validate(tx, input);
      const version = await this.newVersion(tx, actor, 'Добавлена тема', [
        { code: topic.code, action: 'created' },
      ]);
      const id = await this.repository.insertTopic(tx, topic.code, topic, version);
      await this.audit.record(
        {
          userId: actor.userId,
          action: 'rubricator.topic-create',
          entityType: 'topic',
          entityId: id,
          details: { version },
        },
        tx,
      );
      return this.get(id, tx);
    });
  }

  /** Changes the given fields (the code stays); a new version when anything changed. */
  async update(id: string, input: TopicInput, actor: Actor): Promise<TopicRow> {
    return this.changing(async (tx) => {
      await this.repository.lock(tx);
      const before = await this.get(id, tx);
      if (input.code !== undefined && input.code.trim() !== before.code) {
        throw invalidInput('Код темы не меняется: модели классификатора знают темы по коду', {
          code: 'Код темы не меняется',
        });
      }
      const merged: TopicInput = { ...before, ...stripUndefined(input), code: before.code };
      const topic = await this.validate(tx, merged, before);
      const changed = FIELDS.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(topic[f]));
      if (changed.length === 0) return before;
      const version = await this.newVersion(tx, actor, 'Изменена тема', [
        { code: before.code, action: 'updated', fields: changed },
      ]);
      await this.repository.updateTopic(tx, id, topic, version);
      await this.audit.record(
        {
          userId: actor.userId,
          action: 'rubricator.topic-update',
          entityType: 'topic',
          entityId: id,
          details: { version, changed },
        },
        tx,
      );
      return this.get(id, tx);
    });
  }

  /**
   * Imports topics from CSV (code, name, parent_code, typical_needs, …): all or nothing. Problems come back
   * by line number and nothing changes; otherwise rows are upserted by code and one new version records
   * them. `dryRun` checks and reports without writing.
   */
  async importCsv(
    text: string,
    actor: Actor,
    options: { dryRun?: boolean } = {},
  ): Promise<{
    version: number;
    created: string[];
    updated: string[];
    unchanged: number;
    dryRun: boolean;
  }> {
    return this.changing(async (tx) => {
      await this.repository.lock(tx);
      const existing = await this.topics(tx);
      const byId = new Map(existing.map((t) => [t.id, t]));
      const byCode = new Map(existing.map((t) => [t.code, t]));
      const orgs = await this.repository.organisationCodes(tx);
      const orgByCode = new Map(orgs.map((o) => [o.code, o.id]));
      const { rows, errors } = parseRubricatorCsv(text, {
        topics: new Map(
          existing.map((t) => [
            t.code,
            {
              parentCode: t.parentId ? (byId.get(t.parentId)?.code ?? null) : null,
              hasChildren: existing.some((c) => c.parentId === t.id),
            },
          ]),
        ),
        organisationCodes: new Set(orgByCode.keys()),
      });
      if (errors.length > 0) {
        throw invalidInput('В файле есть ошибки: рубрикатор не изменён', errors);
      }
      const ordered = [...rows.filter((r) => !r.parentCode), ...rows.filter((r) => r.parentCode)];
      const created: string[] = [];
      const updated: string[] = [];
      const changes: RubricatorChange[] = [];
      const plan: { row: RubricatorCsvRow; fields: string[]; existing?: TopicRow }[] = [];
      for (const row of ordered) {
        const before = byCode.get(row.code);
        const next = {
          name: row.name,
          parentCode: row.parentCode,
          typicalNeeds: row.typicalNeeds ?? before?.typicalNeeds ?? [],
          defaultOrganisationId:
            row.defaultOrganisationCode === undefined
              ? (before?.defaultOrganisationId ?? null)
              : row.defaultOrganisationCode === null
                ? null
                : orgByCode.get(row.defaultOrganisationCode)!,
          active: row.active ?? before?.active ?? true,
        };
        if (!before) {
          created.push(row.code);
          changes.push({ code: row.code, action: 'created' });
          plan.push({ row, fields: [] });
          continue;
        }
        const beforeParentCode = before.parentId ? (byId.get(before.parentId)?.code ?? null) : null;
        const fields = [
          before.name !== next.name ? 'name' : '',
          beforeParentCode !== next.parentCode ? 'parentId' : '',
          JSON.stringify(before.typicalNeeds) !== JSON.stringify(next.typicalNeeds) ? 'typicalNeeds' : '',
          before.defaultOrganisationId !== next.defaultOrganisationId ? 'defaultOrganisationId' : '',
          before.active !== next.active ? 'active' : '',
        ].filter(Boolean);
        if (fields.length > 0) {
          updated.push(row.code);
          changes.push({ code: row.code, action: 'updated', fields });
          plan.push({ row, fields, existing: before });
        }
      }
      const unchanged = rows.length - created.length - updated.length;
      if (options.dryRun || changes.length === 0) {
        return {
          version: await this.currentVersion(tx),
          created,
          updated,
          unchanged,
          dryRun: !!options.dryRun,
        };
      }
      const version = await this.newVersion(tx, actor, `Импорт из CSV: ${rows.length} строк`, changes);
      for (const { row, existing: before } of plan) {
        const typicalNeeds = row.typicalNeeds ?? before?.typicalNeeds ?? [];
        const organisationId =
          row.defaultOrganisationCode === undefined
            ? (before?.defaultOrganisationId ?? null)
            : row.defaultOrganisationCode === null
              ? null
              : orgByCode.get(row.defaultOrganisationCode)!;
        const active = row.active ?? before?.active ?? true;
        await this.repository.upsertByCode(
          tx,
          row.code,
          {
            name: row.name,
            parentCode: row.parentCode,
            typicalNeeds,
            defaultOrganisationId: organisationId,
            active,
          },
          version,
        );
      }
      await this.audit.record(
        {
          userId: actor.userId,
          action: 'rubricator.import',
          entityType: 'rubricator',
          entityId: String(version),
          details: { created: created.length, updated: updated.length, unchanged },
        },
        tx,
      );
      return { version, created, updated, unchanged, dryRun: false };
    });
  }

  /** The channels' own categories (the ПОС mirror) with the topic each is mapped onto. */
  channelCategories(channel?: string): Promise<ChannelCategoryRow[]> {
    return this.repository.channelCategories(channel);
  }

  /** Maps a channel category onto one of our topics (or clears the mapping with null). */
  async mapChannelCategory(
    channel: string,
    externalId: string,
    topicId: string | null,
    actor: Actor,
  ): Promise<unknown> {
    return this.changing(async (tx) => {
      const category = await this.repository.lockChannelCategory(tx, channel, externalId);
      if (!category) throw notFoundError('Категория канала не найдена');
      if (topicId !== null) {
        if (!UUID.test(topicId)) throw invalidInput('Тема указана неверно', { topicId: 'Нужен UUID темы' });
        const topic = await this.repository.topicActive(tx, topicId);
        if (!topic) throw invalidInput('Такой темы нет в рубрикаторе', { topicId: 'Неизвестная тема' });
        if (!topic.active) throw invalidInput('Тема отключена', { topicId: 'Тема отключена' });
      }
      const row = await this.repository.mapChannelCategory(tx, channel, externalId, topicId);
      await this.audit.record(
        {
          userId: actor.userId,
          action: 'rubricator.channel-category-map',
          entityType: 'channel-category',
          entityId: `${channel}:${externalId}`,
          details: { from: category.topic_id, to: topicId },
        },
        tx,
      );
      return row;
    });
  }

  private newVersion(tx: Db, actor: Actor, note: string, changes: RubricatorChange[]): Promise<number> {
    return this.repository.newVersion(tx, {
      note,
      createdBy: actor.userId && UUID.test(actor.userId) ? actor.userId : null,
      changes,
    });
  }

  /** Every problem at once, by field, in Russian. */
  private async validate(
    tx: Db,
    input: TopicInput,
    own?: TopicRow,
  ): Promise<
    Required<Omit<TopicInput, 'parentId' | 'defaultOrganisationId'>> & {
      parentId: string | null;
      defaultOrganisationId: string | null;
    }
  > {
    const errors: Record<string, string> = {};
    const code = (input.code ?? '').trim();
    const name = (input.name ?? '').trim().replace(/\s+/g, ' ');
    const parentId = input.parentId?.trim().toLowerCase() || null;
    const defaultOrganisationId = input.defaultOrganisationId?.trim().toLowerCase() || null;
    const typicalNeeds = splitTypicalNeeds((input.typicalNeeds ?? []).join('|'));
    if (!own) {
      if (!code) errors.code = 'Укажите код темы';
      else if (!TOPIC_CODE.test(code))
        errors.code = 'Код: латинские буквы, цифры, точка, _ и -, до 64 символов';
      else if (await this.repository.codeTaken(tx, code)) {
        errors.code = 'Тема с таким кодом уже есть';
      }
    }
    if (!name) errors.name = 'Укажите название темы';
    else if (name.length > MAX_TOPIC_NAME) errors.name = `Название — не длиннее ${MAX_TOPIC_NAME} символов`;
    if (typicalNeeds.length > MAX_TYPICAL_NEEDS) {
      errors.typicalNeeds = `Не больше ${MAX_TYPICAL_NEEDS} типовых потребностей`;
    } else if (typicalNeeds.some((n) => n.length > MAX_TOPIC_NAME)) {
      errors.typicalNeeds = `Типовая потребность — не длиннее ${MAX_TOPIC_NAME} символов`;
    }
    if (parentId) {
      if (!UUID.test(parentId)) errors.parentId = 'Раздел указан неверно';
      else if (own && parentId === own.id) errors.parentId = 'Тема не может быть своим же разделом';
      else {
        const parent = await this.repository.parentOf(tx, parentId);
        if (!parent) errors.parentId = 'Такого раздела нет в рубрикаторе';
        else if (parent.parent_id)
          errors.parentId = 'Рубрикатор двухуровневый: раздел должен быть темой верхнего уровня';
        else if (own) {
          if (await this.repository.hasChildren(tx, own.id))
            errors.parentId = 'У темы есть подтемы: она не может стать подтемой';
        }
      }
    }
    if (defaultOrganisationId) {
      if (!UUID.test(defaultOrganisationId)) errors.defaultOrganisationId = 'Организация указана неверно';
      else if (!(await this.repository.organisationExists(tx, defaultOrganisationId))) {
        errors.defaultOrganisationId = 'Такой организации нет в справочнике';
      }
    }
    if (Object.keys(errors).length > 0) throw invalidInput('Проверьте поля темы', errors);
    return { code, name, parentId, typicalNeeds, defaultOrganisationId, active: input.active ?? true };
  }
}

function stripUndefined<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}
