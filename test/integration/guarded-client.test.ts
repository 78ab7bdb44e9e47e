import { type PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { GuardedClient } from '@inbox/database';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * A connection the server cuts (a Postgres restart: 57P01) while nobody listens on it must not end the process:
 * pg emits the cut as an 'error' event, and an 'error' event without a listener is an uncaught exception — the
 * worker died that way in the fault suite's Postgres restart and registered nothing more.
 */
describe('database connections cut by the server (integration)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('pools GuardedClient connections, and one cut with no other listener fails quietly', async () => {
    const pool = (db.dataSource.driver as PostgresDriver).master as { Client?: unknown };
    expect(pool.Client).toBe(GuardedClient);

    const client = new GuardedClient(db.url);
    await client.connect();
    const [{ pid }] = (await client.query(`SELECT pg_backend_pid() AS pid`)).rows as { pid: number }[];
    const failed = new Promise<Error>((resolve) => client.once('error', resolve));
    await db.dataSource.query(`SELECT pg_terminate_backend($1)`, [pid]);
    expect((await failed).message).toMatch(/terminating connection/);
    // Still alive, and the client's own listener stays for whatever else the dead connection says.
    expect(client.listenerCount('error')).toBe(1);
    await client.end().catch(() => undefined);
  });
});
