import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The clock sweep reads only what can have crossed since it last ran (issue 18). It used to re-read every open
 * clock inside its lead on every tick (every overdue appeal, again and again), so an idle sweep grew with the
 * table. Now:
 *
 * - `clock_sweep_state`: one row, the `now` the last sweep covered and the at-risk leads it used. A sweep locks
 *   the row first (sweeps take turns), reads only clocks whose overdue or at-risk line falls in
 *   (last now, this now] by index, and moves the watermark; without one, with other leads, or when asked about
 *   an earlier time it reads every open clock as before.
 * - `clock_sweep_queue`: appeals whose clocks changed (a new appeal or line-2 part, a due time, status, line or
 *   organisation changed), written by triggers in the changing transaction whoever changes them; the next sweep
 *   re-reads those appeals whatever their due times and empties the queue. A change committed after a sweep
 *   started is not seen by its DELETE and waits for the next one.
 * - Indexes for the escalation and line-2 clocks, read by due time like the answer clock.
 */
export class ClockSweepWatermark1796199000000 implements MigrationInterface {
  name = 'ClockSweepWatermark1796199000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE clock_sweep_state (
        id smallint PRIMARY KEY CHECK (id = 1),
        swept_until timestamptz,
        leads text
      );
      INSERT INTO clock_sweep_state (id) VALUES (1);

      CREATE TABLE clock_sweep_queue (appeal_id uuid NOT NULL);

      -- One function for both tables, per statement on insert (a batch registration, a fill) and per row on
      -- update. Each branch is planned only when it runs: appeals have no appeal_id, parts no id of the appeal.
      CREATE FUNCTION clock_sweep_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_LEVEL = 'STATEMENT' AND TG_TABLE_NAME = 'appeals' THEN
          INSERT INTO clock_sweep_queue (appeal_id) SELECT id FROM added;
        ELSIF TG_LEVEL = 'STATEMENT' THEN
          INSERT INTO clock_sweep_queue (appeal_id) SELECT appeal_id FROM added;
        ELSIF TG_TABLE_NAME = 'appeals' THEN
          INSERT INTO clock_sweep_queue (appeal_id) VALUES (NEW.id);
        ELSE
          INSERT INTO clock_sweep_queue (appeal_id) VALUES (NEW.appeal_id);
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER appeals_clock_sweep_insert AFTER INSERT ON appeals
        REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION clock_sweep_enqueue();
      CREATE TRIGGER appeal_organisations_clock_sweep_insert AFTER INSERT ON appeal_organisations
        REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION clock_sweep_enqueue();
      CREATE TRIGGER appeals_clock_sweep_update
        AFTER UPDATE OF status, answer_due_at, escalation_due_at, line, organisation_id ON appeals
        FOR EACH ROW
        WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.answer_due_at IS DISTINCT FROM NEW.answer_due_at
              OR OLD.escalation_due_at IS DISTINCT FROM NEW.escalation_due_at OR OLD.line IS DISTINCT FROM NEW.line
              OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id)
        EXECUTE FUNCTION clock_sweep_enqueue();
      CREATE TRIGGER appeal_organisations_clock_sweep_update
        AFTER UPDATE OF state, due_at, extended_until, line, organisation_id, appeal_id ON appeal_organisations
        FOR EACH ROW
        WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.due_at IS DISTINCT FROM NEW.due_at
              OR OLD.extended_until IS DISTINCT FROM NEW.extended_until OR OLD.line IS DISTINCT FROM NEW.line
              OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id OR OLD.appeal_id IS DISTINCT FROM NEW.appeal_id)
        EXECUTE FUNCTION clock_sweep_enqueue();

      CREATE INDEX appeals_escalation_due_idx ON appeals(escalation_due_at)
        WHERE escalation_due_at IS NOT NULL AND line = 1;
      CREATE INDEX appeal_organisations_line2_due_idx ON appeal_organisations((COALESCE(extended_until, due_at)))
        WHERE line = 2 AND state = 'active';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX appeal_organisations_line2_due_idx;
      DROP INDEX appeals_escalation_due_idx;
      DROP TRIGGER appeal_organisations_clock_sweep_update ON appeal_organisations;
      DROP TRIGGER appeals_clock_sweep_update ON appeals;
      DROP TRIGGER appeal_organisations_clock_sweep_insert ON appeal_organisations;
      DROP TRIGGER appeals_clock_sweep_insert ON appeals;
      DROP FUNCTION clock_sweep_enqueue();
      DROP TABLE clock_sweep_queue;
      DROP TABLE clock_sweep_state;
    `);
  }
}
