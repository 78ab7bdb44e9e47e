import { invalidInput } from './domain-error';
import { UUID } from './ids';

/** Opaque cursors for keyset pagination: base64url of a small JSON tuple. */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): unknown[] | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Postgres timestamptz holds years 4713 BC to 294276 AD; a cursor needs far less. */
const MAX_CURSOR_YEAR = 9999;

/** An instant as a cursor carries it: ISO 8601 in UTC with up to microseconds (what Postgres stores). */
const CURSOR_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/**
 * The SQL text of a timestamptz column as a cursor carries it, to the microsecond. A JavaScript Date keeps only
 * milliseconds, so a cursor made from one repeats or skips rows whose times differ below the millisecond (any
 * row stamped by the database's now()); the page's last row gives this text instead, and the next page compares
 * with it cast back (`$n::timestamptz`), exact on both sides.
 */
export function cursorInstantSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/**
 * The usual keyset cursor, `[ISO instant, uuid]`, checked before it reaches SQL: anything else (a quote, an
 * impossible date, another shape) is `invalid-input` naming the `cursor` field, never a database error. `atText`
 * is the instant exactly as carried (microseconds included, see cursorInstantSql) for the keyset comparison;
 * `at` is the same instant to the millisecond.
 */
export function decodeTimeIdCursor(cursor: string): { at: Date; atText: string; id: string } {
  const decoded = decodeCursor(cursor);
  const atText = typeof decoded?.[0] === 'string' ? decoded[0] : undefined;
  const at = atText !== undefined ? new Date(atText) : undefined;
  const id = decoded?.[1];
  if (
    !decoded ||
    decoded.length !== 2 ||
    !at ||
    !atText ||
    !CURSOR_INSTANT.test(atText) ||
    Number.isNaN(at.getTime()) ||
    at.getUTCFullYear() < 1 ||
    at.getUTCFullYear() > MAX_CURSOR_YEAR ||
    typeof id !== 'string' ||
    !UUID.test(id)
  ) {
    throw invalidInput('Некорректный курсор постраничного вывода', { cursor: 'Некорректный курсор' });
  }
  return { at, atText, id };
}

/**
 * The rows of a raw query. TypeORM's `query()` answers an UPDATE or DELETE with `[rows, affectedCount]`
 * instead of the rows; this unwraps that so `UPDATE … RETURNING` can be read like a SELECT.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}
