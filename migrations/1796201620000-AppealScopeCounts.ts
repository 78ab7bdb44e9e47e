import { type MigrationInterface, type QueryRunner } from 'typeorm';

const OPEN = `('registered','in_work','escalated','returned','extended','reopened')`;
const NO_ID = `'00000000-0000-0000-0000-000000000000'::uuid`;

/** The columns a scope key's counted rows are built from: the key, a sign, and the appeal's counted columns. */
const APPEAL_COLUMNS = 'status, answer_due_at, fast_track, topic_id, registered_at, time_zone, channel';

/** How long the registrations per hour are kept: the last 24 hours are read, the rest is dropped by the fold. */
const RECENT = `now() - interval '2 days'`;

/**
 * Adds `rows` (key, subtree, sign, then APPEAL_COLUMNS) to the deltas (open, registration) or, for a count from
 * scratch, to the counts (open, per day, per recent hour): one statement.
 */
export function countedSql(rows: string, into: 'deltas' | 'counts'): string {
  const open = (table: string, n: string) => `
           INSERT INTO ${table} (organisation_id, subtree, due_hour, fast_track, unclassified, ${n})
           SELECT key, subtree, date_trunc('hour', answer_due_at, 'UTC'), fast_track, topic_id IS NULL, sum(sign)::int
             FROM r WHERE status IN ${OPEN}
            GROUP BY 1, 2, 3, 4, 5 HAVING sum(sign) <> 0`;
  if (into === 'deltas') {
    return `
    WITH r AS (${rows}), o AS (${open('open_appeal_count_deltas', 'delta')})
    INSERT INTO appeal_registration_count_deltas (organisation_id, subtree, hour, day, channel, delta)
    SELECT key, subtree, date_trunc('hour', registered_at, 'UTC'), (registered_at AT TIME ZONE time_zone)::date,
           channel, sum(sign)::int
      FROM r GROUP BY 1, 2, 3, 4, 5 HAVING sum(sign) <> 0`;
  }
  return `
    WITH r AS (${rows}), o AS (${open('open_appeal_counts', 'count')}),
         d AS (
           INSERT INTO appeal_registration_counts (organisation_id, subtree, day, channel, count)
           SELECT key, subtree, (registered_at AT TIME ZONE time_zone)::date, channel, sum(sign)::int
             FROM r GROUP BY 1, 2, 3, 4 HAVING sum(sign) <> 0)
    INSERT INTO appeal_recent_registration_counts (organisation_id, subtree, hour, count)
    SELECT key, subtree, date_trunc('hour', registered_at, 'UTC'), sum(sign)::int
      FROM r WHERE registered_at >= ${RECENT} GROUP BY 1, 2, 3 HAVING sum(sign) <> 0`;
}

/** Each appeal's scope keys, as (appeal_id, key, subtree): of the region, of its parts, or of their subtrees. */
const KEYS = {
  region: `SELECT id AS appeal_id, NULL::uuid AS key, false AS subtree FROM appeals`,
  own: `SELECT appeal_id, organisation_id AS key, false AS subtree FROM appeal_organisations`,
  tree: `SELECT ao.appeal_id, x.ancestor_id AS key, true AS subtree
           FROM appeal_organisations ao JOIN organisation_ancestry() x ON x.organisation_id = ao.organisation_id
          GROUP BY 1, 2`,
};

/** Appeals whose id is among those of the rows of `rows`, read by key whatever the table's size. */
export const idAmong = (rows: string) => `= ANY (ARRAY(SELECT appeal_id FROM ${rows}))`;

/**
 * The keys' counted rows from the appeals; with `among` (a transition table), the appeals read by key (the
 * planner otherwise scans a table of a few thousand appeals for a batch's 25).
 */
export const keyedRows = (keys: string, sign: string, among?: string) =>
  `SELECT k.key, k.subtree, ${sign} AS sign, ${APPEAL_COLUMNS.split(', ')
    .map((c) => `a.${c}`)
    .join(', ')}
     FROM (${keys}) k JOIN appeals a ON a.id = k.appeal_id${among ? ` AND a.id ${idAmong(among)}` : ''}`;

