import { PartListedLooksFirst1796205000000 } from '../../migrations/1796205000000-PartListedLooksFirst';
import { appealsWithOwnPeopleSql, createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Migration PartListedLooksFirst: a part whose organisation the appeal already lists (registration writes the list
 * with the appeal) runs no UPDATE of `appeals` — an UPDATE opens every index of the table and fires its statement
 * triggers even when it finds nothing; a part it does not list still adds the organisation, and a part removed
 * still recomputes the list.
 */
describe('appeal_organisations: the part trigger looks before it updates', () => {
  let db: TestDatabase;
  let appeals: string[];
  let cur: string;
  let other: string;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    db.dataSource.query(query, params) as Promise<T[]>;

  beforeAll(async () => {
    db = await createTestDatabase();
    await sql(
      `${appealsWithOwnPeopleSql({ count: 3, prefix: 'plf-' })}
       SELECT '2026-' || lpad(n::text, 6, '0'), now(), now(), 'appeal', 'operator', 'plf-' || n, item_id,
              applicant_id, 'Не убран снег во дворе', 'registered', (SELECT id FROM organisations WHERE code = 'cur'),
              'Asia/Novosibirsk', now(), now(), current_date, now() + interval '30 days', 'test', 'x'
         FROM pairs`,
    );
    appeals = (
      await sql<{ id: string }>(`SELECT id FROM appeals WHERE external_id LIKE 'plf-%' ORDER BY external_id`)
    ).map((r) => r.id);
    [{ id: cur }] = await sql<{ id: string }>(`SELECT id FROM organisations WHERE code = 'cur'`);
    [{ id: other }] = await sql<{ id: string }>(
      `SELECT id FROM organisations WHERE id <> $1 ORDER BY code LIMIT 1`,
      [cur],
    );
    // As registration leaves it: the responsible organisation listed with the appeal (the first two appeals).
    await sql(`UPDATE appeals SET part_organisation_ids = ARRAY[$1::uuid] WHERE id = ANY ($2)`, [
      cur,
      appeals.slice(0, 2),
    ]);
    // Every UPDATE statement on appeals, counted (a statement trigger fires even when no row changes).
    await sql(`
      CREATE TABLE test_appeal_updates (n integer NOT NULL DEFAULT 1);
      CREATE FUNCTION test_appeal_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO test_appeal_updates DEFAULT VALUES; RETURN NULL; END $$;
      CREATE TRIGGER test_appeal_updates AFTER UPDATE ON appeals FOR EACH STATEMENT EXECUTE FUNCTION test_appeal_update();
    `);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const updates = async () => {
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM test_appeal_updates`);
    await sql(`DELETE FROM test_appeal_updates`);
    return n;
  };
  const listed = async (id: string) =>
    (await sql<{ ids: string[] }>(`SELECT part_organisation_ids AS ids FROM appeals WHERE id = $1`, [id]))[0]
      .ids;
  const addPart = (appealId: string, organisationId: string) =>
    sql(`INSERT INTO appeal_organisations (appeal_id, organisation_id) VALUES ($1, $2)`, [
      appealId,
      organisationId,
    ]);

  it('runs no UPDATE of appeals for a part the appeal already lists', async () => {
    await updates();
    await sql(`INSERT INTO appeal_organisations (appeal_id, organisation_id) SELECT unnest($1::uuid[]), $2`, [
      appeals.slice(0, 2),
      cur,
    ]);
    expect(await updates()).toBe(0);
    expect(await listed(appeals[0])).toEqual([cur]);
  });

  it('adds an organisation the appeal does not list, and a removed part leaves the list', async () => {
    await addPart(appeals[0], other);
    expect(await updates()).toBe(1);
    expect([...(await listed(appeals[0]))].sort()).toEqual([cur, other].sort());
    await addPart(appeals[2], other);
    expect(await listed(appeals[2])).toEqual([other]);
    await sql(`DELETE FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2`, [
      appeals[0],
      other,
    ]);
    expect(await listed(appeals[0])).toEqual([cur]);
  });

  it('is undone and redone by the migration', async () => {
    const runner = db.dataSource.createQueryRunner();
    try {
      await new PartListedLooksFirst1796205000000().down(runner);
      await updates();
      await addPart(appeals[1], other);
      await sql(`DELETE FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2`, [
        appeals[1],
        other,
      ]);
      await updates();
      // The first form: an UPDATE statement that finds nothing, for a part already listed.
      await sql(`DELETE FROM appeal_organisations WHERE appeal_id = $1`, [appeals[1]]);
      await sql(`UPDATE appeals SET part_organisation_ids = ARRAY[$1::uuid] WHERE id = $2`, [
        cur,
        appeals[1],
      ]);
      await updates();
      await addPart(appeals[1], cur);
      expect(await updates()).toBe(1);
      await new PartListedLooksFirst1796205000000().up(runner);
      await sql(`DELETE FROM appeal_organisations WHERE appeal_id = $1`, [appeals[1]]);
      await sql(`UPDATE appeals SET part_organisation_ids = ARRAY[$1::uuid] WHERE id = $2`, [
        cur,
        appeals[1],
      ]);
      await updates();
      await addPart(appeals[1], cur);
      expect(await updates()).toBe(0);
      expect(await listed(appeals[1])).toEqual([cur]);
    } finally {
      await runner.release();
    }
  });
});
