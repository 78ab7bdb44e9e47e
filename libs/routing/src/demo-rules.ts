import { type DataSource } from 'typeorm';
import { ROUTING_RULE_ENTITY, ruleNameKey } from './routing-rules.service';

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
  return ds.transaction(async (tx) => {
    // Two processes seeding at once must not both insert.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('seed-demo-routing-rules'))`);
    const existing = (await tx.query(`SELECT name FROM routing_rules`)) as { name: string }[];
    const names = new Set(existing.map((r) => ruleNameKey(r.name)));
    let created = 0;
    for (const rule of rules) {
      if (names.has(ruleNameKey(rule.name))) continue;
      const topic = rule.topicCode
        ? ((await tx.query(`SELECT id FROM topics WHERE code = $1`, [rule.topicCode])) as { id: string }[])[0]
        : undefined;
      if (rule.topicCode && !topic) continue;
      const organisations = (await tx.query(
        `SELECT o.id FROM unnest($1::text[]) WITH ORDINALITY AS x(code, ord)
           JOIN organisations o ON o.code = x.code ORDER BY x.ord`,
        [rule.organisationCodes],
      )) as { id: string }[];
      if (organisations.length !== rule.organisationCodes.length) continue;
      const [{ id }] = (await tx.query(
        `INSERT INTO routing_rules (name, priority, topic_id, territory_code, organisation_ids)
         VALUES ($1, $2, $3, $4, $5::uuid[]) RETURNING id`,
        [
          rule.name,
          rule.priority ?? 100,
          topic?.id ?? null,
          rule.territoryCode ?? null,
          organisations.map((o) => o.id),
        ],
      )) as { id: string }[];
      await tx.query(
        `INSERT INTO audit_log (user_id, action, entity_type, entity_id, details) VALUES (NULL, $1, $2, $3, $4)`,
        [
          'routing-rule.create',
          ROUTING_RULE_ENTITY,
          id,
          {
            source: 'demo-seed',
            topicId: topic?.id ?? null,
            organisationIds: organisations.map((o) => o.id),
          },
        ],
      );
      names.add(ruleNameKey(rule.name));
      created += 1;
    }
    return created;
  });
}
