import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 14, retention: the history keeps the citizen's words in two places (a follow-up's text, a subject
 * corrected on the card). `appeal_events` stays append-only with one exception: once the retention period
 * is over, an event may lose exactly those keys (and be marked), every other column and key unchanged.
 */
export class HistoryPersonalDataErasure1796196000000 implements MigrationInterface {
  name = 'HistoryPersonalDataErasure1796196000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION appeal_event_data_without_personal_data(d jsonb) RETURNS jsonb
      LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN d ? 'text' OR d ? 'subject'
                    THEN (d - 'text' - 'subject') || '{"personalDataRemoved": true}'::jsonb ELSE d END
      $$;
      CREATE OR REPLACE FUNCTION appeal_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'data') = (to_jsonb(OLD) - 'data')
           AND NEW.data = appeal_event_data_without_personal_data(OLD.data) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'appeal_events is append-only';
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION appeal_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'appeal_events is append-only';
      END $$;
      DROP FUNCTION appeal_event_data_without_personal_data(jsonb);
    `);
  }
}
