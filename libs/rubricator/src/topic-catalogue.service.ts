import { Injectable } from '@nestjs/common';
import { type Db } from '@inbox/database';
import { type CatalogueTopic, RubricatorRepository } from './rubricator.repository';

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

  constructor(private readonly repository: RubricatorRepository) {}

  /** `db`: the caller's transaction, when it holds one (a check or reload then reads on its connection). */
  async get(db?: Db): Promise<Catalogue> {
    const now = Date.now();
    if (this.cached && now - this.cached.checkedAt < TopicCatalogue.CHECK_MS) return this.cached.catalogue;
    const fingerprint = await this.repository.catalogueFingerprint(db);
    if (this.cached && this.cached.fingerprint === fingerprint) {
      this.cached.checkedAt = now;
      return this.cached.catalogue;
    }
    const catalogue = this.load(db);
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

  private async load(db?: Db): Promise<Catalogue> {
    const [topics, mapping] = await Promise.all([
      this.repository.catalogueTopics(db),
      this.repository.mappedCategories(db),
    ]);
    return {
      list: topics,
      byId: new Map(topics.map((t) => [t.id, t])),
      byCode: new Map(topics.map((t) => [t.code, t])),
      mapping: new Map(mapping.map((m) => [`${m.channel}\u0000${m.external_id}`, m.topic_id])),
    };
  }
}
