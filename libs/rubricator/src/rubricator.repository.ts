import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';

/** A topic as the administrator edits it. */
export interface TopicRow extends CatalogueTopic {
  defaultOrganisationId: string | null;
  rubricatorVersion: number;
}

export interface RubricatorChange {
  code: string;
  action: 'created' | 'updated';
  fields?: string[];
}

/** A topic's stored fields (the code never changes once given). */
export interface TopicFields {
  name: string;
  parentId: string | null;
  typicalNeeds: string[];
  defaultOrganisationId: string | null;
  active: boolean;
}

/** A channel's own category (the ПОС mirror) with the topic it is mapped onto. */
export interface ChannelCategoryRow {
  channel: string;
  externalId: string;
  parentExternalId: string | null;
  name: string;
  deleted: boolean;
  topicId: string | null;
  topicCode: string | null;
  topicName: string | null;
}

/** A topic of the rubricator as classification reads it. */
export interface CatalogueTopic {
  id: string;
  code: string;
  name: string;
  parentId: string | null;
  active: boolean;
  typicalNeeds: string[];
}

const TOPIC_COLUMNS = `t.id, t.code, t.name, t.parent_id AS "parentId", t.active, t.typical_needs AS "typicalNeeds",
  t.default_organisation_id AS "defaultOrganisationId", t.rubricator_version AS "rubricatorVersion"`;

/** The rubricator's tables: `topics`, `rubricator_versions` and the mapping in `channel_categories`. */
@Injectable()
export class RubricatorRepository extends SqlRepository {
  /** Rubricator changes are serialised: versions are numbered without gaps or races. */
  async lock(tx: Db): Promise<void> {
    await this.rows(`SELECT pg_advisory_xact_lock(hashtext('rubricator'))`, [], tx);
  }

  async currentVersion(db: Db = this.pool): Promise<number> {
    const row = await this.one<{ v: number }>(
      `SELECT coalesce(max(version), 0)::int AS v FROM rubricator_versions`,
      [],
      db,
    );
    return row!.v;
  }

  /** Records a new version (the next number) with what changed; returns its number. */
  async newVersion(
    tx: Db,
    version: { note: string; createdBy: string | null; changes: RubricatorChange[] },
  ): Promise<number> {
    const row = await this.one<{ version: number }>(
      `INSERT INTO rubricator_versions (version, note, created_by, changes)
       SELECT coalesce(max(version), 0) + 1, $1, $2, $3 FROM rubricator_versions RETURNING version`,
      [version.note, version.createdBy, JSON.stringify(version.changes)],
      tx,
    );
    return row!.version;
  }

  versions(): Promise<unknown[]> {
    return this.rows(
      `SELECT version, note, created_by AS "createdBy", created_at AS "createdAt", changes
         FROM rubricator_versions ORDER BY version DESC LIMIT 200`,
    );
  }

  topics(db: Db = this.pool): Promise<TopicRow[]> {
    return this.rows<TopicRow>(`SELECT ${TOPIC_COLUMNS} FROM topics t ORDER BY t.code`, [], db);
  }

  topic(id: string, db: Db = this.pool): Promise<TopicRow | undefined> {
    return this.one<TopicRow>(`SELECT ${TOPIC_COLUMNS} FROM topics t WHERE t.id = $1`, [id], db);
  }

  async codeTaken(tx: Db, code: string): Promise<boolean> {
    return (await this.one(`SELECT 1 FROM topics WHERE code = $1`, [code], tx)) !== undefined;
  }

  /** The parent a topic would go under: undefined when there is no such topic. */
  parentOf(tx: Db, id: string): Promise<{ parent_id: string | null } | undefined> {
    return this.one(`SELECT parent_id FROM topics WHERE id = $1`, [id], tx);
  }

  async hasChildren(tx: Db, id: string): Promise<boolean> {
    return (await this.one(`SELECT 1 FROM topics WHERE parent_id = $1 LIMIT 1`, [id], tx)) !== undefined;
  }