/**
 * Parts added or removed by a statement (transition table `changed`): the scope keys an appeal gains (or loses)
 * are those whose every part is among them. `byKey`: the appeals' other parts read by key (see keyedRows).
 */
export const partKeys = (changed: string, byKey = false) => `
  WITH parts AS (
    SELECT ao.appeal_id, ao.organisation_id, false AS changed FROM appeal_organisations ao
     WHERE ao.appeal_id ${byKey ? idAmong(changed) : `IN (SELECT appeal_id FROM ${changed})`}
       AND (ao.appeal_id, ao.organisation_id) NOT IN (SELECT appeal_id, organisation_id FROM ${changed})
    UNION ALL SELECT appeal_id, organisation_id, true FROM ${changed}
  )
  SELECT appeal_id, organisation_id AS key, false AS subtree FROM parts GROUP BY 1, 2 HAVING bool_and(changed)
  UNION ALL
  SELECT p.appeal_id, x.ancestor_id, true FROM parts p JOIN organisation_ancestry() x ON x.organisation_id = p.organisation_id
   GROUP BY 1, 2 HAVING bool_and(p.changed)`;

/** One appeal's keys now (a row trigger on appeals: its parts do not change in that statement). */
const appealKeys = (id: string) => `
  SELECT NULL::uuid AS key, false AS subtree
  UNION ALL SELECT organisation_id, false FROM appeal_organisations WHERE appeal_id = ${id}
  UNION ALL SELECT DISTINCT x.ancestor_id, true
              FROM appeal_organisations ao JOIN organisation_ancestry() x ON x.organisation_id = ao.organisation_id
             WHERE ao.appeal_id = ${id}`;

const side = (sign: number, row: 'OLD' | 'NEW') =>
  `SELECT ${sign} AS sign, ${APPEAL_COLUMNS.split(', ')
    .map((c) => `${row}.${c}`)
    .join(', ')}`;

/** An open appeal's marks' rows in the counts; with `subtree`, also one per organisation above a marked one. */
const contribution = (subtree: boolean) => `
  CREATE FUNCTION open_clock_contribution(appeal uuid, topic uuid)
    RETURNS TABLE (organisation_id uuid, topic_id uuid, overdue boolean${subtree ? ', subtree boolean' : ''})
    LANGUAGE sql STABLE AS $$
    WITH pairs AS (
      SELECT m.organisation_id, bool_or(m.kind = 'overdue') AS overdue
        FROM clock_marks m WHERE m.appeal_id = appeal GROUP BY m.organisation_id)
    SELECT p.organisation_id, topic, p.overdue${subtree ? ', false' : ''} FROM pairs p
    UNION ALL
    SELECT NULL::uuid, topic, bool_or(p.overdue)${subtree ? ', false' : ''} FROM pairs p HAVING count(*) > 0
    ${
      subtree
        ? `UNION ALL
    SELECT x.ancestor_id, topic, bool_or(p.overdue), true
      FROM pairs p JOIN organisation_ancestry() x ON x.organisation_id = p.organisation_id GROUP BY x.ancestor_id`
        : ''
    }
  $$`;

/**
 * The trigger function of migration OpenClockCounts; with `subtree`, keeping the subtrees' rows too. With
 * `skipUnmarked` (migration AppealRowTriggerCosts), its appeal branch returns at once for an appeal without marks.
 */
