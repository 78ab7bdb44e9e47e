import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Postgres 17 (the embedded server of `npm start`) runs maintenance with the search path `pg_catalog, pg_temp`:
 * ANALYZE (autovacuum's too), VACUUM, CREATE INDEX, REINDEX and a restored dump's index builds. The index
 * `appeals_scope_search_idx` evaluates `appeal_scope_search_terms`, which called `appeal_search_terms`
 * unqualified: there every one of those failed («function appeal_search_terms(…) does not exist»), so the
 * appeals table was never analysed and a dump could not be restored. The call now names the function's schema,
 * fixed when the migration runs; the body is otherwise AppealScopeSearchLongWords', so its results (and the
 * index) stay the same. A `SET search_path` on the function would do too, but costs every row's write a
 * path switch (measured ≈ 20–30 µs a call, twice an appeal).
 */
export class SearchTermsMaintenancePath1796203500000 implements MigrationInterface {
  name = 'SearchTermsMaintenancePath1796203500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(scopeSearchTerms(await schemaOf(q)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(scopeSearchTerms(''));
  }
}

async function schemaOf(q: QueryRunner): Promise<string> {
  const [{ schema }] = (await q.query(`SELECT quote_ident(current_schema()) AS schema`)) as {
    schema: string;
  }[];
  return `${schema}.`;
}

/** AppealScopeSearchLongWords' function with `appeal_search_terms` called as `<qualifier>appeal_search_terms`. */
function scopeSearchTerms(qualifier: string): string {
  return `
    CREATE OR REPLACE FUNCTION appeal_scope_search_terms(words tsvector, registered timestamptz,
        due timestamptz, status text, organisations uuid[]) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE
        PARALLEL SAFE AS $$
    DECLARE
      terms tsvector := words || ${qualifier}appeal_search_terms(registered, due, status, '{}');
      lexemes text;
      organisation uuid;
      scoped text := '';
    BEGIN
      -- Only a vector this long can hold a lexeme that would not fit once prefixed.
      IF octet_length(terms::text) > 2047 - 37 THEN
        terms := ts_delete(terms, ARRAY(SELECT lexeme FROM unnest(terms) WHERE octet_length(lexeme) > 2047 - 37));
      END IF;
      -- In the text form every lexeme follows a space (to_tsvector's words hold none, nor do the terms).
      lexemes := ' ' || terms::text;
      FOREACH organisation IN ARRAY coalesce(organisations, '{}') LOOP
        scoped := scoped || replace(lexemes, ' ''', ' ''' || organisation::text || '#');
      END LOOP;
      RETURN scoped::tsvector;
    END $$;
  `;
}