  async insertTopic(tx: Db, code: string, topic: TopicFields, version: number): Promise<string> {
    const row = await this.one<{ id: string }>(
      `INSERT INTO topics (code, name, parent_id, typical_needs, default_organisation_id, active, rubricator_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [code, ...topicValues(topic), version],
      tx,
    );
    return row!.id;
  }

  async updateTopic(tx: Db, id: string, topic: TopicFields, version: number): Promise<void> {
    await this.rows(
      `UPDATE topics SET name = $2, parent_id = $3, typical_needs = $4, default_organisation_id = $5, active = $6,
              rubricator_version = $7 WHERE id = $1`,
      [id, ...topicValues(topic), version],
      tx,
    );
  }

  /** Creates or updates a topic by code, its parent given by code (an import). */
  async upsertByCode(
    tx: Db,
    code: string,
    topic: Omit<TopicFields, 'parentId'> & { parentCode: string | null },
    version: number,
  ): Promise<void> {
    await this.rows(
      `INSERT INTO topics (code, name, parent_id, typical_needs, default_organisation_id, active, rubricator_version)
       VALUES ($1, $2, (SELECT id FROM topics WHERE code = $3), $4, $5, $6, $7)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_id = EXCLUDED.parent_id,
         typical_needs = EXCLUDED.typical_needs, default_organisation_id = EXCLUDED.default_organisation_id,
         active = EXCLUDED.active, rubricator_version = EXCLUDED.rubricator_version`,
      [
        code,
        topic.name,
        topic.parentCode,
        topic.typicalNeeds,
        topic.defaultOrganisationId,
        topic.active,
        version,
      ],
      tx,
    );
  }

  /** Organisation codes and ids, for a topic's default organisation given by code. */
  organisationCodes(tx: Db): Promise<{ id: string; code: string }[]> {
    return this.rows(`SELECT id, code FROM organisations`, [], tx);
  }

  async organisationExists(tx: Db, id: string): Promise<boolean> {
    return (await this.one(`SELECT 1 FROM organisations WHERE id = $1`, [id], tx)) !== undefined;
  }

  channelCategories(channel?: string): Promise<ChannelCategoryRow[]> {
    return this.rows<ChannelCategoryRow>(
      `SELECT c.channel, c.external_id AS "externalId", c.parent_external_id AS "parentExternalId", c.name,
              c.deleted, c.topic_id AS "topicId", t.code AS "topicCode", t.name AS "topicName"
         FROM channel_categories c LEFT JOIN topics t ON t.id = c.topic_id
        ${channel ? 'WHERE c.channel = $1' : ''}
        ORDER BY c.channel, coalesce(c.parent_external_id, c.external_id), c.parent_external_id NULLS FIRST, c.name`,
      channel ? [channel] : [],
    );
  }

  /** Locks a channel category; undefined when there is none. */
  lockChannelCategory(
    tx: Db,
    channel: string,
    externalId: string,
  ): Promise<{ topic_id: string | null } | undefined> {
    return this.one(
      `SELECT topic_id FROM channel_categories WHERE channel = $1 AND external_id = $2 FOR UPDATE`,
      [channel, externalId],
      tx,
    );
  }

  topicActive(tx: Db, id: string): Promise<{ active: boolean } | undefined> {
    return this.one(`SELECT active FROM topics WHERE id = $1`, [id], tx);
  }

  async mapChannelCategory(
    tx: Db,
    channel: string,
    externalId: string,
    topicId: string | null,
  ): Promise<unknown> {
    await this.rows(
      `UPDATE channel_categories SET topic_id = $3 WHERE channel = $1 AND external_id = $2`,
      [channel, externalId, topicId],
      tx,
    );
    return this.one(
      `SELECT c.channel, c.external_id AS "externalId", c.name, c.topic_id AS "topicId", t.code AS "topicCode"
         FROM channel_categories c LEFT JOIN topics t ON t.id = c.topic_id
        WHERE c.channel = $1 AND c.external_id = $2`,
      [channel, externalId],
      tx,
    );
  }

  /** A cheap fingerprint of the rubricator and the mapping: it changes whenever either does. */
  async catalogueFingerprint(db: Db = this.pool): Promise<string> {
    const row = await this.one<{ fingerprint: string }>(
      `SELECT concat_ws(':',
         (SELECT coalesce(max(version), 0) FROM rubricator_versions),
         (SELECT count(*) FROM topics),
         (SELECT coalesce(sum(hashtext(channel || external_id || topic_id::text)::bigint), 0)
            FROM channel_categories WHERE topic_id IS NOT NULL AND NOT deleted)) AS fingerprint`,
      [],
      db,
    );
    return row!.fingerprint;
  }

  catalogueTopics(db: Db = this.pool): Promise<CatalogueTopic[]> {
    return this.rows<CatalogueTopic>(
      `SELECT id, code, name, parent_id AS "parentId", active, typical_needs AS "typicalNeeds" FROM topics`,
      [],
      db,
    );
  }

  mappedCategories(
    db: Db = this.pool,
  ): Promise<{ channel: string; external_id: string; topic_id: string }[]> {
    return this.rows(
      `SELECT channel, external_id, topic_id FROM channel_categories WHERE topic_id IS NOT NULL AND NOT deleted`,
      [],
      db,
    );
  }
}

/** A topic's fields in the column order the statements above bind them ($2–$6). */
function topicValues(topic: TopicFields): unknown[] {
  return [topic.name, topic.parentId, topic.typicalNeeds, topic.defaultOrganisationId, topic.active];
}
