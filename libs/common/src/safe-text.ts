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
