import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 18: the training set (`TrainingSourcesRepository.labelledAppeals`, the first model and every
 * retraining) and the bootstrap check (`anyLabels`) looked for labelled appeals by scanning appeals and inbound
 * items whole: 13.4 s and 1.0 s at 1 M appeals, 0.11 s and 0.05 s at 10 k. Each kind of label gets a partial
 * index, so the statements read the labelled appeals and not the table: those a person confirmed, those with a
 * `classified` event, and those whose item carries the demo generator's label.
 *
 * Built inside the migration's transaction (not CONCURRENTLY: that waits for every session holding a snapshot);
 * writes to the three tables wait for the builds, reads go on.
 */
export class LabelledAppealIndexes1796203000000 implements MigrationInterface {
  name = 'LabelledAppealIndexes1796203000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX appeals_confirmed_idx ON appeals (registered_at DESC, id DESC)
        WHERE classification_state = 'confirmed' AND topic_id IS NOT NULL;
      CREATE INDEX appeal_events_classified_idx ON appeal_events (appeal_id) WHERE type = 'classified';
      CREATE INDEX inbound_items_demo_label_idx ON inbound_items (id) WHERE (payload->'features') ? 'demoTopic';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX inbound_items_demo_label_idx;
      DROP INDEX appeal_events_classified_idx;
      DROP INDEX appeals_confirmed_idx;
    `);
  }
}
