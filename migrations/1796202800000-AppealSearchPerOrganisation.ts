import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A search in an organisation's scope reads that organisation's postings only (issue 18). The search GIN of
 * AppealSearchScopeIndex holds a word, the time buckets and 'o#' + each organisation as separate lexemes, so a
 * clerk's search intersected a window's buckets (every appeal of the region registered in it) with the word's
 * posting list and the organisation's, both of the whole table: a frequent word in one organisation's scope took
 * 27–34 ms p95 at 1 M appeals and 49.7–52.8 ms at 5 M, growing with the table.
 *
 * `appeal_scope_search_terms(…)`: every lexeme of the appeal's text, its hour buckets and its status (those of
 * `search_vector || appeal_search_terms(…)`, positions kept for phrases) once for each organisation holding a
 * part, prefixed with that organisation ('<uuid>#прош', '<uuid>#h16#…', '<uuid>#s#in_work'). A scoped search
 * (AppealsRepository) turns its query into the same lexemes with `appeal_scope_tsquery(query, organisations)`
 * (each lexeme → the OR of it under every organisation of the scope), so the GIN's entries are the scope's own:
 * a window's buckets are the organisation's appeals in it, the word's list is its matches in the organisation.
 *
 * In PL/pgSQL, editing the text form: as a SQL function (a regexp, string_agg over the organisations) it cost
 * ~0.5 ms an appeal at load 11, seven times this (76 µs; the region index's expression 25 µs).
 *
 * Built inside the migration's transaction like the earlier search indexes (writes to `appeals` wait for the
 * build; reads go on). Not CONCURRENTLY: that waits for every session holding a snapshot, and an api or worker
 * process starting meanwhile holds one while it waits for the migration lock (data-source.ts) — a wait neither
 * side's deadlock check sees.
 */
export class AppealSearchPerOrganisation1796202800000 implements MigrationInterface {
  name = 'AppealSearchPerOrganisation1796202800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    await q.query(`
      CREATE FUNCTION appeal_scope_search_terms(words tsvector, registered timestamptz, due timestamptz,
          status text, organisations uuid[]) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
      DECLARE
        -- In the text form every lexeme follows a space (to_tsvector's words hold none, nor do the terms).
        lexemes text := ' ' || (words || appeal_search_terms(registered, due, status, '{}'))::text;
        organisation uuid;
        scoped text := '';
      BEGIN
        FOREACH organisation IN ARRAY coalesce(organisations, '{}') LOOP
          scoped := scoped || replace(lexemes, ' ''', ' ''' || organisation::text || '#');
        END LOOP;
        RETURN scoped::tsvector;
      END $$;
      CREATE FUNCTION appeal_scope_tsquery(query tsquery, organisations uuid[]) RETURNS tsquery
          LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT regexp_replace(query::text, '''((?:[^'']|'''')*)''(:[*A-D]+)?',
                 '(' || (SELECT string_agg('''' || o::text || '#\\1''\\2', ' | ') FROM unnest(organisations) o)
                     || ')', 'g')::tsquery
      $$;
      CREATE INDEX appeals_scope_search_idx ON appeals USING gin (appeal_scope_search_terms(search_vector,
        registered_at, answer_due_at, status, part_organisation_ids));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX appeals_scope_search_idx;
      DROP FUNCTION appeal_scope_tsquery(tsquery, uuid[]);
      DROP FUNCTION appeal_scope_search_terms(tsvector, timestamptz, timestamptz, text, uuid[]);
    `);
  }
}
