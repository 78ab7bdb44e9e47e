import { notFoundError } from './domain-error';

/** A UUID in its canonical text form (any version): ids from outside are checked before they reach SQL. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/**
 * What `load` finds by an id from outside, else the not-found error (`notFoundError(message)`, or the one
 * given) thrown. An id that is not a UUID is not looked up, Postgres would refuse it, but is as missing.
 */
export async function foundById<T>(
  id: string,
  load: (id: string) => Promise<T | undefined>,
  notFound: string | (() => Error),
): Promise<T> {
  const row = UUID.test(id) ? await load(id) : undefined;
  if (!row) throw typeof notFound === 'string' ? notFoundError(notFound) : notFound();
  return row;
}
