import { type MigrationInterface, type QueryRunner } from 'typeorm';

const OPEN = `('registered','in_work','escalated','returned','extended','reopened')`;
const NO_ID = `'00000000-0000-0000-0000-000000000000'::uuid`;

/** The columns a scope key's counted rows are built from: the key, a sign, and the appeal's counted columns. */
const APPEAL_COLUMNS = 'status, answer_due_at, fast_track, topic_id, registered_at, time_zone, channel';

/**
 * Adds `rows` (key, subtree, sign, then APPEAL_COLUMNS) to the open and the registration counts' tables
 * (`suffix`: '_deltas' with a delta column, '' with a count column): one statement, two inserts.
 */
function countedSql(rows: string, suffix: '_deltas' | ''): string {
  const n = suffix ? 'delta' : 'count';
  return `
    WITH r AS (${rows}),
         o AS (
           INSERT INTO open_appeal_count${suffix || 's'} (organisation_id, subtree, due_hour, fast_track, unclassified, ${n})
           SELECT key, subtree, date_trunc('hour', answer_due_at, 'UTC'), fast_track, topic_id IS NULL, sum(sign)::int
             FROM r WHERE status IN ${OPEN}
            GROUP BY 1, 2, 3, 4, 5 HAVING sum(sign) <> 0)
    INSERT INTO appeal_registration_count${suffix || 's'} (organisation_id, subtree, hour, day, channel, ${n})
    SELECT key, subtree, date_trunc('hour', registered_at, 'UTC'), (registered_at AT TIME ZONE time_zone)::date,
           channel, sum(sign)::int
      FROM r GROUP BY 1, 2, 3, 4, 5 HAVING sum(sign) <> 0`;
}

/** Each appeal's scope keys, as (appeal_id, key, subtree): of the region, of its parts, or of their subtrees. */
const KEYS = {
  region: `SELECT id AS appeal_id, NULL::uuid AS key, false AS subtree FROM appeals`,
  own: `SELECT appeal_id, organisation_id AS key, false AS subtree FROM appeal_organisations`,
  tree: `SELECT ao.appeal_id, x.ancestor_id AS key, true AS subtree
           FROM appeal_organisations ao JOIN organisation_ancestry() x ON x.organisation_id = ao.organisation_id
          GROUP BY 1, 2`,
};

/** The keys' counted rows from the appeals. */
const keyedRows = (keys: string, sign: string) =>
  `SELECT k.key, k.subtree, ${sign} AS sign, ${APPEAL_COLUMNS
    .split(', ')
    .map((c) => `a.${c}`)
    .join(', ')}
     FROM (${keys}) k JOIN appeals a ON a.id = k.appeal_id`;

/**
 * Parts added or removed by a statement (transition table `changed`): the scope keys an appeal gains (or loses)
 * are those whose every part is among them.
 */
const partKeys = (changed: string) => `
  WITH parts AS (
    SELECT ao.appeal_id, ao.organisation_id, false AS changed FROM appeal_organisations ao
     WHERE ao.appeal_id IN (SELECT appeal_id FROM ${changed})
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
 * - `appeal_registration_counts`: appeals per scope key, UTC hour of registration, local day (in the appeal's
 *   zone, as its deadlines) and channel: the daily volume, and the last 24 hours as whole hours plus the part of
 *   the first one (by index). Both grow with scope keys × hours, never with appeals.
 * - The `…_deltas` tables: +1 / −1 rows written by triggers in the transaction that inserts or deletes an appeal,
 *   changes one of its counted columns or adds a part at an organisation, whoever does it. Insert-only like the
 *   appeal count deltas, folded with them (ReportsRepository.foldCounts); readers add the deltas not yet folded.
 *
 * The part trigger takes the appeals' row locks (in id order) before it reads them, so that a part added while
 * another transaction changes the appeal is counted against the state that commits (the appeal trigger then sees
 * the part). Re-parenting an organisation (no screen does) recounts the counts under a lock of both tables.
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
        hour timestamptz NOT NULL,
        day date NOT NULL,
        channel text NOT NULL,
        count integer NOT NULL
      );
      CREATE UNIQUE INDEX appeal_registration_counts_key ON appeal_registration_counts
        ((COALESCE(organisation_id, ${NO_ID})), subtree, hour, day, channel);
      CREATE INDEX appeal_registration_counts_day_idx ON appeal_registration_counts
        ((COALESCE(organisation_id, ${NO_ID})), subtree, day);
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

      CREATE FUNCTION appeal_scope_count_delta() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'appeals' AND TG_OP = 'UPDATE' THEN
          ${countedSql(
            `SELECT k.key, k.subtree, s.* FROM (${appealKeys('NEW.id')}) k
               CROSS JOIN (${side(-1, 'OLD')} UNION ALL ${side(1, 'NEW')}) s`,
            '_deltas',
          )};
        ELSIF TG_TABLE_NAME = 'appeals' AND TG_OP = 'INSERT' THEN
          -- The region's rows; an organisation's come with its part.
          ${countedSql(`SELECT NULL::uuid AS key, false AS subtree, 1 AS sign, ${APPEAL_COLUMNS} FROM added`, '_deltas')};
        ELSIF TG_TABLE_NAME = 'appeals' THEN
          ${countedSql(`SELECT NULL::uuid AS key, false AS subtree, -1 AS sign, ${APPEAL_COLUMNS} FROM removed`, '_deltas')};
        ELSIF TG_OP = 'INSERT' THEN
          IF NOT EXISTS (SELECT 1 FROM added) THEN
            RETURN NULL;
          END IF;
          -- EXECUTE: planned for this statement's parts (one registration's or a fill's 25 000).
          EXECUTE 'SELECT 1 FROM appeals a WHERE a.id IN (SELECT appeal_id FROM added) ORDER BY a.id FOR NO KEY UPDATE';
          EXECUTE $q$${countedSql(keyedRows(partKeys('added'), '1'), '_deltas')}$q$;
        ELSE
          IF NOT EXISTS (SELECT 1 FROM removed) THEN
            RETURN NULL;
          END IF;
          EXECUTE 'SELECT 1 FROM appeals a WHERE a.id IN (SELECT appeal_id FROM removed) ORDER BY a.id FOR NO KEY UPDATE';
          EXECUTE $q$${countedSql(keyedRows(partKeys('removed'), '-1'), '_deltas')}$q$;
        END IF;
        RETURN NULL;
      END $$;
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
        ${countedSql(keyedRows(KEYS.region, '1'), '')};
        ${countedSql(keyedRows(KEYS.own, '1'), '')};
        ${countedSql(keyedRows(KEYS.tree, '1'), '')};
        RETURN NULL;
      END $$;
      CREATE TRIGGER organisations_scope_counts AFTER UPDATE OF parent_id ON organisations
        FOR EACH STATEMENT EXECUTE FUNCTION appeal_scope_counts_recount();
    `);
    // The appeals already there, counted once (under the same lock as a recount).
    await q.query(`LOCK TABLE appeals, appeal_organisations IN SHARE MODE`);
    for (const keys of [KEYS.region, KEYS.own, KEYS.tree]) await q.query(countedSql(keyedRows(keys, '1'), ''));
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
      DROP TABLE appeal_registration_counts;
      DROP TABLE open_appeal_count_deltas;
      DROP TABLE open_appeal_counts;
    `);
  }
}
