import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Newest-first Russian search at 10 M appeals (issue 18). The text's GIN finds every match of a common word (up
 * to 8 % of the table) but cannot order them; walking the registration order and testing each row read a heap
 * page per row, so a rarer word, or a common one behind a filter, read thousands of cold pages (p95 702 ms).
 * This GIN indexes the text's lexemes together with lexemes no text can produce ('#' splits words): the hour of
 * registration at four sizes (1, 16, 256 and 4096 hours, UTC) and the status. A search ANDs its words with the
 * buckets covering a window of registration time (and with the statuses asked for), so the index itself
 * intersects them and the heap is read only for the matches inside the window, which the list sizes to about
 * a page (AppealsRepository, APPEAL_SEARCH_INDEX_SQL: the same expression, which the queries must repeat exactly).
 * RUM (a GIN ordered by an attached timestamp) was tried and not adopted: it sorts all matches of the word before
 * the first row (1 M matches: 3.7 s with temp files), and its index is six times the GIN's size.
 */
export class AppealSearchRecentIndex1796201300000 implements MigrationInterface {
  name = 'AppealSearchRecentIndex1796201300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    await q.query(`
      CREATE INDEX appeals_search_recent_idx ON appeals USING gin ((search_vector || array_to_tsvector(ARRAY[
        'h1#' || floor(date_part('epoch', timezone('UTC', registered_at)) / 3600)::bigint::text,
        'h16#' || floor(date_part('epoch', timezone('UTC', registered_at)) / 57600)::bigint::text,
        'h256#' || floor(date_part('epoch', timezone('UTC', registered_at)) / 921600)::bigint::text,
        'h4096#' || floor(date_part('epoch', timezone('UTC', registered_at)) / 14745600)::bigint::text,
        's#' || status])));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX appeals_search_recent_idx`);
  }
}
