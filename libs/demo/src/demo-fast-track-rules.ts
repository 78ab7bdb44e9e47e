import { type DataSource } from 'typeorm';
import { seedDemoRows } from './demo-seeding';
import { DEMO_TOPICS } from './demo-topics';

/** Seasons of the demo region's urgent situations (months 1–12). */
const HEATING_SEASON = [10, 11, 12, 1, 2, 3, 4, 5];
const WINTER = [11, 12, 1, 2, 3, 4];
const FIRE_SEASON = [4, 5, 6, 7, 8, 9, 10];
const MONTHS_BY_SUBTOPIC: Record<string, number[]> = {
  'housing-heating': HEATING_SEASON,
  'improvement-snow': WINTER,
  'ecology-forest': FIRE_SEASON,
};

export interface DemoFastTrackRule {
  name: string;
  keywords: string[];
  months: number[];
}

/**
 * One rule per demo subtopic with fastTrackKeywords: the phrases alone make an item urgent (no topic
 * condition, so a misclassified item is still caught), in the subtopic's season where it has one.
 */
export function demoFastTrackRules(): DemoFastTrackRule[] {
  return DEMO_TOPICS.filter((t) => t.fastTrackKeywords?.length).map((t) => ({
    name: `Фаст-трек: ${t.name.toLocaleLowerCase('ru')}`,
    keywords: t.fastTrackKeywords!,
    months: MONTHS_BY_SUBTOPIC[t.code] ?? [],
  }));
}

/**
 * Seeds the demo fast-track rules idempotently by name: an existing rule is left as an administrator may
 * have edited it. Returns how many were created.
 */
export function seedDemoFastTrackRules(ds: DataSource): Promise<number> {
  const audit = { action: 'fast-track-rule.create', entityType: 'fast-track-rule' };
  return seedDemoRows(ds, 'seed-demo-fast-track-rules', demoFastTrackRules(), audit, async (tx, rule) => {
    const [row] = (await tx.query(
      `INSERT INTO fast_track_rules (name, keywords, months)
       SELECT $1::text, $2::text[], $3::int[]
        WHERE NOT EXISTS (SELECT 1 FROM fast_track_rules WHERE lower(name) = lower($1::text))
       RETURNING id`,
      [rule.name, rule.keywords, rule.months],
    )) as { id: string }[];
    return row?.id;
  });
}
