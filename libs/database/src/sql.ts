import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '@inbox/common';

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
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  run<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
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
