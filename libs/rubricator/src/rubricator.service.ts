import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog } from '@inbox/access';
import { invalidInput, notFoundError, UUID } from '@inbox/common';
import { TopicCatalogue } from './topic-catalogue.service';
import {
  MAX_TOPIC_NAME,
  MAX_TYPICAL_NEEDS,
  parseRubricatorCsv,
  type RubricatorCsvRow,
  splitTypicalNeeds,
  TOPIC_CODE,
} from './rubricator-csv';

export interface TopicRow {
  id: string;
  code: string;
  name: string;
  parentId: string | null;
  active: boolean;
  typicalNeeds: string[];
  defaultOrganisationId: string | null;
  rubricatorVersion: number;
}

export type TopicNode = TopicRow & { children: TopicRow[] };

export interface TopicInput {
  code?: string;
  name?: string;
  parentId?: string | null;
  typicalNeeds?: string[];
  defaultOrganisationId?: string | null;
  active?: boolean;
}

export interface RubricatorChange {
  code: string;
  action: 'created' | 'updated';
  fields?: string[];
}

interface Actor {
  userId: string | null;
}

const TOPIC_COLUMNS = `t.id, t.code, t.name, t.parent_id AS "parentId", t.active, t.typical_needs AS "typicalNeeds",
  t.default_organisation_id AS "defaultOrganisationId", t.rubricator_version AS "rubricatorVersion"`;

const FIELDS = ['name', 'parentId', 'typicalNeeds', 'defaultOrganisationId', 'active'] as const;

/**
 * The region's two-level rubricator (topics → subtopics, each with typical needs), edited by an
 * administrator: every change makes a new version that records what changed, and is audited. Codes never
 * change once given (models label topics by code); a topic is switched off, not deleted.
 */
