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

/**
 * The usual keyset cursor, `[ISO instant, uuid]`, checked before it reaches SQL: anything else (a quote, an
 * impossible date, another shape) is `invalid-input` naming the `cursor` field, never a database error.
 */
export function decodeTimeIdCursor(cursor: string): { at: Date; id: string } {
  const decoded = decodeCursor(cursor);
  const at = typeof decoded?.[0] === 'string' ? new Date(decoded[0]) : undefined;
  const id = decoded?.[1];
  if (
    !decoded ||
    decoded.length !== 2 ||
    !at ||
    Number.isNaN(at.getTime()) ||
    at.getUTCFullYear() < 1 ||
    at.getUTCFullYear() > MAX_CURSOR_YEAR ||
    typeof id !== 'string' ||
    !UUID.test(id)
  ) {
    throw invalidInput('Некорректный курсор постраничного вывода', { cursor: 'Некорректный курсор' });
  }
  return { at, id };
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