export const delta = (subtree: boolean, skipUnmarked = false) => {
  const s = (sql: string) => (subtree ? sql : '');
  return `
  CREATE OR REPLACE FUNCTION open_clock_count_delta() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_TABLE_NAME = 'clock_marks' THEN
      IF NOT EXISTS (SELECT 1 FROM added) THEN
        RETURN NULL;
      END IF;
      EXECUTE 'SELECT 1 FROM appeals a WHERE a.id IN (SELECT appeal_id FROM added) ORDER BY a.id FOR NO KEY UPDATE';
      EXECUTE $q$
      INSERT INTO open_clock_count_deltas (organisation_id, topic_id, overdue, ${s('subtree, ')}delta)
      WITH pairs AS (
        SELECT m.appeal_id, m.organisation_id, a.topic_id,
               bool_or(m.kind = 'overdue') FILTER (WHERE n.id IS NULL) AS before,
               bool_or(m.kind = 'overdue') AS after
          FROM appeals a
          JOIN clock_marks m ON m.appeal_id = a.id
          LEFT JOIN added n ON n.id = m.id
         WHERE a.id IN (SELECT appeal_id FROM added)
           AND a.status IN ${OPEN}
         GROUP BY m.appeal_id, m.organisation_id, a.topic_id
      ), changed AS (
        SELECT organisation_id, topic_id, before, after${s(', false AS subtree')} FROM pairs
         WHERE before IS DISTINCT FROM after
        UNION ALL
        SELECT NULL, topic_id, bool_or(before), bool_or(after)${s(', false')} FROM pairs GROUP BY appeal_id, topic_id
        HAVING bool_or(before) IS DISTINCT FROM bool_or(after)
        ${s(`UNION ALL
        SELECT x.ancestor_id, p.topic_id, bool_or(p.before), bool_or(p.after), true
          FROM pairs p JOIN organisation_ancestry() x ON x.organisation_id = p.organisation_id
         GROUP BY p.appeal_id, x.ancestor_id, p.topic_id
        HAVING bool_or(p.before) IS DISTINCT FROM bool_or(p.after)`)}
      )
      SELECT organisation_id, topic_id, overdue, ${s('subtree, ')}sum(delta)::int FROM (
        SELECT organisation_id, topic_id, before AS overdue, ${s('subtree, ')}-1 AS delta FROM changed
         WHERE before IS NOT NULL
        UNION ALL
        SELECT organisation_id, topic_id, after, ${s('subtree, ')}1 FROM changed
      ) d
      GROUP BY 1, 2, 3${s(', 4')} HAVING sum(delta) <> 0
      $q$;${
        skipUnmarked
          ? `
    ELSIF NOT EXISTS (SELECT 1 FROM clock_marks WHERE appeal_id = NEW.id) THEN
      -- An appeal without marks has no rows in these counts, before or after the change.
      RETURN NULL;`
          : ''
      }
    ELSE
      INSERT INTO open_clock_count_deltas (organisation_id, topic_id, overdue, ${s('subtree, ')}delta)
      SELECT c.organisation_id, c.topic_id, c.overdue, ${s('c.subtree, ')}-1
        FROM open_clock_contribution(OLD.id, OLD.topic_id) c
       WHERE OLD.status IN ${OPEN}
      UNION ALL
      SELECT c.organisation_id, c.topic_id, c.overdue, ${s('c.subtree, ')}1
        FROM open_clock_contribution(NEW.id, NEW.topic_id) c
       WHERE NEW.status IN ${OPEN};
    END IF;
    RETURN NULL;
  END $$`;
};

/** The subtrees' rows counted from the marks: appeals with marks in the subtree, overdue when any is. */
const SUBTREE_ROWS = `
  INSERT INTO open_clock_counts (organisation_id, topic_id, overdue, subtree, count)
  SELECT ancestor_id, topic_id, overdue, true, count(*)::int FROM (
    SELECT m.appeal_id, x.ancestor_id, a.topic_id, bool_or(m.kind = 'overdue') AS overdue
      FROM clock_marks m JOIN appeals a ON a.id = m.appeal_id
      JOIN organisation_ancestry() x ON x.organisation_id = m.organisation_id
     WHERE a.status IN ${OPEN}
     GROUP BY 1, 2, 3) p
   GROUP BY 1, 2, 3`;

/**
 * The parts-insert branch: every statement's parts planned afresh (EXECUTE). `byKey` (migration
 * RegistrationTriggerCosts): the appeals and their parts read by key.
 */
