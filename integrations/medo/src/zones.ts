/**
 * Dates in a time zone by one formatter per zone, built once: constructing an `Intl.DateTimeFormat` costs far more
 * than formatting with one (a МЭДО receipt asked for three per send). An unknown zone is remembered too. The cache
 * is emptied when it holds MAX_ZONES (zones come from settings and stored appeals: a handful).
 */
const MAX_ZONES = 1000;
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterOf(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f !== undefined) return f;
  try {
    // en-CA formats as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  } catch {
    f = null;
  }
  if (formatters.size >= MAX_ZONES) formatters.clear();
  formatters.set(timeZone, f);
  return f;
}

/** Whether the runtime knows the IANA zone. */
export function isKnownZone(timeZone: string): boolean {
  return formatterOf(timeZone) !== null;
}

/** The date (YYYY-MM-DD) in the zone; throws a RangeError for a zone the runtime does not know. */
export function localDate(date: Date, timeZone: string): string {
  const f = formatterOf(timeZone);
  if (!f) throw new RangeError(`Invalid time zone specified: ${timeZone}`);
  return f.format(date);
}
