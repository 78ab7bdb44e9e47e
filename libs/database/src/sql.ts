import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { GuardedClient } from './guarded-client';

/**
 * Where a repository runs a statement: the pool (`dataSource.manager`) or a transaction's manager, so a
 * service can put several repositories' writes in one transaction.
 */
export type Db = EntityManager;

/** The rows of a statement, typed by the caller (an `UPDATE … RETURNING` reads like a SELECT). */
export async function queryRows<T>(db: Db, sql: string, params: unknown[] = []): Promise<T[]> {
  return rowsOf<T>(await db.query(sql, params));
}

/** The first row of a statement, or undefined. */
export async function queryOne<T>(db: Db, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await queryRows<T>(db, sql, params))[0];
}

/**
 * Adds conditions to `where` over one parameter list: `add('x = ?', value)` pushes the value and numbers its
 * `?`. The list may already hold parameters (the scope helpers push their own).
 */
export function conditionAdder(params: unknown[], where: string[]): (sql: string, value: unknown) => void {
  return (sql, value) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
}

/** `WHERE` and the conditions AND-ed, or nothing when there are none. */
export function whereClause(where: readonly string[]): string {
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

/** The number a `SELECT count(*)::int AS n …` answers. */
export async function queryCount(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  return (await queryRows<{ n: number }>(db, sql, params))[0].n;
}

/**
 * The base of every repository: the pool by default, a transaction when a service passes one in, and
 * `transaction()` for a service that writes through several repositories at once.
 */
export abstract class SqlRepository {
  constructor(@Inject(DataSource) protected readonly dataSource: DataSource) {}

  protected get pool(): Db {
    return this.dataSource.manager;
  }

  protected rows<T>(sql: string, params: unknown[] = [], db: Db = this.pool): Promise<T[]> {
    return queryRows<T>(db, sql, params);
  }

  protected one<T>(sql: string, params: unknown[] = [], db: Db = this.pool): Promise<T | undefined> {
    return queryOne<T>(db, sql, params);
  }
}

/** One transaction for a service that writes through several repositories (each takes the `Db`). */
@Injectable()
export class Transactions {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  run<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * A transaction for long work that is legitimate (a report over years of appeals, the classifier's training
   * reads): its statements have the long bounds (AppConfig.pgLongStatementTimeoutMs, on the server and in the
   * client) instead of the pool's, which would cancel them as stuck. Read-only work by convention; the one
   * writer is the fold of the count deltas (Reports.foldCounts), whose size is that of an import or a fill.
   */
  runLong<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      const client = (await tx.queryRunner!.connect()) as unknown;
      const guarded = client instanceof GuardedClient ? client : undefined;
      if (guarded) guarded.longReadTimeoutMs = this.config.pgLongQueryTimeoutMs;
      try {
        await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [
          String(this.config.pgLongStatementTimeoutMs),
        ]);
        return await work(tx);
      } finally {
        if (guarded) guarded.longReadTimeoutMs = undefined;
      }
    });
  }

  /**
   * A transaction whose commit does not wait for its WAL to reach the disk (`SET LOCAL synchronous_commit =
   * off`, this transaction only). A crash of Postgres within a moment of the commit (up to three times
   * `wal_writer_delay`) may then lose it, never half of it and never out of order: a later transaction that
   * waits for its own flush makes every earlier one durable too. Only for work that is derived from durable
   * state and taken up again when its result is missing — the caller says why that holds. Never for what
   * records an arrival or an act toward the outside world (a registration, a receipt of a send).
   */
  runRedoable<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SET LOCAL synchronous_commit = off`);
      return work(tx);
    });
  }
}

/** Is Postgres answering? For /health. */
@Injectable()
export class DatabaseHealth {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}

/** The `settings` key–value table: values shared by every process (a generated secret, a sync watermark). */
@Injectable()
export class Settings extends SqlRepository {
  async get(key: string, db: Db = this.pool): Promise<string | undefined> {
    return (await this.one<{ value: string }>(`SELECT value FROM settings WHERE key = $1`, [key], db))?.value;
  }

  /** Stores the value unless the key has one; returns the value that holds afterwards (first writer wins). */
  async getOrInit(key: string, value: string, db: Db = this.pool): Promise<string> {
    await this.rows(
      `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
      [key, value],
      db,
    );
    return (await this.get(key, db))!;
  }

  async set(key: string, value: string, db: Db = this.pool): Promise<void> {
    await this.rows(
      `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [key, value],
      db,
    );
  }
}
