import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The dashboard's clock charts read maintained counts (issue 18). They used to join every open appeal to its
 * clock marks per request (411 000 open appeals at 10 M, 1.3 s). Now:
 *
 * - `open_clock_counts`: open appeals with clock marks, at risk or overdue (overdue when any of the marks is).
 *   A row with an organisation counts (appeal, organisation) pairs by the marks at that organisation: the chart
 *   per organisation, and per topic within one organisation. A row without one counts appeals by all their marks:
 *   the region's chart per topic. Its size grows with organisations × topics, not with appeals.
 * - `open_clock_count_deltas`: +1 / −1 rows written by triggers in the transaction that records a mark (the
 *   clock sweep, a clock the workflow checks at the action) or moves an appeal in or out of the open statuses or
 *   to another topic, whoever does it. Insert-only like the appeal count deltas; folded with them
 *   (ReportsRepository.foldCounts); readers add the deltas not yet folded.
 *
 * The mark trigger takes the touched appeals' row locks (in id order) before it reads their marks, so a mark
 * recorded while another transaction closes, reopens or reclassifies the appeal, or records another of its
 * marks, is counted after that change commits, never against a state the other is replacing. Marks are only
 * ever added (appeals are never deleted while they have marks: the foreign key).
 */
export class OpenClockCounts1796201400000 implements MigrationInterface {
  name = 'OpenClockCounts1796201400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE open_clock_counts (
        organisation_id uuid,
        topic_id uuid,
        overdue boolean NOT NULL,
        count integer NOT NULL
      );
      CREATE UNIQUE INDEX open_clock_counts_key ON open_clock_counts (
        (COALESCE(organisation_id, '00000000-0000-0000-0000-000000000000'::uuid)),
        (COALESCE(topic_id, '00000000-0000-0000-0000-000000000000'::uuid)), overdue);

      CREATE TABLE open_clock_count_deltas (
        organisation_id uuid,
        topic_id uuid,
        overdue boolean NOT NULL,
        delta integer NOT NULL
      );

      -- What an open appeal's marks add to the counts: one row per organisation with a mark there, one for the
      -- appeal itself; each overdue when any of those marks is.
      CREATE FUNCTION open_clock_contribution(appeal uuid, topic uuid)
        RETURNS TABLE (organisation_id uuid, topic_id uuid, overdue boolean) LANGUAGE sql STABLE AS $$
        WITH pairs AS (
          SELECT m.organisation_id, bool_or(m.kind = 'overdue') AS overdue
            FROM clock_marks m WHERE m.appeal_id = appeal GROUP BY m.organisation_id)
        SELECT p.organisation_id, topic, p.overdue FROM pairs p
        UNION ALL
        SELECT NULL::uuid, topic, bool_or(p.overdue) FROM pairs p HAVING count(*) > 0
      $$;

      CREATE FUNCTION open_clock_count_delta() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'clock_marks' THEN
          -- A sweep that records nothing still fires the trigger: it returns before planning anything.
          IF NOT EXISTS (SELECT 1 FROM added) THEN
            RETURN NULL;
          END IF;
          -- EXECUTE: planned for this statement's marks each time (a plan cached for a sweep of 400 000 marks
          -- would scan the appeals for an empty one).
          EXECUTE 'SELECT 1 FROM appeals a WHERE a.id IN (SELECT appeal_id FROM added) ORDER BY a.id FOR NO KEY UPDATE';
          -- Each touched open appeal's pairs before (its marks but this statement's: NULL when none) and after.
          EXECUTE $q$
          INSERT INTO open_clock_count_deltas (organisation_id, topic_id, overdue, delta)
          WITH pairs AS (
            SELECT m.appeal_id, m.organisation_id, a.topic_id,
                   bool_or(m.kind = 'overdue') FILTER (WHERE n.id IS NULL) AS before,
                   bool_or(m.kind = 'overdue') AS after
              FROM appeals a
              JOIN clock_marks m ON m.appeal_id = a.id
              LEFT JOIN added n ON n.id = m.id
             WHERE a.id IN (SELECT appeal_id FROM added)
               AND a.status IN ('registered','in_work','escalated','returned','extended','reopened')
             GROUP BY m.appeal_id, m.organisation_id, a.topic_id
          ), changed AS (
            SELECT organisation_id, topic_id, before, after FROM pairs WHERE before IS DISTINCT FROM after
            UNION ALL
            SELECT NULL, topic_id, bool_or(before), bool_or(after) FROM pairs GROUP BY appeal_id, topic_id
            HAVING bool_or(before) IS DISTINCT FROM bool_or(after)
          )
          SELECT organisation_id, topic_id, overdue, sum(delta)::int FROM (
            SELECT organisation_id, topic_id, before AS overdue, -1 AS delta FROM changed WHERE before IS NOT NULL
            UNION ALL
            SELECT organisation_id, topic_id, after, 1 FROM changed
          ) d
          GROUP BY 1, 2, 3 HAVING sum(delta) <> 0
          $q$;
        ELSE
          -- An appeal in or out of the open statuses, or to another topic: its marks leave the old counts and join
          -- the new ones.
          INSERT INTO open_clock_count_deltas (organisation_id, topic_id, overdue, delta)
          SELECT c.organisation_id, c.topic_id, c.overdue, -1 FROM open_clock_contribution(OLD.id, OLD.topic_id) c
           WHERE OLD.status IN ('registered','in_work','escalated','returned','extended','reopened')
          UNION ALL
          SELECT c.organisation_id, c.topic_id, c.overdue, 1 FROM open_clock_contribution(NEW.id, NEW.topic_id) c
           WHERE NEW.status IN ('registered','in_work','escalated','returned','extended','reopened');
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER clock_marks_open_counts AFTER INSERT ON clock_marks
        REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION open_clock_count_delta();
      CREATE TRIGGER appeals_open_clock_counts AFTER UPDATE OF status, topic_id ON appeals
        FOR EACH ROW
        WHEN ((OLD.status IN ('registered','in_work','escalated','returned','extended','reopened'))
                IS DISTINCT FROM (NEW.status IN ('registered','in_work','escalated','returned','extended','reopened'))
              OR (OLD.topic_id IS DISTINCT FROM NEW.topic_id
                  AND NEW.status IN ('registered','in_work','escalated','returned','extended','reopened')))
        EXECUTE FUNCTION open_clock_count_delta();

      -- The marks already there, counted once (in this transaction, so no change slips between count and trigger).
      INSERT INTO open_clock_counts (organisation_id, topic_id, overdue, count)
      WITH pairs AS (
        SELECT m.appeal_id, m.organisation_id, a.topic_id, bool_or(m.kind = 'overdue') AS overdue
          FROM clock_marks m JOIN appeals a ON a.id = m.appeal_id
         WHERE a.status IN ('registered','in_work','escalated','returned','extended','reopened')
         GROUP BY m.appeal_id, m.organisation_id, a.topic_id
      )
      SELECT organisation_id, topic_id, overdue, count(*)::int FROM pairs GROUP BY 1, 2, 3
      UNION ALL
      SELECT NULL, topic_id, overdue, count(*)::int
        FROM (SELECT topic_id, bool_or(overdue) AS overdue FROM pairs GROUP BY appeal_id, topic_id) x
       GROUP BY 2, 3;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER appeals_open_clock_counts ON appeals;
      DROP TRIGGER clock_marks_open_counts ON clock_marks;
      DROP FUNCTION open_clock_count_delta();
      DROP FUNCTION open_clock_contribution(uuid, uuid);
      DROP TABLE open_clock_count_deltas;
      DROP TABLE open_clock_counts;
    `);
  }
}
