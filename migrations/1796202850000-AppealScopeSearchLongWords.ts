import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The per-organisation search terms prefix every lexeme with `<organisation uuid>#` (37 bytes), and a tsvector
 * refuses a lexeme over 2 047 bytes: an appeal holding one word of 1 005–1 023 Cyrillic letters (to_tsvector
 * keeps words up to 2 047 bytes) made the index's expression fail, and with it the appeal's registration and
 * every later update of its row. Such lexemes are left out of the organisation's terms (a search cannot name
 * them: its text is at most 200 characters); the region's index keeps them.
 *
 * No row in the index can hold one (its insert would have failed), so the function's results for the rows
 * there stay the same and the index needs no rebuild.
 */
export class AppealScopeSearchLongWords1796202850000 implements MigrationInterface {
  name = 'AppealScopeSearchLongWords1796202850000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION appeal_scope_search_terms(words tsvector, registered timestamptz,
          due timestamptz, status text, organisations uuid[]) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE
          PARALLEL SAFE AS $$
      DECLARE
        terms tsvector := words || appeal_search_terms(registered, due, status, '{}');
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
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION appeal_scope_search_terms(words tsvector, registered timestamptz,
          due timestamptz, status text, organisations uuid[]) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE
          PARALLEL SAFE AS $$
      DECLARE
        lexemes text := ' ' || (words || appeal_search_terms(registered, due, status, '{}'))::text;
        organisation uuid;
        scoped text := '';
      BEGIN
        FOREACH organisation IN ARRAY coalesce(organisations, '{}') LOOP
          scoped := scoped || replace(lexemes, ' ''', ' ''' || organisation::text || '#');
        END LOOP;
        RETURN scoped::tsvector;
      END $$;
    `);
  }
}
