import { Client, type ClientConfig } from 'pg';
import { rootLogger } from '@inbox/common';

const log = rootLogger.child('database');

/** pg's own message when `query_timeout` passes without the server's answer. */
const READ_TIMEOUT = 'Query read timeout';

/** pg reads a query_timeout of 0 as "the pool's": no limit is the longest a timer may wait (24.8 days). */
const NEVER = 2 ** 31 - 1;

type QueryFn = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * The pool's connections, each with an 'error' listener of its own. A restarting Postgres cuts every connection
 * (57P01, "terminating connection due to administrator command"); pg emits that as an 'error' event on the client,
 * and a connection that nobody listens to at that moment — one TypeORM has just given back after its own error,
 * between its listener and the pool's — turned it into an uncaught exception that killed the worker, which then
 * registered nothing more (the fault suite's Postgres restart). The pool and TypeORM still see every error and
 * drop the broken connection; this only keeps a stray one from ending the process.
 *
 * A statement whose answer does not come within the pool's `query_timeout` (AppConfig.pgQueryTimeoutMs) fails in
 * pg, but pg keeps the connection, its statement still marked active: every later statement queued behind it
 * and the pool handed it out again and again. The connection is closed here instead, so that the pool drops it
 * and the job that failed runs again on a fresh one. Long work (Transactions.runLong) waits longer.
 */
export class GuardedClient extends Client {
  /** While long work runs on this connection: how long its statements wait for their answer. */
  longReadTimeoutMs: number | undefined;

  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', (error: Error & { code?: string }) =>
      log.warn('database connection failed', { code: error.code, reason: error.message }),
    );
    const query = (this.query as QueryFn).bind(this);
    (this as unknown as { query: QueryFn }).query = (config, values, callback) => {
      const long = this.longReadTimeoutMs;
      const result = query(
        long !== undefined && typeof config === 'string'
          ? { text: config, query_timeout: long || NEVER }
          : config,
        values,
        callback,
      );
      if (!(result instanceof Promise)) return result;
      return result.catch((error: unknown) => {
        if (error instanceof Error && error.message === READ_TIMEOUT) this.abandon();
        throw error;
      });
    };
  }

  /** Closes a connection whose server stopped answering: no goodbye, that would wait on the same silence. */
  private abandon(): void {
    log.warn('database connection closed: no answer within the query timeout');
    (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }
}
