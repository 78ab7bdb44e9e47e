import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The knowledge base's term notifications written before KnowledgeNotificationLinks named nothing to open: the
 * header's list showed them with no link at all. Their text names what they are about, as the sweep still
 * writes it (KnowledgeRepository.sweepClocks): «… по запросу БЗ-<number> (<organisation>)» for a change request
 * (numbers are unique), «… «<section title>» (<organisation>) …» for a section's review (titles are unique
 * within an organisation). Each is linked to it now. Down leaves the links: they are true either way.
 */
export class KnowledgeNotificationLinksBackfill1796205400000 implements MigrationInterface {
  name = 'KnowledgeNotificationLinksBackfill1796205400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE notifications n SET kb_request_id = r.id
        FROM kb_change_requests r
       WHERE n.kind LIKE 'kb-clock-%' AND n.kb_request_id IS NULL AND n.kb_section_id IS NULL
         AND r.number = substring(n.text FROM 'по запросу БЗ-([0-9]{1,18})')::bigint
    `);
    await q.query(`
      UPDATE notifications n SET kb_section_id = x.section_id
        FROM (SELECT DISTINCT ON (n.id) n.id, s.id AS section_id
                FROM notifications n
                JOIN kb_sections s ON position('«' || s.title || '» (' in n.text) > 0
                JOIN organisations o ON o.id = s.organisation_id
                                    AND position('» (' || o.short_name || ')' in n.text) > 0
               WHERE n.kind LIKE 'kb-clock-%' AND n.kb_request_id IS NULL AND n.kb_section_id IS NULL
                 AND position('«' || s.title || '» (' || o.short_name || ')' in n.text) > 0
               ORDER BY n.id, s.id) x
       WHERE n.id = x.id
    `);
  }

  async down(): Promise<void> {
    // The links are kept: they name what the notification was about.
  }
}
