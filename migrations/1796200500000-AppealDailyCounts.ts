import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The supervisor dashboard reads maintained aggregates instead of counting appeals per request (issue 18).
 *
 * - `appeal_daily_counts`: how many appeals registered on a local day (in the appeal's own zone, as its
 *   deadlines) are now in each organisation (the responsible one), channel, status, topic and fast track.
 *   Its size grows with days × the combinations seen, not with appeals.
 * - `appeal_count_deltas`: +1 / −1 rows written by triggers in the transaction that inserts an appeal or changes
 *   one of those columns, whoever changes it (registration, classification, workflow, retention, a fill).
 *   Insert-only, so concurrent changes never wait on or deadlock over a shared counter row.
 * - A fold (ReportsRepository.foldCounts) moves the deltas into the counts in one statement; readers sum the
 *   counts and the deltas not yet folded, so they are exact whether or not a fold has run.
 *
 * A topic is NULL until classified; the unique key compares it through COALESCE so that NULLs fold together.
 */
export class AppealDailyCounts1796200500000 implements MigrationInterface {
  name = 'AppealDailyCounts1796200500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE appeal_daily_counts (
        day date NOT NULL,
        organisation_id uuid NOT NULL,
        channel text NOT NULL,
        status text NOT NULL,
        topic_id uuid,
        fast_track boolean NOT NULL,
        count integer NOT NULL
      );
      CREATE UNIQUE INDEX appeal_daily_counts_key ON appeal_daily_counts
        (day, organisation_id, channel, status, (COALESCE(topic_id, '00000000-0000-0000-0000-000000000000'::uuid)), fast_track);
      CREATE INDEX appeal_daily_counts_open_idx ON appeal_daily_counts (status)
        WHERE status IN ('registered','in_work','escalated','returned','extended','reopened');

      CREATE TABLE appeal_count_deltas (
        day date NOT NULL,
        organisation_id uuid NOT NULL,
        channel text NOT NULL,
        status text NOT NULL,
        topic_id uuid,
        fast_track boolean NOT NULL,
        delta integer NOT NULL
      );

      -- Per statement on insert and delete (a batch registration, a fill), per row on an update of a counted column.
      CREATE FUNCTION appeal_count_delta() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO appeal_count_deltas (day, organisation_id, channel, status, topic_id, fast_track, delta)
          SELECT (registered_at AT TIME ZONE time_zone)::date, organisation_id, channel, status, topic_id, fast_track,
                 count(*)::int
            FROM added GROUP BY 1, 2, 3, 4, 5, 6;
        ELSIF TG_OP = 'DELETE' THEN
          INSERT INTO appeal_count_deltas (day, organisation_id, channel, status, topic_id, fast_track, delta)
          SELECT (registered_at AT TIME ZONE time_zone)::date, organisation_id, channel, status, topic_id, fast_track,
                 -count(*)::int
            FROM removed GROUP BY 1, 2, 3, 4, 5, 6;
        ELSE
          INSERT INTO appeal_count_deltas (day, organisation_id, channel, status, topic_id, fast_track, delta) VALUES
            ((OLD.registered_at AT TIME ZONE OLD.time_zone)::date, OLD.organisation_id, OLD.channel, OLD.status,
             OLD.topic_id, OLD.fast_track, -1),
            ((NEW.registered_at AT TIME ZONE NEW.time_zone)::date, NEW.organisation_id, NEW.channel, NEW.status,
             NEW.topic_id, NEW.fast_track, 1);
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER appeals_count_insert AFTER INSERT ON appeals
        REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION appeal_count_delta();
      CREATE TRIGGER appeals_count_delete AFTER DELETE ON appeals
        REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION appeal_count_delta();
      CREATE TRIGGER appeals_count_update
        AFTER UPDATE OF registered_at, time_zone, organisation_id, channel, status, topic_id, fast_track ON appeals
        FOR EACH ROW
        WHEN (OLD.registered_at IS DISTINCT FROM NEW.registered_at OR OLD.time_zone IS DISTINCT FROM NEW.time_zone
              OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id OR OLD.channel IS DISTINCT FROM NEW.channel
              OR OLD.status IS DISTINCT FROM NEW.status OR OLD.topic_id IS DISTINCT FROM NEW.topic_id
              OR OLD.fast_track IS DISTINCT FROM NEW.fast_track)
        EXECUTE FUNCTION appeal_count_delta();

      -- The appeals already there, counted once (in this transaction, so no change slips between count and trigger).
      INSERT INTO appeal_daily_counts (day, organisation_id, channel, status, topic_id, fast_track, count)
      SELECT (registered_at AT TIME ZONE time_zone)::date, organisation_id, channel, status, topic_id, fast_track,
             count(*)::int
        FROM appeals GROUP BY 1, 2, 3, 4, 5, 6;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER appeals_count_update ON appeals;
      DROP TRIGGER appeals_count_delete ON appeals;
      DROP TRIGGER appeals_count_insert ON appeals;
      DROP FUNCTION appeal_count_delta();
      DROP TABLE appeal_count_deltas;
      DROP TABLE appeal_daily_counts;
    `);
  }
}
