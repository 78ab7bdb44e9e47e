import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A topic of the rubricator as classification reads it. */
export interface CatalogueTopic {
  id: string;
  code: string;
  name: string;
  parentId: string | null;
  active: boolean;
  typicalNeeds: string[];
}

export interface Catalogue {
  list: CatalogueTopic[];
  byId: Map<string, CatalogueTopic>;
  byCode: Map<string, CatalogueTopic>;
  /** Channel categories mapped onto our topics: `${channel}\u0000${externalId}` → topic id. */
  mapping: Map<string, string>;
}

/**
 * The rubricator and the channel-category mapping as the pipeline reads them. Reloaded only when they
 * changed — a cheap fingerprint (rubricator version, topic count, a hash of the mapping) is checked at most
 * once a second — so an administrator's change applies to the next item, in every worker.
 */
@Injectable()
export class TopicCatalogue {
  static readonly CHECK_MS = 1_000;
  private cached?: { catalogue: Promise<Catalogue>; fingerprint: string; checkedAt: number };

  constructor(private readonly dataSource: DataSource) {}

  async get(): Promise<Catalogue> {
    const now = Date.now();
    if (this.cached && now - this.cached.checkedAt < TopicCatalogue.CHECK_MS) return this.cached.catalogue;
    const [{ fingerprint }] = (await this.dataSource.query(
      `SELECT concat_ws(':',
         (SELECT coalesce(max(version), 0) FROM rubricator_versions),
         (SELECT count(*) FROM topics),
         (SELECT coalesce(sum(hashtext(channel || external_id || topic_id::text)::bigint), 0)
            FROM channel_categories WHERE topic_id IS NOT NULL AND NOT deleted)) AS fingerprint`,
    )) as { fingerprint: string }[];
    if (this.cached && this.cached.fingerprint === fingerprint) {
      this.cached.checkedAt = now;
      return this.cached.catalogue;
    }
    const catalogue = this.load();
    this.cached = { catalogue, fingerprint, checkedAt: now };
    catalogue.catch(() => {
      if (this.cached?.catalogue === catalogue) this.cached = undefined;
    });
    return catalogue;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  /**
   * Our topic for an item's channel category: the subcategory's mapping first, then the category's. ПОС's
   * mirror keys them `subsubject:<id>` and `subject:<id>`; other channels by their own ids.
   */
  mappedTopic(
    catalogue: Catalogue,
    channel: string,
    category: { id?: string; subcategoryId?: string } | null | undefined,
  ): CatalogueTopic | undefined {
    if (!category) return undefined;
    const keys = [
      category.subcategoryId && `subsubject:${category.subcategoryId}`,
      category.subcategoryId,
      category.id && `subject:${category.id}`,
      category.id,
    ].filter((k): k is string => !!k);
    for (const key of keys) {
      const topicId = catalogue.mapping.get(`${channel}\u0000${key}`);
      const topic = topicId ? catalogue.byId.get(topicId) : undefined;
      if (topic?.active) return topic;
    }
    return undefined;
  }

  private async load(): Promise<Catalogue> {
    const [topics, mapping] = await Promise.all([
      this.dataSource.query(
        `SELECT id, code, name, parent_id AS "parentId", active, typical_needs AS "typicalNeeds" FROM topics`,
      ) as Promise<CatalogueTopic[]>,
      this.dataSource.query(
        `SELECT channel, external_id, topic_id FROM channel_categories WHERE topic_id IS NOT NULL AND NOT deleted`,
      ) as Promise<{ channel: string; external_id: string; topic_id: string }[]>,
    ]);
    return {
      list: topics,
      byId: new Map(topics.map((t) => [t.id, t])),
      byCode: new Map(topics.map((t) => [t.code, t])),
      mapping: new Map(mapping.map((m) => [`${m.channel}\u0000${m.external_id}`, m.topic_id])),
    };
  }
}