@Injectable()
export class Rubricator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly catalogue: TopicCatalogue,
  ) {}

  /** Runs a change and makes this process's pipeline see it at once (others within a second). */
  private async changing<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } finally {
      this.catalogue.invalidate();
    }
  }

  async currentVersion(db: EntityManager = this.dataSource.manager): Promise<number> {
    const [{ v }] = (await db.query(
      `SELECT coalesce(max(version), 0)::int AS v FROM rubricator_versions`,
    )) as {
      v: number;
    }[];
    return v;
  }

  async topics(db: EntityManager = this.dataSource.manager): Promise<TopicRow[]> {
    return (await db.query(`SELECT ${TOPIC_COLUMNS} FROM topics t ORDER BY t.code`)) as TopicRow[];
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

  async versions(): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT version, note, created_by AS "createdBy", created_at AS "createdAt", changes
         FROM rubricator_versions ORDER BY version DESC LIMIT 200`,
    );
  }

  async get(id: string, db: EntityManager = this.dataSource.manager): Promise<TopicRow> {
    if (!UUID.test(id)) throw notFoundError('Тема не найдена');
    const [row] = (await db.query(`SELECT ${TOPIC_COLUMNS} FROM topics t WHERE t.id = $1`, [
      id,
    ])) as TopicRow[];
    if (!row) throw notFoundError('Тема не найдена');
    return row;
  }

  async create(input: TopicInput, actor: Actor): Promise<TopicRow> {
    return this.changing(async (tx) => {
      await lock(tx);
      const topic = await this.validate(tx, input);
      const version = await newVersion(tx, actor, 'Добавлена тема', [
        { code: topic.code, action: 'created' },
      ]);
      const [{ id }] = (await tx.query(
        `INSERT INTO topics (code, name, parent_id, typical_needs, default_organisation_id, active, rubricator_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [
          topic.code,
          topic.name,
          topic.parentId,
          topic.typicalNeeds,
          topic.defaultOrganisationId,
          topic.active,
          version,
        ],
      )) as { id: string }[];
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
      await lock(tx);
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
      const version = await newVersion(tx, actor, 'Изменена тема', [
        { code: before.code, action: 'updated', fields: changed },
      ]);
      await tx.query(
        `UPDATE topics SET name = $2, parent_id = $3, typical_needs = $4, default_organisation_id = $5, active = $6,
                rubricator_version = $7 WHERE id = $1`,
        [
          id,
          topic.name,
          topic.parentId,
          topic.typicalNeeds,
          topic.defaultOrganisationId,
          topic.active,
          version,
        ],
      );
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
      await lock(tx);
      const existing = await this.topics(tx);
      const byId = new Map(existing.map((t) => [t.id, t]));
      const byCode = new Map(existing.map((t) => [t.code, t]));
      const orgs = (await tx.query(`SELECT id, code FROM organisations`)) as { id: string; code: string }[];
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
      const version = await newVersion(tx, actor, `Импорт из CSV: ${rows.length} строк`, changes);
      for (const { row, existing: before } of plan) {
        const typicalNeeds = row.typicalNeeds ?? before?.typicalNeeds ?? [];
        const organisationId =
          row.defaultOrganisationCode === undefined
            ? (before?.defaultOrganisationId ?? null)
            : row.defaultOrganisationCode === null
              ? null
              : orgByCode.get(row.defaultOrganisationCode)!;
        const active = row.active ?? before?.active ?? true;
        await tx.query(
          `INSERT INTO topics (code, name, parent_id, typical_needs, default_organisation_id, active, rubricator_version)
           VALUES ($1, $2, (SELECT id FROM topics WHERE code = $3), $4, $5, $6, $7)
           ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_id = EXCLUDED.parent_id,
             typical_needs = EXCLUDED.typical_needs, default_organisation_id = EXCLUDED.default_organisation_id,
             active = EXCLUDED.active, rubricator_version = EXCLUDED.rubricator_version`,
          [row.code, row.name, row.parentCode, typicalNeeds, organisationId, active, version],
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
  async channelCategories(channel?: string): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT c.channel, c.external_id AS "externalId", c.parent_external_id AS "parentExternalId", c.name,
              c.deleted, c.topic_id AS "topicId", t.code AS "topicCode", t.name AS "topicName"
         FROM channel_categories c LEFT JOIN topics t ON t.id = c.topic_id
        ${channel ? 'WHERE c.channel = $1' : ''}
        ORDER BY c.channel, coalesce(c.parent_external_id, c.external_id), c.parent_external_id NULLS FIRST, c.name`,
      channel ? [channel] : [],
    );
  }

  /** Maps a channel category onto one of our topics (or clears the mapping with null). */
  async mapChannelCategory(
    channel: string,
    externalId: string,
    topicId: string | null,
    actor: Actor,
  ): Promise<unknown> {
    return this.changing(async (tx) => {
      const [category] = (await tx.query(
        `SELECT topic_id FROM channel_categories WHERE channel = $1 AND external_id = $2 FOR UPDATE`,
        [channel, externalId],
      )) as { topic_id: string | null }[];
      if (!category) throw notFoundError('Категория канала не найдена');
      if (topicId !== null) {
        if (!UUID.test(topicId)) throw invalidInput('Тема указана неверно', { topicId: 'Нужен UUID темы' });
        const [topic] = (await tx.query(`SELECT active FROM topics WHERE id = $1`, [topicId])) as {
          active: boolean;
        }[];
        if (!topic) throw invalidInput('Такой темы нет в рубрикаторе', { topicId: 'Неизвестная тема' });
        if (!topic.active) throw invalidInput('Тема отключена', { topicId: 'Тема отключена' });
      }
      await tx.query(`UPDATE channel_categories SET topic_id = $3 WHERE channel = $1 AND external_id = $2`, [
        channel,
        externalId,
        topicId,
      ]);
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
      const [row] = (await tx.query(
        `SELECT c.channel, c.external_id AS "externalId", c.name, c.topic_id AS "topicId", t.code AS "topicCode"
           FROM channel_categories c LEFT JOIN topics t ON t.id = c.topic_id
          WHERE c.channel = $1 AND c.external_id = $2`,
        [channel, externalId],
      )) as unknown[];
      return row;
    });
  }

  /** Every problem at once, by field, in Russian. */
  private async validate(
    tx: EntityManager,
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
      else if (((await tx.query(`SELECT 1 FROM topics WHERE code = $1`, [code])) as unknown[]).length > 0) {
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
        const [parent] = (await tx.query(`SELECT parent_id FROM topics WHERE id = $1`, [parentId])) as {
          parent_id: string | null;
        }[];
        if (!parent) errors.parentId = 'Такого раздела нет в рубрикаторе';
        else if (parent.parent_id)
          errors.parentId = 'Рубрикатор двухуровневый: раздел должен быть темой верхнего уровня';
        else if (own) {
          const children = (await tx.query(`SELECT 1 FROM topics WHERE parent_id = $1 LIMIT 1`, [
            own.id,
          ])) as unknown[];
          if (children.length > 0) errors.parentId = 'У темы есть подтемы: она не может стать подтемой';
        }
      }
    }
    if (defaultOrganisationId) {
      if (!UUID.test(defaultOrganisationId)) errors.defaultOrganisationId = 'Организация указана неверно';
      else if (
        ((await tx.query(`SELECT 1 FROM organisations WHERE id = $1`, [defaultOrganisationId])) as unknown[])
          .length === 0
      ) {
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

/** Rubricator changes are serialised: versions are numbered without gaps or races. */
async function lock(tx: EntityManager): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('rubricator'))`);
}

async function newVersion(
  tx: EntityManager,
  actor: Actor,
  note: string,
  changes: RubricatorChange[],
): Promise<number> {
  const [{ version }] = (await tx.query(
    `INSERT INTO rubricator_versions (version, note, created_by, changes)
     SELECT coalesce(max(version), 0) + 1, $1, $2, $3 FROM rubricator_versions RETURNING version`,
    [note, actor.userId && UUID.test(actor.userId) ? actor.userId : null, JSON.stringify(changes)],
  )) as { version: number }[];
  return version;
}
