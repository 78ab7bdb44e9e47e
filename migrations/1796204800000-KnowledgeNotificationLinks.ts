import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The knowledge base's term notifications name what they are about — a change request or a section — so the
 * header's list opens it, as an appeal's notification opens the appeal. Older ones keep no link.
 */
export class KnowledgeNotificationLinks1796204800000 implements MigrationInterface {
  name = 'KnowledgeNotificationLinks1796204800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE notifications
        ADD COLUMN kb_request_id uuid REFERENCES kb_change_requests(id) ON DELETE SET NULL,
        ADD COLUMN kb_section_id uuid REFERENCES kb_sections(id) ON DELETE SET NULL
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications DROP COLUMN kb_request_id, DROP COLUMN kb_section_id`);
  }
}
