import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository, whereClause } from '@inbox/database';
import { type RoutingRuleData, type TopicData } from './routing-match';

export interface RoutingRule extends RoutingRuleData {
  createdAt: Date;
  updatedAt: Date;
}

export interface RoutingRuleView extends RoutingRule {
  topic: { id: string; code: string; name: string; parentId: string | null } | null;
  organisations: { id: string; code: string; shortName: string; kind: string }[];
}

/** A rule's fields as stored (normalised and validated by RoutingRules). */
export type RoutingRuleRow = Omit<RoutingRuleData, 'id'>;

const RULE_COLUMNS = `r.id, r.name, r.priority, r.topic_id AS "topicId", r.territory_code AS "territoryCode",
  r.organisation_ids::text[] AS "organisationIds", r.active, r.created_at AS "createdAt", r.updated_at AS "updatedAt"`;

const RULE_VIEW_COLUMNS = `${RULE_COLUMNS},
  CASE WHEN t.id IS NULL THEN NULL
       ELSE json_build_object('id', t.id, 'code', t.code, 'name', t.name, 'parentId', t.parent_id) END AS topic,
  COALESCE((SELECT json_agg(json_build_object('id', o.id, 'code', o.code, 'shortName', o.short_name,
                                              'kind', o.kind) ORDER BY x.ord)
              FROM unnest(r.organisation_ids) WITH ORDINALITY AS x(id, ord)
              JOIN organisations o ON o.id = x.id), '[]'::json) AS organisations`;

/**
 * The `routing_rules` table, and the rubricator links routing needs (a topic's parent and default
 * organisation: read here because the rubricator's own lib builds on routing, not the other way round).
 */
@Injectable()
export class RoutingRulesRepository extends SqlRepository {
  activeRules(db: Db = this.pool): Promise<RoutingRuleData[]> {
    return this.rows<RoutingRuleData>(
      `SELECT id, name, priority, topic_id AS "topicId", territory_code AS "territoryCode",
              organisation_ids::text[] AS "organisationIds", active
         FROM routing_rules WHERE active`,
      [],
      db,
    );
  }

  topicLinks(db: Db = this.pool): Promise<TopicData[]> {
    return this.rows<TopicData>(
      `SELECT id, parent_id AS "parentId", default_organisation_id AS "defaultOrganisationId" FROM topics`,
      [],
      db,
    );
  }

  async topicExists(id: string, db: Db = this.pool): Promise<boolean> {
    return (await this.one(`SELECT id FROM topics WHERE id = $1`, [id], db)) !== undefined;
  }

  async topicIdByCode(code: string, db: Db = this.pool): Promise<string | undefined> {
    return (await this.one<{ id: string }>(`SELECT id FROM topics WHERE code = $1`, [code], db))?.id;
  }

  list(filter: { active?: boolean; topicId?: string } = {}): Promise<RoutingRuleView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.active !== undefined) {
      params.push(filter.active);
      where.push(`r.active = $${params.length}`);
    }
    if (filter.topicId) {
      params.push(filter.topicId);
      where.push(`r.topic_id = $${params.length}`);
    }
    return this.rows<RoutingRuleView>(
      `SELECT ${RULE_VIEW_COLUMNS} FROM routing_rules r LEFT JOIN topics t ON t.id = r.topic_id
        ${whereClause(where)}
        ORDER BY r.active DESC, r.priority DESC, r.name, r.id`,
      params,
    );
  }

  view(id: string, db: Db = this.pool): Promise<RoutingRuleView | undefined> {
    return this.one<RoutingRuleView>(
      `SELECT ${RULE_VIEW_COLUMNS} FROM routing_rules r LEFT JOIN topics t ON t.id = r.topic_id WHERE r.id = $1`,
      [id],
      db,
    );
  }

  /** The rule, locked until the transaction ends. */
  lock(id: string, tx: Db): Promise<RoutingRule | undefined> {
    return this.one<RoutingRule>(
      `SELECT ${RULE_COLUMNS} FROM routing_rules r WHERE r.id = $1 FOR UPDATE`,
      [id],
      tx,
    );
  }

  names(db: Db = this.pool): Promise<{ id: string; name: string }[]> {
    return this.rows(`SELECT id, name FROM routing_rules`, [], db);
  }

  async insert(rule: RoutingRuleRow, db: Db = this.pool): Promise<string> {
    const row = await this.one<{ id: string }>(
      `INSERT INTO routing_rules (name, priority, topic_id, territory_code, organisation_ids, active)
       VALUES ($1, $2, $3, $4, $5::uuid[], $6) RETURNING id`,
      [rule.name, rule.priority, rule.topicId, rule.territoryCode, rule.organisationIds, rule.active],
      db,
    );
    return row!.id;
  }

  async update(id: string, rule: RoutingRuleRow, db: Db = this.pool): Promise<void> {
    await this.rows(
      `UPDATE routing_rules SET name = $2, priority = $3, topic_id = $4, territory_code = $5,
              organisation_ids = $6::uuid[], active = $7, updated_at = now()
        WHERE id = $1`,
      [id, rule.name, rule.priority, rule.topicId, rule.territoryCode, rule.organisationIds, rule.active],
      db,
    );
  }

  async deactivate(id: string, db: Db = this.pool): Promise<void> {
    await this.rows(`UPDATE routing_rules SET active = false, updated_at = now() WHERE id = $1`, [id], db);
  }

  async delete(id: string, db: Db = this.pool): Promise<void> {
    await this.rows(`DELETE FROM routing_rules WHERE id = $1`, [id], db);
  }

  /** Serialises seeding between processes until the transaction ends. */
  async lockForSeeding(tx: Db): Promise<void> {
    await this.rows(`SELECT pg_advisory_xact_lock(hashtext('seed-demo-routing-rules'))`, [], tx);
  }
}
