import { Module } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { createTestContext, type TestContext } from '../support/test-context';

@Module({ imports: [ConfigModule, DatabaseModule.forRoot()] })
class WorkerPoolModule {}

/**
 * A worker frozen mid-transaction (a paused VM, an event loop stuck) or cut off from the database without a FIN
 * (its machine gone, a firewall's state lost) kept its transaction open on the server with every lock it held — a
 * thread's advisory lock, an outbox consumer's turn, claimed rows — and every other worker waited on them for as long
 * as the server kept the connection (its TCP keepalive: two hours by default). Our sessions now start with an
 * idle-in-transaction timeout and short server-side keepalives.
 */
describe('a session left idle inside a transaction (integration)', () => {
  let t: TestContext;

  beforeAll(async () => {
    t = await createTestContext(WorkerPoolModule, 'idle-tx', { PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    await t?.ctx.close();
    await t?.db.drop();
    delete process.env.PG_IDLE_IN_TRANSACTION_TIMEOUT_MS;
  });

  it('lets go of its locks once it has been idle longer than the timeout', async () => {
    const frozen = t.ctx.get(DataSource).createQueryRunner();
    await frozen.connect();
    await frozen.startTransaction();
    await frozen.query(`SELECT pg_advisory_xact_lock(727073777)`);
    // …and nothing more from it, as from a frozen process.

    const other = new Client({ connectionString: t.db.url });
    await other.connect();
    try {
      // Without the idle timeout (1 s here) the lock is never let go: this waits out its lock_timeout and fails.
      await other.query(`SET lock_timeout = '30s'`);
      await other.query(`BEGIN`);
      await other.query(`SELECT pg_advisory_xact_lock(727073777)`);
      await other.query(`COMMIT`);
      // It was let go because the server ended the idle session: the frozen one cannot go on.
      await expect(frozen.query(`SELECT 1`)).rejects.toThrow();
    } finally {
      await other.end();
      await frozen.release().catch(() => undefined);
    }
  });

  it('has the server probe a quiet connection after 30 s', async () => {
    const runner = t.ctx.get(DataSource).createQueryRunner();
    await runner.connect();
    try {
      const rows = (await runner.query(
        `SELECT current_setting('tcp_keepalives_idle') AS idle, current_setting('tcp_keepalives_count') AS count`,
      )) as { idle: string; count: string }[];
      expect(rows[0]).toEqual({ idle: '30', count: '3' });
    } finally {
      await runner.release();
    }
  });
});
