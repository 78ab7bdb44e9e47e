/**
 * An instant as a remote system writes it, in epoch milliseconds: ISO 8601; epoch milliseconds or seconds (a
 * number, or digits as PHP's time() gives them); a Jackson LocalDateTime array `[y, m, d, h, min, s, nanos]`;
 * the Russian `DD.MM.YYYY[ HH:mm[:ss]]` (Bitrix, 1С, ПОС exports), which Date.parse silently reads month first
 * (01.02.2025 as 2 January) or not at all. A form without a zone takes `zoneOffset` (`+03:00`) when given, else
 * the process's zone as Date.parse does for zone-less ISO; so does an RFC 2822 time without its zone. Undefined for
 * anything else, and for an instant outside the years 0001–9999 (ISO 8601's four-digit years, what `toISOString` and
 * Postgres write back): an epoch of 8.7e15 is past what a Date holds, and its `toISOString` threw a RangeError.
 */
export function instantMsOf(value: unknown, zoneOffset?: string): number | undefined {
  const ms =
    typeof value === 'string' && ZONED_WALL.test(value)
      ? wallInNamedZone(value)
      : readInstantMs(value, zoneOffset);
  return ms !== undefined && isWritableInstant(ms) ? ms : undefined;
}

/** Whether an instant in epoch milliseconds lies in the years 0001–9999 (see instantMsOf); false for NaN. */
export function isWritableInstant(ms: number): boolean {
  return ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;
}

/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
const MIN_INSTANT_MS = -62_135_596_800_000;
const MAX_INSTANT_MS = 253_402_300_799_999;

/**
 * Russian zones by the abbreviations Java's Date.toString, 1С and old mailers write («MSK»), which Date.parse does not
 * know (it knows GMT, UTC and the United States' zones).
 */
export const RUSSIAN_ZONES: Readonly<Record<string, string>> = {
  KALT: '+02:00',
  MSK: '+03:00',
  MSD: '+04:00',
  SAMT: '+04:00',
  YEKT: '+05:00',
  OMST: '+06:00',
  NOVT: '+07:00',
  KRAT: '+07:00',
  IRKT: '+08:00',
  YAKT: '+09:00',
  VLAT: '+10:00',
  MAGT: '+11:00',
  PETT: '+12:00',
};

/** Java's Date.toString: «Sun Mar 01 10:00:00 MSK 2026». */
const JAVA_DATE = /^[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{2}:\d{2}:\d{2}) ([A-Z]{3,4}) (\d{4})$/;

/**
 * A wall time with a zone's name and no offset (`2026-03-01T10:00:00[Europe/Moscow]`: Java's ZonedDateTime printed
 * by a pattern without its offset, or a LocalDateTime beside its ZoneId): read in that zone, whatever the caller's
 * default. A zone the runtime does not know gives no instant, not a guess.
 */
