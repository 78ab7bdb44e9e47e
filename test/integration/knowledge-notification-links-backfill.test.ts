import { KnowledgeNotificationLinksBackfill1796205400000 } from '../../migrations/1796205400000-KnowledgeNotificationLinksBackfill';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Migration KnowledgeNotificationLinksBackfill: the knowledge base's term notifications written before their
 * links existed open what their text names — the change request by its number, the section by its title and
 * organisation — and nothing else is touched.
 */
describe('knowledge notifications written before their links', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('links each to the request or section its text names', async () => {
    const q = async <T>(sql: string, params: unknown[] = []) =>
      (await db.dataSource.query(sql, params)) as T[];
    const [org] = await q<{ id: string; short_name: string }>(
      `SELECT id, short_name FROM organisations WHERE code = 'minzhkh'`,
    );
    const [other] = await q<{ id: string }>(`SELECT id FROM organisations WHERE code = 'mintrans'`);
    const [user] = await q<{ id: string }>(
      `INSERT INTO users (login, password_hash, full_name, role, organisation_id)
       VALUES ('sup-kb', 'x', 'sup-kb', 'supervisor', $1) RETURNING id`,
      [org.id],
    );
    const sections = await q<{ id: string; organisation_id: string }>(
      `INSERT INTO kb_sections (organisation_id, title, review_due_at)
       VALUES ($1, 'Отопление', now()), ($2, 'Отопление', now()) RETURNING id, organisation_id`,
      [org.id, other.id],
    );
    const ours = sections.find((s) => s.organisation_id === org.id)!;
    const [request] = await q<{ id: string; number: string }>(
      `INSERT INTO kb_change_requests (organisation_id, kind, origin, status, subject, created_at, send_due_at)
       VALUES ($1, 'content', 'organisation', 'draft', 'Тарифы', now(), now()) RETURNING id, number`,
      [org.id],
    );
    const note = async (kind: string, text: string, links = 'NULL, NULL') =>
      (
        await q<{ id: string }>(
          `INSERT INTO notifications (user_id, kind, text, kb_request_id, kb_section_id)
           VALUES ($1, $2, $3, ${links}) RETURNING id`,
          [user.id, kind, text],
        )
      )[0].id;
    const byRequest = await note(
      'kb-clock-overdue',
      `База знаний: просрочен срок отправки по запросу БЗ-${request.number} (${org.short_name})`,
    );
    const bySection = await note(
      'kb-clock-at-risk',
      `База знаний: срок актуализации «Отопление» (${org.short_name}) истекает 01.12.2026 10:00 (Новосибирск, UTC+7)`,
    );
    const unknown = await note(
      'kb-clock-overdue',
      'База знаний: просрочен срок по запросу БЗ-999999999 (Нет)',
    );
    const appealNote = await note('clock-overdue', `Просрочен срок ответа по запросу БЗ-${request.number}`);

    await new KnowledgeNotificationLinksBackfill1796205400000().up(db.dataSource.createQueryRunner());

    const links = new Map(
      (
        await q<{ id: string; kb_request_id: string | null; kb_section_id: string | null }>(
          `SELECT id, kb_request_id, kb_section_id FROM notifications WHERE user_id = $1`,
          [user.id],
        )
      ).map((r) => [r.id, [r.kb_request_id, r.kb_section_id]]),
    );
    expect(links.get(byRequest)).toEqual([request.id, null]);
    expect(links.get(bySection)).toEqual([null, ours.id]);
    expect(links.get(unknown)).toEqual([null, null]);
    expect(links.get(appealNote)).toEqual([null, null]);
  });
});
