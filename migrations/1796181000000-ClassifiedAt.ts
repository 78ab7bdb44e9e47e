import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * When the classification pass first finished for an appeal (topic decided or queued for a person, the route
 * suggested, flags and incident looked at): the end of "arrival → classified and routed" that issue 18's
 * benchmark measures, and what a supervisor can ask of a stuck pipeline. Written in the statement that
 * already stored the routing suggestion, so it costs no extra round trip. Old rows stay NULL.
 */
export class ClassifiedAt1796181000000 implements MigrationInterface {
  name = 'ClassifiedAt1796181000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE appeals ADD COLUMN classified_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE appeals DROP COLUMN classified_at`);
  }
}
