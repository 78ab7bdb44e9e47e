import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A session-level advisory lock held on one connection until `release`. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Postgres advisory locks for work one worker at a time may do (a pull per account, the history outbox, a
 * rubricator sync, a kind of feed action, a classifier retraining). Session-level: held on one connection across statements and
 * transactions, released explicitly.
 */
@Injectable()
export class AdvisoryLocks {
  constructor(private readonly dataSource: DataSource) {}

  /** The lock, or undefined when another process holds it now. */
  async tryLock(key: string): Promise<HeldLock | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [key],
      )) as { locked: boolean }[];
      if (!locked) {
        await runner.release();
        return undefined;
      }
    } catch (error) {
      await runner.release();
      throw error;
    }
    return {
      release: async () => {
        try {
          await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]);
        } finally {
          await runner.release();
        }
      },
    };
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
}
