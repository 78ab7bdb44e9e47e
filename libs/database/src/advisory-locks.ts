import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { DataSource } from 'typeorm';
import { type PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { rootLogger } from '@inbox/common';

const log = rootLogger.child('database');

/** A session-level advisory lock held on one connection until `release`. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Postgres advisory locks for work one worker at a time may do (a pull per account, the history outbox, a
 * rubricator sync, a kind of feed action, a classifier retraining). Session-level: held on one connection across statements and
 * transactions, released explicitly.
 *
 * That connection is never one of the data source's pool: the work under a lock takes its connections from the
 * pool, and a holder waiting for one while holding one of the pool's own stalls for good once the holders fill it
 * (one per pull account: with as many pulled accounts as the pool has connections, nothing in the worker ran again).
 * The locks have a pool of their own (the data source's connection settings); a taker waiting for one of its
 * connections holds nothing meanwhile.
 */
@Injectable()
export class AdvisoryLocks implements OnApplicationShutdown {
  /** Locks held at once by a process, at most; a further taker waits for one to be released. */
  static readonly MAX_HELD = 10;
  private connections?: Pool;

  constructor(private readonly dataSource: DataSource) {}

  /** The lock, or undefined when another process holds it now. */
  async tryLock(key: string): Promise<HeldLock | undefined> {
    const connection = await this.lockConnections().connect();
    try {
      const { rows } = await connection.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [key],
      );
      if (!rows[0].locked) {
        connection.release();
        return undefined;
      }
    } catch (error) {
      connection.release(errorOf(error));
      throw error;
    }
    return { release: () => unlock(connection, key) };
  }

  /** Runs `work` under the lock; undefined (and nothing run) when another process holds it. */
  async withLock<T>(key: string, work: () => Promise<T>): Promise<{ value: T } | undefined> {
    const lock = await this.tryLock(key);
    if (!lock) return undefined;
    try {
      return { value: await work() };
    } finally {
      await lock.release();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const connections = this.connections;
    this.connections = undefined;
    await connections?.end();
  }

  private lockConnections(): Pool {
    if (!this.connections) {
      // The data source's own settings (URL, SSL, the guarded client, the application name), in a pool of its own.
      const settings = (this.dataSource.driver as PostgresDriver).master.options as PoolConfig;
      const pool = new Pool({ ...settings, max: AdvisoryLocks.MAX_HELD, idleTimeoutMillis: 10_000 });
      // An idle connection cut by the server: the pool drops it; unheard, the event would end the process.
      pool.on('error', (error: Error & { code?: string }) =>
        log.warn('advisory lock connection failed', { code: error.code, reason: error.message }),
      );
      this.connections = pool;
    }
    return this.connections;
  }
}

/** Unlocks and gives the connection back; a connection that fails to unlock is closed, which ends its locks too. */
async function unlock(connection: PoolClient, key: string): Promise<void> {
  try {
    await connection.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]);
  } catch (error) {
    connection.release(errorOf(error));
    throw error;
  }
  connection.release();
}

function errorOf(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
