import { appealsWithOwnPeopleSql, createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Postgres 17 (the embedded server `npm start` runs) gives maintenance a search path of `pg_catalog, pg_temp`:
 * ANALYZE (autovacuum's too), VACUUM, CREATE INDEX, REINDEX, and a restored dump's index builds. An index
 * expression must therefore not depend on the caller's search path; `appeals_scope_search_idx`'s function called
 * `appeal_search_terms` unqualified, so on Postgres 17 the appeals table was never analysed («function
 * appeal_search_terms(…) does not exist») and its index could not be rebuilt. Postgres 15 here runs maintenance
 * with the session's path, so the test sets 17's.
 */
describe('index expressions under maintenance’s search path', () => {
  let db: TestDatabase;
  let schema = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(
      `${appealsWithOwnPeopleSql({ count: 20, prefix: 'maint-' })}
       SELECT '2026-' || lpad(n::text, 6, '0'), now(), now(), 'appeal', 'operator', 'maint-' || n, item_id,
              applicant_id, 'Во дворе дома ' || n || ' не убран снег', 'registered',
              (SELECT id FROM organisations WHERE code = 'cur'), 'Asia/Novosibirsk', now(), now(), current_date,
              now(), 'test', 'x'
         FROM pairs`,
    );
    [{ schema }] = (await db.dataSource.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
  });
  afterAll(async () => {
    await db?.drop();
  });

  const asMaintenance = (statement: string) =>
    db.dataSource.transaction(async (tx) => {
      await tx.query(`SET LOCAL search_path = pg_catalog, pg_temp`);
      await tx.query(statement);
    });

  it('ANALYZE reads the search indexes’ expressions', async () => {
    await expect(asMaintenance(`ANALYZE "${schema}".appeals`)).resolves.toBeUndefined();
  });

  it('REINDEX rebuilds the per-organisation search index', async () => {
    await expect(
      asMaintenance(`REINDEX INDEX "${schema}".appeals_scope_search_idx`),
    ).resolves.toBeUndefined();
    await expect(
      asMaintenance(`REINDEX INDEX "${schema}".appeals_search_terms_idx`),
    ).resolves.toBeUndefined();
  });
});
