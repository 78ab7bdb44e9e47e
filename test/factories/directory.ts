import { type DataSource } from 'typeorm';

const WEEKDAYS = { start: '09:00', end: '18:00' };
export const TEST_WORKING_HOURS = {
  1: WEEKDAYS,
  2: WEEKDAYS,
  3: WEEKDAYS,
  4: WEEKDAYS,
  5: { start: '09:00', end: '17:00' },
};

/** A small directory for tests: the region, its management centre in Novosibirsk, two departments. */
export const TEST_ORGANISATIONS = [
  {
    code: 'region',
    name: 'Правительство Северной области',
    kind: 'region',
    parent: null,
    zone: 'Asia/Novosibirsk',
  },
  {
    code: 'cur',
    name: 'Центр управления регионом',
    kind: 'management-centre',
    parent: 'region',
    zone: 'Asia/Novosibirsk',
  },
  {
    code: 'minzhkh',
    name: 'Министерство ЖКХ и энергетики',
    kind: 'department',
    parent: 'region',
    zone: 'Asia/Novosibirsk',
  },
  {
    code: 'mintrans',
    name: 'Министерство транспорта',
    kind: 'department',
    parent: 'region',
    zone: 'Asia/Novosibirsk',
  },
  {
    code: 'omsk-district',
    name: 'Администрация Западного района',
    kind: 'municipality',
    parent: 'region',
    zone: 'Asia/Omsk',
  },
] as const;

export async function seedTestDirectory(ds: DataSource): Promise<void> {
  for (const org of TEST_ORGANISATIONS) {
    await ds.query(
      `INSERT INTO organisations (code, name, short_name, kind, parent_id, time_zone, working_hours)
       VALUES ($1, $2, $2, $3, (SELECT id FROM organisations WHERE code = $4), $5, $6)`,
      [org.code, org.name, org.kind, org.parent, org.zone, TEST_WORKING_HOURS],
    );
  }
  await seedTestTopics(ds);
}

/** A slice of the rubricator: two topics with subtopics, enough for escalation and routing tests. */
export const TEST_TOPICS = [
  { code: 'housing', name: 'ЖКХ', parent: null, org: 'minzhkh' },
  { code: 'housing-heating', name: 'Отопление', parent: 'housing', org: 'minzhkh' },
  { code: 'roads', name: 'Дороги и транспорт', parent: null, org: 'mintrans' },
  { code: 'roads-potholes', name: 'Ямы на дорогах', parent: 'roads', org: 'mintrans' },
] as const;

export async function seedTestTopics(ds: DataSource): Promise<void> {
  for (const t of TEST_TOPICS) {
    await ds.query(
      `INSERT INTO topics (code, name, parent_id, default_organisation_id)
       VALUES ($1, $2, (SELECT id FROM topics WHERE code = $3), (SELECT id FROM organisations WHERE code = $4))`,
      [t.code, t.name, t.parent, t.org],
    );
  }
}

export async function idOf(ds: DataSource, table: 'organisations' | 'topics', code: string): Promise<string> {
  const [row] = (await ds.query(`SELECT id FROM ${table} WHERE code = $1`, [code])) as { id: string }[];
  if (!row) throw new Error(`${table} ${code} is not seeded`);
  return row.id;
}
