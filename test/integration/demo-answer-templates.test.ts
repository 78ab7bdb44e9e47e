import { DEMO_ANSWER_TEMPLATES, seedDemoAnswerTemplates, seedDirectory } from '@inbox/demo';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** The demo answer templates seed once over the demo directory, each new template audited as the seed's. */
describe('demo answer templates (integration)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDirectory(db.dataSource);
  });

  afterAll(async () => {
    await db.drop();
  });

  it('creates every template once, audits each, and leaves existing ones alone on a second run', async () => {
    expect(await seedDemoAnswerTemplates(db.dataSource)).toBe(DEMO_ANSWER_TEMPLATES.length);
    expect(await seedDemoAnswerTemplates(db.dataSource)).toBe(0);
    const titles = (await db.dataSource.query(`SELECT title FROM answer_templates ORDER BY title`)) as {
      title: string;
    }[];
    expect(titles.map((t) => t.title)).toEqual(
      expect.arrayContaining(DEMO_ANSWER_TEMPLATES.map((t) => t.title)),
    );
    const audit = (await db.dataSource.query(
      `SELECT a.user_id, a.outcome, a.details FROM audit_log a JOIN answer_templates t ON t.id::text = a.entity_id
        WHERE a.action = 'create-template' AND a.entity_type = 'answer-template'`,
    )) as { user_id: string | null; outcome: string; details: unknown }[];
    expect(audit).toHaveLength(DEMO_ANSWER_TEMPLATES.length);
    for (const row of audit)
      expect(row).toEqual({ user_id: null, outcome: 'ok', details: { source: 'demo-seed' } });
  });
});
