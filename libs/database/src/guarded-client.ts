import { Client, type ClientConfig } from 'pg';
import { rootLogger } from '@inbox/common';

const log = rootLogger.child('database');

/**
 * The pool's connections, each with an 'error' listener of its own. A restarting Postgres cuts every connection
 * (57P01, "terminating connection due to administrator command"); pg emits that as an 'error' event on the client,
 * and a connection that nobody listens to at that moment — one TypeORM has just given back after its own error,
 * between its listener and the pool's — turned it into an uncaught exception that killed the worker, which then
 * registered nothing more (the fault suite's Postgres restart). The pool and TypeORM still see every error and
 * drop the broken connection; this only keeps a stray one from ending the process.
 */
export class GuardedClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', (error: Error & { code?: string }) =>
      log.warn('database connection failed', { code: error.code, reason: error.message }),
    );
  }
}
