import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const FIXTURES = resolve(__dirname, '../fixtures');

/** A JSON file as text, BOM and all. */
export function readText(dir: string, name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readJson(dir: string, name: string): Record<string, any> {
  return JSON.parse(readText(dir, name).replace(/^\uFEFF/, ''));
}

/**
 * The shape of a JSON value: objects by their keys, arrays by the shape of their first element, scalars by type.
 * Paths listed in `ignore` (dotted, `[]` for array elements) are free-form and left out.
 */
export function shapeOf(value: unknown, ignore: string[] = [], at = ''): unknown {
  if (ignore.includes(at)) return 'free-form';
  if (Array.isArray(value)) return value.length ? [shapeOf(value[0], ignore, `${at}[]`)] : [];
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [
          key,
          shapeOf((value as Record<string, unknown>)[key], ignore, at ? `${at}.${key}` : key),
        ]),
    );
  }
  return value === null ? 'null' : typeof value;
}
