import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The hour buckets and the status (AppealSearchScopeIndex's, unchanged). */
const BUCKETS = `
          'h1#' || floor(date_part('epoch', timezone('UTC', registered)) / 3600)::bigint::text,
          'h16#' || floor(date_part('epoch', timezone('UTC', registered)) / 57600)::bigint::text,
          'h256#' || floor(date_part('epoch', timezone('UTC', registered)) / 921600)::bigint::text,
          'h4096#' || floor(date_part('epoch', timezone('UTC', registered)) / 14745600)::bigint::text,
          'd1#' || floor(date_part('epoch', timezone('UTC', due)) / 3600)::bigint::text,
          'd16#' || floor(date_part('epoch', timezone('UTC', due)) / 57600)::bigint::text,
          'd256#' || floor(date_part('epoch', timezone('UTC', due)) / 921600)::bigint::text,
          'd4096#' || floor(date_part('epoch', timezone('UTC', due)) / 14745600)::bigint::text,
          's#' || status`;

/**
 * AppealSearchScopeIndex's body, over the parameters `registered`, `due`, `status` and `organisations` (the tests
 * compare the function with it).
 */
export const FIRST_FORM = `array_to_tsvector(ARRAY[${BUCKETS}] || ARRAY(SELECT 'o#' || o::text FROM unnest(organisations) o))`;

/** The organisations' lexemes: before, a sub-select ('o#' || each); now the text form of their own vector, prefixed. */
const searchTerms = (inlinable: boolean) => `
      CREATE OR REPLACE FUNCTION appeal_search_terms(registered timestamptz, due timestamptz, status text,
          organisations uuid[]) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        ${
          inlinable
            ? `SELECT array_to_tsvector(ARRAY[${BUCKETS}])
          || replace(' ' || array_to_tsvector(coalesce(organisations, '{}')::text[])::text, ' ''', ' ''o#')::tsvector`
            : `SELECT ${FIRST_FORM}`
        }
      $$;
      -- Sessions keep an index's expressions as they were when they first read them (the function's call, or its
      -- body): a new form of the index's row makes every session read them again, so each plans its searches
      -- against the expression it now gives them (else the planner would no longer match the index).
      ALTER INDEX appeals_search_terms_idx RESET (fastupdate);`;

/**
 * Issue 18: `appeal_search_terms` (AppealSearchScopeIndex) is evaluated for every version of an appeal's row
 * written — once in `appeals_search_terms_idx`'s expression, once inside `appeal_scope_search_terms` — and, as a
 * SQL function with a sub-select, it could not be inlined: each call started and ended an executor of its own
 * (`perf` on the bench's backends: 5.4 % of their CPU in `fmgr_sql`, most of it these calls). Without the
 * sub-select its body is inlined into the index's expression, into the PL/pgSQL function that calls it and into
 * the searches' matching expression alike (the planner inlines both sides before it compares them). The lexemes
 * are the same (`test/integration/search-terms-inlined.test.ts` compares both forms), so neither index changes.
 * Every function of the body is immutable (`array_to_string`, being stable, would have kept it from inlining).
 */
export class SearchTermsInlined1796204720000 implements MigrationInterface {
  name = 'SearchTermsInlined1796204720000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(searchTerms(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(searchTerms(false));
  }
}
