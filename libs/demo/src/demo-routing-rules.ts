import { type DataSource } from 'typeorm';
import { AuditLog } from '@inbox/access';
import { OrganisationDirectory, OrganisationsRepository } from '@inbox/organisations';
import { ROUTING_RULE_ENTITY, ruleNameKey, RoutingRulesRepository } from '@inbox/routing';

/** A demo competence rule in codes of the demo directory (DEMO_ORGANISATIONS, DEMO_TOPICS). */
export interface DemoRoutingRule {
  name: string;
  priority?: number;
  topicCode?: string;
  territoryCode?: string;
  organisationCodes: string[];
}

export const DEMO_ROUTING_RULES: DemoRoutingRule[] = [
  {
    name: 'Дороги Берёзовского района: администрация района и ГКУ «УАД»',
    topicCode: 'roads',
    territoryCode: '51604000',
    organisationCodes: ['berezovsky', 'uad'],
  },
  {
    name: 'Ямы на дорогах г. Речного: администрация города и ГКУ «УАД»',
    topicCode: 'roads-repair',
    territoryCode: '51705000',
    organisationCodes: ['rechnoy', 'uad'],
  },
  {
    name: 'Зимнее содержание улиц Северогорска: мэрия',
    topicCode: 'roads-winter',
    territoryCode: '51701000',
    organisationCodes: ['severogorsk'],
  },
  {
    name: 'Отопление: Минжкх и Госжилинспекция',
    topicCode: 'housing-heating',
    organisationCodes: ['minjkh', 'gzhi'],
  },
  {
    name: 'Управляющие компании Северогорска: ГЖИ и муниципальный жилищный контроль',
    topicCode: 'housing-management',
    territoryCode: '51701000',
    organisationCodes: ['gzhi', 'severogorsk'],
  },
  {
    name: 'Безнадзорные животные в Озёрском районе: администрация района',
    topicCode: 'improvement-animals',
    territoryCode: '51620000',
    organisationCodes: ['ozersky', 'minpriroda'],
  },
  {
    name: 'Подвоз школьников в Кедровском районе: администрация района и Минобр',
    topicCode: 'education-school-transport',
    territoryCode: '51612000',
    organisationCodes: ['kedrovsky', 'minobr'],
  },
  {
    name: 'Благоустройство Таёжного МО: администрация округа',
    topicCode: 'improvement',
    territoryCode: '51730000',
    organisationCodes: ['taezhny'],
  },
];

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