export const partsAdded = (byKey = false) => `          IF NOT EXISTS (SELECT 1 FROM added) THEN
            RETURN NULL;
          END IF;
          -- EXECUTE: planned for this statement's parts (one registration's or a fill's 25 000).
          EXECUTE 'SELECT 1 FROM appeals a WHERE a.id ${byKey ? idAmong('added') : 'IN (SELECT appeal_id FROM added)'} ORDER BY a.id FOR NO KEY UPDATE';
          EXECUTE $q$${countedSql(keyedRows(partKeys('added', byKey), '1', byKey ? 'added' : undefined), 'deltas')}$q$;`;

/** The trigger function behind every scope count trigger; `byKey`: its parts-insert branch reads by key. */
export const scopeCountDeltaFunction = (byKey = false) => `
      CREATE FUNCTION appeal_scope_count_delta() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'appeals' AND TG_OP = 'UPDATE' THEN
          ${countedSql(
            `SELECT k.key, k.subtree, s.* FROM (${appealKeys('NEW.id')}) k
               CROSS JOIN (${side(-1, 'OLD')} UNION ALL ${side(1, 'NEW')}) s`,
            'deltas',
          )};
        ELSIF TG_TABLE_NAME = 'appeals' AND TG_OP = 'INSERT' THEN
          -- The region's rows; an organisation's come with its part.
          ${countedSql(`SELECT NULL::uuid AS key, false AS subtree, 1 AS sign, ${APPEAL_COLUMNS} FROM added`, 'deltas')};
        ELSIF TG_TABLE_NAME = 'appeals' THEN
          ${countedSql(`SELECT NULL::uuid AS key, false AS subtree, -1 AS sign, ${APPEAL_COLUMNS} FROM removed`, 'deltas')};
        ELSIF TG_OP = 'INSERT' THEN
${partsAdded(byKey)}
        ELSE
          IF NOT EXISTS (SELECT 1 FROM removed) THEN
            RETURN NULL;
          END IF;
          EXECUTE 'SELECT 1 FROM appeals a WHERE a.id IN (SELECT appeal_id FROM removed) ORDER BY a.id FOR NO KEY UPDATE';
          EXECUTE $q$${countedSql(keyedRows(partKeys('removed'), '-1'), 'deltas')}$q$;
        END IF;
        RETURN NULL;
      END $$;`;

/**
 * The dashboard's totals and daily volume read maintained counts for every scope it is shown to (issue 18).
 * They used to count appeals per request: region-wide the open appeals past their due time and the last day's
 * registrations; for one organisation or its subtree every open appeal and the last 30 days' registrations, each
 * checked against its parts.
 *
 * A count's scope key is (organisation_id, subtree), as libs/access hands scopes out: (NULL, false) the region,
 * (X, false) the appeals X holds or held a part of, (X, true) those with a part anywhere in X's subtree (an
 * appeal with parts at two of its organisations counted once).
 *
 * - `open_appeal_counts`: open appeals per scope key, UTC hour their answer is due, fast track and unclassified.
 *   The overdue total is the hours already past plus the open appeals due earlier in the current hour (by index).
 * - `appeal_registration_counts`: appeals per scope key, local day of registration (in the appeal's zone, as its
 *   deadlines) and channel: the daily volume. `appeal_recent_registration_counts`: per scope key and UTC hour of
 *   registration, the last two days only (the fold drops older hours): the last 24 hours as whole hours plus
 *   the part of the first one (by index). They grow with scope keys × days, never with appeals.
 * - `open_appeal_count_deltas`, `appeal_registration_count_deltas` (by hour, day and channel, folded into both
 *   registration counts): +1 / −1 rows written by triggers in the transaction that inserts or deletes an appeal,
 *   changes one of its counted columns or adds a part at an organisation, whoever does it. Insert-only like the
 *   appeal count deltas, folded with them (ReportsRepository.foldCounts); readers add the deltas not yet folded.
 *
 * - `open_clock_counts` (migration OpenClockCounts) gains subtree rows: (X, subtree) counts the open appeals with
 *   clock marks at any organisation in X's subtree, overdue when any of those marks is, for the subtree's topic
 *   chart (counted from the marks per request before); its triggers are replaced to keep them too.
 *
 * The part trigger takes the appeals' row locks (in id order) before it reads them, so that a part added while
 * another transaction changes the appeal is counted against the state that commits (the appeal trigger then sees
 * the part). Re-parenting an organisation (no screen does) recounts the subtree counts under a lock of the tables they come from.
 */
