/**
 * Text that Postgres and every reader downstream can hold: no NUL character (text and jsonb refuse it) and
 * no lone UTF-16 surrogate (not a character at all; UTF-8 cannot encode it). Checked once at the edge, so a
 * request carrying either is a clear 400 naming the field, never a 500 from the database.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isSafeText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

/**
 * The paths (`applicant.surname`, `ids.2`, a key itself) of every string in a parsed request value that is
 * not safe text. Walks plain objects and arrays only (a Buffer or a Date is data, not text), to a bounded
 * depth.
 */
export function unsafeTextPaths(value: unknown, prefix = '', depth = 0): string[] {
  if (typeof value === 'string') return isSafeText(value) ? [] : [prefix || 'value'];
  if (depth > 32 || value === null || typeof value !== 'object') return [];
  if (Buffer.isBuffer(value) || value instanceof Date || ArrayBuffer.isView(value)) return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!isSafeText(key)) out.push(path);
    out.push(...unsafeTextPaths(child, path, depth + 1));
  }
  return out;
}

/**
 * Whether a parsed request value nests objects or arrays more than `limit` levels deep. A JSON body of a
 * megabyte can nest half a million levels; class-transformer walks it recursively and overflows the stack (a
 * 500 for every endpoint with a body, anonymous sign-in included). Looks no deeper than `limit + 1`.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Buffer.isBuffer(value) || value instanceof Date || ArrayBuffer.isView(value)) return false;
  if (limit <= 0) return true;
  return Object.values(value).some((child) => nestedDeeperThan(child, limit - 1));
}

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/**
 * `value` with every string (keys included) made safe text: NUL dropped, a lone surrogate replaced by U+FFFD.
 * For what a remote side sends and we store as we got it (a channel's item): one such character must not fail the
 * insert of a whole page, and with it the page's cursor, so that the account stops at that item for good.
 */
export function toSafeText<T>(value: T, depth = 0): T {
  if (typeof value === 'string') {
    return (
      isSafeText(value) ? value : value.replaceAll('\u0000', '').replace(LONE_SURROGATES, '\uFFFD')
    ) as T;
  }
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value) || value instanceof Date || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map((v) => toSafeText(v, depth + 1)) as T;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [toSafeText(k), toSafeText(v, depth + 1)]),
  ) as T;
}
