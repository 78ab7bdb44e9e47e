import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Search inside a clerk's scope, by due date, with a status, at 10 M appeals (issue 18). The newest-first GIN of
 * AppealSearchRecentIndex intersected a word with hours of registration and statuses only: a clerk's scope was
 * checked row by row after the match (one appeal in 26 passed, each a heap page and a probe of its parts), a
 * search by due date read every match of its word, and once its windows ran out the rest read every match too.
 *
 * - `appeals.part_organisation_ids`: the organisations holding a part of the appeal (what the organisation scope
 *   tests, libs/access), kept by a trigger on `appeal_organisations` (parts are only ever added; a part moved or
 *   removed recomputes the list). Registration writes it with the appeal, so its part's trigger changes nothing.
 * - `appeal_search_terms(…)`: lexemes no text can produce ('#' splits words): the hour of registration and of
 *   the answer's due time at 1, 16, 256 and 4096 hours (UTC), the status, and 'o#' + each part's organisation.
 *   The GIN over `search_vector || appeal_search_terms(…)` replaces appeals_search_recent_idx; a search ANDs its
 *   words with the buckets of its window of time, its statuses and its scope, so the index intersects them all
 *   (AppealsRepository, APPEAL_SEARCH_INDEX_SQL repeats the expression exactly).
 * - `appeals_assignee_idx`: «Мои» reads the caller's appeals by index (there was none on the appeal's assignee).
 */
export class AppealSearchScopeIndex1796201900000 implements MigrationInterface {
  name = 'AppealSearchScopeIndex1796201900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    await q.query(`
      ALTER TABLE appeals ADD COLUMN part_organisation_ids uuid[] NOT NULL DEFAULT '{}';
      DROP INDEX appeals_search_recent_idx;
      UPDATE appeals a SET part_organisation_ids = p.ids
        FROM (SELECT appeal_id, array_agg(organisation_id ORDER BY organisation_id) AS ids
                FROM appeal_organisations GROUP BY appeal_id) p
       WHERE a.id = p.appeal_id;

      CREATE FUNCTION appeal_part_organisations_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          UPDATE appeals SET part_organisation_ids = part_organisation_ids || NEW.organisation_id
           WHERE id = NEW.appeal_id AND NOT (NEW.organisation_id = ANY (part_organisation_ids));
        ELSE
          UPDATE appeals a SET part_organisation_ids = COALESCE((SELECT array_agg(p.organisation_id
                   ORDER BY p.organisation_id) FROM appeal_organisations p WHERE p.appeal_id = a.id), '{}')
           WHERE a.id = OLD.appeal_id OR a.id = (CASE WHEN TG_OP = 'UPDATE' THEN NEW.appeal_id END);
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER appeal_organisations_part_ids_insert AFTER INSERT ON appeal_organisations
        FOR EACH ROW EXECUTE FUNCTION appeal_part_organisations_sync();
      CREATE TRIGGER appeal_organisations_part_ids_change AFTER UPDATE OF appeal_id, organisation_id OR DELETE
        ON appeal_organisations FOR EACH ROW EXECUTE FUNCTION appeal_part_organisations_sync();

      CREATE FUNCTION appeal_search_terms(registered timestamptz, due timestamptz, status text,
          organisations uuid[]) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT array_to_tsvector(ARRAY[
          'h1#' || floor(date_part('epoch', timezone('UTC', registered)) / 3600)::bigint::text,
          'h16#' || floor(date_part('epoch', timezone('UTC', registered)) / 57600)::bigint::text,
          'h256#' || floor(date_part('epoch', timezone('UTC', registered)) / 921600)::bigint::text,
          'h4096#' || floor(date_part('epoch', timezone('UTC', registered)) / 14745600)::bigint::text,
          'd1#' || floor(date_part('epoch', timezone('UTC', due)) / 3600)::bigint::text,
          'd16#' || floor(date_part('epoch', timezone('UTC', due)) / 57600)::bigint::text,
          'd256#' || floor(date_part('epoch', timezone('UTC', due)) / 921600)::bigint::text,
          'd4096#' || floor(date_part('epoch', timezone('UTC', due)) / 14745600)::bigint::text,
          's#' || status] || ARRAY(SELECT 'o#' || o::text FROM unnest(organisations) o))
      $$;
      CREATE INDEX appeals_search_terms_idx ON appeals USING gin ((search_vector
        || appeal_search_terms(registered_at, answer_due_at, status, part_organisation_ids)));
      CREATE INDEX appeals_assignee_idx ON appeals (assignee_id) WHERE assignee_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX appeals_assignee_idx;
      DROP INDEX appeals_search_terms_idx;
      DROP FUNCTION appeal_search_terms(timestamptz, timestamptz, text, uuid[]);
      DROP TRIGGER appeal_organisations_part_ids_change ON appeal_organisations;
      DROP TRIGGER appeal_organisations_part_ids_insert ON appeal_organisations;
      DROP FUNCTION appeal_part_organisations_sync();
      ALTER TABLE appeals DROP COLUMN part_organisation_ids;
      CREATE INDEX appeals_search_recent_idx ON appeals USING gin ((search_vector || array_to_tsvector(ARRAY[
        'h1#' || floor(date_part('epoch', timezone('UTC', registered_at)) / 3600)::bigint::text,
        'h16#' || floor(date_part('epoch', timezone('UTC', registered_at)) / 57600)::bigint::text,
        'h256#' || floor(date_part('epoch', timezone('UTC', registered_at)) / 921600)::bigint::text,
        'h4096#' || floor(date_part('epoch', timezone('UTC', registered_at)) / 14745600)::bigint::text,
        's#' || status])));
    `);
  }
}