export class AppealScopeCounts1796201620000 implements MigrationInterface {
  name = 'AppealScopeCounts1796201620000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE open_appeal_counts (
        organisation_id uuid,
        subtree boolean NOT NULL,
        due_hour timestamptz NOT NULL,
        fast_track boolean NOT NULL,
        unclassified boolean NOT NULL,
        count integer NOT NULL
      );
      CREATE UNIQUE INDEX open_appeal_counts_key ON open_appeal_counts
        ((COALESCE(organisation_id, ${NO_ID})), subtree, due_hour, fast_track, unclassified);
      CREATE TABLE open_appeal_count_deltas (
        organisation_id uuid,
        subtree boolean NOT NULL,
        due_hour timestamptz NOT NULL,
        fast_track boolean NOT NULL,
        unclassified boolean NOT NULL,
        delta integer NOT NULL
      );

      CREATE TABLE appeal_registration_counts (
        organisation_id uuid,
        subtree boolean NOT NULL,
        day date NOT NULL,
        channel text NOT NULL,
        count integer NOT NULL
      );
      CREATE UNIQUE INDEX appeal_registration_counts_key ON appeal_registration_counts
        ((COALESCE(organisation_id, ${NO_ID})), subtree, day, channel);
      CREATE TABLE appeal_recent_registration_counts (
        organisation_id uuid,
        subtree boolean NOT NULL,
        hour timestamptz NOT NULL,
        count integer NOT NULL
      );
      CREATE UNIQUE INDEX appeal_recent_registration_counts_key ON appeal_recent_registration_counts
        ((COALESCE(organisation_id, ${NO_ID})), subtree, hour);
      CREATE TABLE appeal_registration_count_deltas (
        organisation_id uuid,
        subtree boolean NOT NULL,
        hour timestamptz NOT NULL,
        day date NOT NULL,
        channel text NOT NULL,
        delta integer NOT NULL
      );

      -- Each organisation with itself and every organisation above it.
      CREATE FUNCTION organisation_ancestry() RETURNS TABLE (organisation_id uuid, ancestor_id uuid)
        LANGUAGE sql STABLE AS $$
        WITH RECURSIVE up (organisation_id, ancestor_id) AS (
          SELECT id, id FROM organisations
          UNION
          SELECT up.organisation_id, o.parent_id FROM up JOIN organisations o ON o.id = up.ancestor_id
           WHERE o.parent_id IS NOT NULL)
        SELECT organisation_id, ancestor_id FROM up
      $$;

      -- The clock counts' subtree rows (organisation_id X, subtree): open appeals with marks in X's subtree,
      -- overdue when any of those marks is; kept by the triggers of migration OpenClockCounts, replaced here.
      ALTER TABLE open_clock_counts ADD COLUMN subtree boolean NOT NULL DEFAULT false;
      ALTER TABLE open_clock_count_deltas ADD COLUMN subtree boolean NOT NULL DEFAULT false;
      DROP INDEX open_clock_counts_key;
      CREATE UNIQUE INDEX open_clock_counts_key ON open_clock_counts (
        (COALESCE(organisation_id, ${NO_ID})), (COALESCE(topic_id, ${NO_ID})), overdue, subtree);
      DROP FUNCTION open_clock_contribution(uuid, uuid);
      ${contribution(true)};
      ${delta(true)};

      ${scopeCountDeltaFunction()}
      CREATE TRIGGER appeals_scope_counts_insert AFTER INSERT ON appeals
        REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION appeal_scope_count_delta();
      CREATE TRIGGER appeals_scope_counts_delete AFTER DELETE ON appeals
        REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION appeal_scope_count_delta();
      CREATE TRIGGER appeals_scope_counts_update
        AFTER UPDATE OF status, answer_due_at, fast_track, topic_id, registered_at, time_zone, channel ON appeals
        FOR EACH ROW
        WHEN ((OLD.status IN ${OPEN}) IS DISTINCT FROM (NEW.status IN ${OPEN})
              OR OLD.answer_due_at IS DISTINCT FROM NEW.answer_due_at OR OLD.fast_track IS DISTINCT FROM NEW.fast_track
              OR (OLD.topic_id IS NULL) IS DISTINCT FROM (NEW.topic_id IS NULL)
              OR OLD.registered_at IS DISTINCT FROM NEW.registered_at OR OLD.time_zone IS DISTINCT FROM NEW.time_zone
              OR OLD.channel IS DISTINCT FROM NEW.channel)
        EXECUTE FUNCTION appeal_scope_count_delta();
      CREATE TRIGGER appeal_organisations_scope_counts_insert AFTER INSERT ON appeal_organisations
        REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION appeal_scope_count_delta();
      CREATE TRIGGER appeal_organisations_scope_counts_delete AFTER DELETE ON appeal_organisations
        REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION appeal_scope_count_delta();

      -- Everything counted again from the appeals and their parts, nothing written meanwhile (the lock).
      CREATE FUNCTION appeal_scope_counts_recount() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        LOCK TABLE appeals, appeal_organisations IN SHARE MODE;
        DELETE FROM open_appeal_count_deltas;
        DELETE FROM open_appeal_counts;
        DELETE FROM appeal_registration_count_deltas;
        DELETE FROM appeal_registration_counts;
        DELETE FROM appeal_recent_registration_counts;
        ${countedSql(keyedRows(KEYS.region, '1'), 'counts')};
        ${countedSql(keyedRows(KEYS.own, '1'), 'counts')};
        ${countedSql(keyedRows(KEYS.tree, '1'), 'counts')};
        LOCK TABLE clock_marks IN SHARE MODE;
        DELETE FROM open_clock_count_deltas WHERE subtree;
        DELETE FROM open_clock_counts WHERE subtree;
        ${SUBTREE_ROWS};
        RETURN NULL;
      END $$;
      CREATE TRIGGER organisations_scope_counts AFTER UPDATE OF parent_id ON organisations
        FOR EACH STATEMENT EXECUTE FUNCTION appeal_scope_counts_recount();
    `);
    // The appeals already there, counted once (under the same lock as a recount).
    await q.query(`LOCK TABLE appeals, appeal_organisations IN SHARE MODE`);
    for (const keys of [KEYS.region, KEYS.own, KEYS.tree])
      await q.query(countedSql(keyedRows(keys, '1'), 'counts'));
    await q.query(`LOCK TABLE clock_marks IN SHARE MODE`);
    await q.query(SUBTREE_ROWS);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER organisations_scope_counts ON organisations;
      DROP TRIGGER appeal_organisations_scope_counts_delete ON appeal_organisations;
      DROP TRIGGER appeal_organisations_scope_counts_insert ON appeal_organisations;
      DROP TRIGGER appeals_scope_counts_update ON appeals;
      DROP TRIGGER appeals_scope_counts_delete ON appeals;
      DROP TRIGGER appeals_scope_counts_insert ON appeals;
      DROP FUNCTION appeal_scope_counts_recount();
      DROP FUNCTION appeal_scope_count_delta();
      DROP FUNCTION organisation_ancestry();
      DROP TABLE appeal_registration_count_deltas;
      DROP TABLE appeal_recent_registration_counts;
      DROP TABLE appeal_registration_counts;
      DROP TABLE open_appeal_count_deltas;
      DROP TABLE open_appeal_counts;
      DELETE FROM open_clock_count_deltas WHERE subtree;
      DELETE FROM open_clock_counts WHERE subtree;
      DROP INDEX open_clock_counts_key;
      ALTER TABLE open_clock_count_deltas DROP COLUMN subtree;
      ALTER TABLE open_clock_counts DROP COLUMN subtree;
      CREATE UNIQUE INDEX open_clock_counts_key ON open_clock_counts (
        (COALESCE(organisation_id, ${NO_ID})), (COALESCE(topic_id, ${NO_ID})), overdue);
      DROP FUNCTION open_clock_contribution(uuid, uuid);
      ${contribution(false)};
      ${delta(false)};
    `);
  }
}
