import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { type Response } from 'express';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import {
  conflictError,
  DomainError,
  type DomainErrorCode,
  invalidInput,
  notFoundError,
  rootLogger,
} from '@inbox/common';

const STATUS: Record<DomainErrorCode, number> = {
  'invalid-input': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  gone: 410,
  'too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  unavailable: 503,
};

export const httpStatusOf = (code: DomainErrorCode): number => STATUS[code];

const log = rootLogger.child('api-errors');

/** Postgres's SQLSTATEs for "not now": connection exceptions (08), shutting down or starting (57P01-57P03), out of
 * resources (53: disk full, out of memory, too many connections), a serialization failure or a deadlock (40001,
 * 40P01), its disk failing a read or write (58030, EIO), a server taking no writes (25006: a standby that a
 * failover left at the address, an administrator's default_transaction_read_only; we open no read-only
 * transaction of our own) — the transaction was rolled back whole, and the same request will do later. */
const DATABASE_AWAY_STATE = /^(08[0-9A-Z]{3}|57P0[1-3]|53[0-9A-Z]{3}|40001|40P01|58030|25006)$/;
/**
 * Postgres files EROFS under "insufficient privilege" (42501) with the system's words: its disk remounted
 * read-only (the kernel does so on a disk error) is a fault of the machine, not a grant missing in our schema.
 */
const READ_ONLY_DISK = /Read-only file system/;
/** The driver's own words for a database it cannot reach or lost mid-query (no SQLSTATE then). */
const DATABASE_AWAY_NODE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const DATABASE_AWAY_TEXT =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * Redis refusing for now (ioredis's words): out of memory under `noeviction`, loading its data after a restart, a
 * replica made read-only by a failover, a MULTI discarded for one of those, a snapshot failing (MISCONF), or the
 * connection gone past ioredis's retries.
 */
const QUEUE_AWAY_TEXT =
  /^(OOM command not allowed|LOADING |READONLY |MISCONF |BUSY |TRYAGAIN|CLUSTERDOWN|EXECABORT |Connection is closed|Reached the max retries per request limit|Stream isn't writeable)/;

function queueAway(error: unknown): boolean {
  const e = (error && typeof error === 'object' ? error : {}) as { name?: unknown; message?: unknown };
  if (e.name === 'MaxRetriesPerRequestError') return true;
  return typeof e.message === 'string' && QUEUE_AWAY_TEXT.test(e.message);
}

/**
 * The database is away (restarting, unreachable, out of disk) or refused this transaction for now: nothing of the
 * request was kept, and the caller should try again — a 503 with Retry-After, as the web client and every channel
 * that posts to us (Telegram, VK, OK webhooks) retry it, rather than a 500 that says the request itself broke.
 */
function databaseAway(error: unknown): boolean {
  const e = (error && typeof error === 'object' ? error : {}) as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
  };
  if (e.driverError && e.driverError !== error && databaseAway(e.driverError)) return true;
  // TypeORM gives a transaction's connection up the moment the server cuts it between two statements (a restart,
  // a crash: 57P01 arrives as the connection's 'error' event, not as a statement's); the next statement of the
  // transaction then fails with these, which name no code. The transaction died with its connection.
  if (
    error instanceof QueryRunnerAlreadyReleasedError ||
    error instanceof QueryRunnerProviderAlreadyReleasedError
  )
    return true;
  if (typeof e.code === 'string' && (DATABASE_AWAY_STATE.test(e.code) || DATABASE_AWAY_NODE.has(e.code)))
    return true;
  if (e.code === '42501' && typeof e.message === 'string' && READ_ONLY_DISK.test(e.message)) return true;
  return typeof e.message === 'string' && DATABASE_AWAY_TEXT.test(e.message);
}

/**
 * Postgres refusing a value can only be about what the caller sent: a "data exception" (SQLSTATE class 22: the
 * wrong type, out of range, an impossible date, an untranslatable character) or an integrity rule (23: an id
 * that names nothing, a missing value, a duplicate). The edge checks first (validation, SafeTextPipe, typed
 * cursors, services); this is the net under them, so a miss is still the caller's 4xx, not our 500.
 */
function fromDatabase(error: unknown): DomainError | undefined {
  if (databaseAway(error) || queueAway(error))
    return new DomainError(
      'unavailable',
      'Сервис временно недоступен. Повторите попытку через минуту.',
      undefined,
      30,
    );
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (/^22[0-9A-Z]{3}$/.test(code)) return invalidInput('Некорректные данные в запросе');
  if (code === '23505') return conflictError('Такая запись уже есть');
  if (code === '23503') return invalidInput('Запрос ссылается на несуществующую запись');
  if (code === '23502' || code === '23514') return invalidInput('Запрос не заполнен как требуется');
  return undefined;
}

/**
 * What the framework refuses before our code runs, in the one error model and in Russian: a body the JSON parser
 * cannot read (Nest hands it over as a 400 carrying the parser's message, which quotes the caller's bytes), an
 * unknown route (Nest's «Cannot GET /…»), and body-parser's own refusals (http-errors with a 4xx `status`, which
 * are no HttpException: a body over the limit was answered as a 500 «internal» and logged as unhandled).
 */
function fromFramework(error: unknown): DomainError | undefined {
  let status: number | undefined;
  if (error instanceof HttpException) status = error.getStatus();
  else {
    const e = error as { status?: unknown; expose?: unknown } | null;
    if (e && typeof e.status === 'number' && e.expose === true) status = e.status;
  }
  switch (status) {
    case 400:
      return invalidInput('Некорректный запрос: тело запроса не удалось прочитать');
    case 404:
      return notFoundError('Не найдено');
    case 413:
      return new DomainError('too-large', 'Запрос слишком большой');
    case 415:
      return new DomainError('unsupported-media-type', 'Тип или кодировка тела запроса не поддерживаются');
    default:
      return status !== undefined && status >= 400 && status < 500 && !(error instanceof HttpException)
        ? invalidInput('Некорректный запрос')
        : undefined;
  }
}

/**
 * The one place an error becomes an HTTP answer: a domain refusal by its code (`{ statusCode, code, message,
 * errors? }`, `Retry-After` with `rate-limited`), Nest's own HTTP exceptions as they are, anything else a 500
 * whose details go to the log (by name and SQLSTATE only: messages may quote the caller's data).
 */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      // A stream already under way (server-sent events): nothing more can be said on it.
      res.end();
      return;
    }
    const domain = error instanceof DomainError ? error : (fromDatabase(error) ?? fromFramework(error));
    if (domain) {
      const statusCode = STATUS[domain.code];
      if (domain.retryAfterSeconds !== undefined)
        res.setHeader('Retry-After', String(domain.retryAfterSeconds));
      res.status(statusCode).json({
        statusCode,
        code: domain.code,
        message: domain.message,
        ...(domain.errors ? { errors: domain.errors } : {}),
      });
      return;
    }
    if (error instanceof HttpException) {
      const body = error.getResponse();
      res
        .status(error.getStatus())
        .json(typeof body === 'string' ? { statusCode: error.getStatus(), message: body } : body);
      return;
    }
    const request = host.switchToHttp().getRequest<{ method?: string; route?: { path?: string } }>();
    log.error('unhandled error', {
      errorName: (error as Error | null)?.name,
      sqlState: (error as { code?: unknown } | null)?.code,
      method: request?.method,
      route: request?.route?.path,
    });
    res.status(500).json({ statusCode: 500, code: 'internal', message: 'Внутренняя ошибка сервера' });
  }
}