const ZONED_WALL =
  /^\s*(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*\[([A-Za-z0-9_/+-]{1,64})\]\s*$/;

function wallInNamedZone(value: string): number | undefined {
  const [, wall, zone] = ZONED_WALL.exec(value) ?? [];
  return wall && zone ? instantMsInZone(wall, zone) : undefined;
}

/**
 * ISO 8601 as other writers spell it, in the form Date.parse takes: PostgreSQL's text output of a timestamptz
 * (`2025-03-03 10:00:00.123+03`: the offset in hours alone, which Date.parse refuses), Java's ZonedDateTime.toString
 * (`…+03:00[Europe/Moscow]`: the region after the offset says nothing more), and blanks around the value.
 */
function isoSpelling(value: string): string {
  return value
    .trim()
    .replace(
      /^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s+([A-Z]{3,4})$/,
      (whole, wall: string, zone: string) => (RUSSIAN_ZONES[zone] ? `${wall}${RUSSIAN_ZONES[zone]}` : whole),
    )
    .replace(/^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*([+-]\d{2})$/, '$1$2:00')
    .replace(/^(\d{4}-\d{2}-\d{2}T[^[\s]+(?:Z|[+-]\d{2}:?\d{2}))\[[A-Za-z0-9_/+-]{1,64}\]$/, '$1');
}

function readInstantMs(raw: unknown, zoneOffset?: string): number | undefined {
  const value = typeof raw === 'string' ? isoSpelling(raw) : raw;
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d{9,13}(?:\.\d+)?\s*$/.test(value))) {
    const n = Number(value);
    // Fractions of a second as Python's time.time() writes them; whole milliseconds.
    if (!Number.isFinite(n) || n <= 0) return undefined;
    return Math.round(n >= 1e11 ? n : n * 1000);
  }
  const zone = zoneOffset ?? '';
  if (Array.isArray(value)) {
    if (value.length < 3 || value.length > 7) return undefined;
    const [y, mo, d, h = 0, mi = 0, sec = 0, nanos = 0] = value.map(Number);
    if (![y, mo, d, h, mi, sec, nanos].every(Number.isInteger)) return undefined;
    return checked(
      y,
      mo,
      d,
      `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(sec)}.${pad(Math.floor(nanos / 1e6), 3)}${zone}`,
    );
  }
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  // Day first (01.02.2025, Russian), or year first with slashes (2025/02/01): the month where the writer put it, with
  // the offset written after it when there is one (Date.parse read «01.03.2026 10:00 +03:00» as 3 January).
  const russian =
    /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?$/.exec(
      value.trim(),
    );
  const slashed =
    /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?$/.exec(
      value.trim(),
    );
  if (russian || slashed) {
    const parts = (russian ?? slashed)!;
    const [first, second, third, h, mi, sec] = parts.slice(1, 7).map((part) => Number(part ?? 0));
    const [y, mo, d] = russian ? [third, second, first] : [first, second, third];
    const given = parts[7] ? offsetOf(parts[7]) : zone;
    return checked(y, mo, d, `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(sec)}${given}`);
  }
  const java = JAVA_DATE.exec(value.trim());
  if (java) {
    const [, month, day, time, name, year] = java;
    const offset = RUSSIAN_ZONES[name] ?? (name === 'UTC' || name === 'GMT' ? '+00:00' : undefined);
    if (!offset) return undefined;
    const ms = Date.parse(`${day} ${month} ${year} ${time} ${offset.replace(':', '')}`);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const zoneless = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/.test(value.trim());
  // RFC 2822 without its zone («Sat, 01 Feb 2025 10:00:00», Java's and PHP's default formats cut short): Date.parse
  // reads it in the process's zone, which on a server is UTC, not the writer's.
  if (
    zone &&
    /^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?$/.test(value.trim())
  ) {
    const ms = Date.parse(`${value.trim()} ${zone.replace(':', '')}`);
    return Number.isNaN(ms) ? undefined : ms;
  }
  // A bare ISO date is midnight where it was written (Date.parse reads it as UTC midnight).
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value.trim());
  const ms = Date.parse(
    zoneless && zone
      ? `${value.trim().replace(' ', 'T')}${zone}`
      : dateOnly && zone
        ? `${value.trim()}T00:00:00${zone}`
        : value,
  );
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * instantMsOf for a remote system that writes its local time without a zone in an IANA zone (a reception site's
 * server in Novosibirsk): the zone's offset at that wall time, so a letter written at 23:30 there is not a day off
 * for the registration clock. A form that carries its own zone keeps it. Undefined for a zone the runtime lacks.
 */
export function instantMsInZone(value: unknown, timeZone: string): number | undefined {
  const wall = instantMsOf(value, '+00:00');
  if (wall === undefined) return undefined;
  // The offset at the wall time read as UTC, then at the instant it gives: right across a DST change too.
  const first = zoneOffsetAt(timeZone, wall);
  if (first === undefined) return undefined;
  const offset = zoneOffsetAt(timeZone, wall - offsetMs(first)) ?? first;
  return instantMsOf(value, offset);
}

/** Whether the runtime knows the IANA zone. */
export function isKnownTimeZone(timeZone: string): boolean {
  return zoneOffsetAt(timeZone, Date.now()) !== undefined;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat | null>();

/** `+08:00`: the zone's offset from UTC at the instant; undefined for an unknown zone. */
function zoneOffsetAt(timeZone: string, ms: number): string | undefined {
  let format = offsetFormats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    } catch {
      format = null;
    }
    // Zones come from account settings: a handful; a flood of bad ones only empties the cache.
    if (offsetFormats.size >= 1000) offsetFormats.clear();
    offsetFormats.set(timeZone, format);
  }
  if (!format) return undefined;
  const name = format.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? '';
  // 'GMT' alone is UTC; else 'GMT+08:00' (or 'GMT+5:30' on older ICU).
  if (name === 'GMT' || name === 'UTC') return '+00:00';
  const m = /^(?:GMT|UTC)([+-])(\d{1,2})(?::(\d{2}))?$/.exec(name);
  return m ? `${m[1]}${m[2].padStart(2, '0')}:${m[3] ?? '00'}` : undefined;
}

function offsetMs(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m] = offset.slice(1).split(':').map(Number);
  return sign * (h * 60 + m) * 60_000;
}

/** `Z`, `+03`, `+0300` or `+03:00` as `+03:00`. */
function offsetOf(written: string): string {
  if (written === 'Z') return '+00:00';
  const digits = written.slice(1).replace(':', '');
  return `${written[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The instant of a composed ISO string, when its day exists (31.02 does not). */
function checked(y: number, mo: number, d: number, iso: string): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}
