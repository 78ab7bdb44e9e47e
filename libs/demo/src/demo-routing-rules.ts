import { type DataSource } from 'typeorm';
import { AuditLog } from '@inbox/access';
import { OrganisationDirectory, OrganisationsRepository } from '@inbox/organisations';
import { ROUTING_RULE_ENTITY, ruleNameKey, RoutingRulesRepository } from '@inbox/routing';
import RULES from './demo-routing-rules.json';

/** A demo competence rule in codes of the demo directory (DEMO_ORGANISATIONS, DEMO_TOPICS). */
export interface DemoRoutingRule {
  name: string;
  priority?: number;
  topicCode?: string;
  territoryCode?: string;
  organisationCodes: string[];
}

/** The rules as data (demo-routing-rules.json). */
export const DEMO_ROUTING_RULES: DemoRoutingRule[] = RULES;

/**
 * Creates the demo rules over the demo directory (seed it first), idempotently by name: a rule that exists
 * is left as an administrator may have edited it. Rules whose topic or organisations are missing from the
 * directory are skipped. Returns how many were created.
 */
export async function seedDemoRoutingRules(ds: DataSource, rules: DemoRoutingRule[] = DEMO_ROUTING_RULES) {
  const repo = new RoutingRulesRepository(ds);
  const directory = new OrganisationDirectory(new OrganisationsRepository(ds));
  const audit = new AuditLog(ds);
  return ds.transaction(async (tx) => {
    // Two processes seeding at once must not both insert.
    await repo.lockForSeeding(tx);
    const names = new Set((await repo.names(tx)).map((r) => ruleNameKey(r.name)));
    let created = 0;
    for (const rule of rules) {
      if (names.has(ruleNameKey(rule.name))) continue;
      const topicId = rule.topicCode ? await repo.topicIdByCode(rule.topicCode, tx) : undefined;
      if (rule.topicCode && !topicId) continue;
      const organisationIds = await directory.idsByCodes(rule.organisationCodes, tx);
      if (organisationIds.length !== rule.organisationCodes.length) continue;
      const row = {
        name: rule.name,
        priority: rule.priority ?? 100,
        topicId: topicId ?? null,
        territoryCode: rule.territoryCode ?? null,
        organisationIds,
        active: true,
      };
      const id = await repo.insert(row, tx);
      await audit.record(
        {
          userId: null,
          action: 'routing-rule.create',
          entityType: ROUTING_RULE_ENTITY,
          entityId: id,
          details: { source: 'demo-seed', topicId: row.topicId, organisationIds },
        },
        tx,
      );
      names.add(ruleNameKey(rule.name));
      created += 1;
    }
    return created;
  });
}
