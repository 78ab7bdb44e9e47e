import { instantMsInZone, instantMsOf, isKnownTimeZone, isWritableInstant } from './instant';

describe('instantMsOf', () => {
  const at = (iso: string) => Date.parse(iso);

  it('reads ISO 8601, epoch milliseconds and seconds, as numbers or digits', () => {
    expect(instantMsOf('2025-02-01T10:00:00Z')).toBe(at('2025-02-01T10:00:00Z'));
    expect(instantMsOf(1738404000000)).toBe(at('2025-02-01T10:00:00Z'));
    expect(instantMsOf(1738404000)).toBe(at('2025-02-01T10:00:00Z'));
    expect(instantMsOf(' 1738404000 ')).toBe(at('2025-02-01T10:00:00Z'));
  });

  it('reads the Russian DD.MM.YYYY day first, with a zone when given', () => {
    expect(instantMsOf('01.02.2025 13:00', '+03:00')).toBe(at('2025-02-01T10:00:00Z'));
    expect(instantMsOf('01.02.2025 13:00:30', '+03:00')).toBe(at('2025-02-01T10:00:30Z'));
    expect(instantMsOf('1.2.2025', '+03:00')).toBe(at('2025-01-31T21:00:00Z'));
    expect(instantMsOf('31.02.2025')).toBeUndefined();
    expect(instantMsOf('2025-02-01 13:00:00', '+03:00')).toBe(at('2025-02-01T10:00:00Z'));
    // With its own offset after it, still day first (Date.parse read 01.03.2026 as 3 January).
    expect(instantMsOf('01.03.2026 10:00:00 +03:00', '+07:00')).toBe(at('2026-03-01T07:00:00Z'));
    expect(instantMsOf('01.03.2026 10:00+0700')).toBe(at('2026-03-01T03:00:00Z'));
    expect(instantMsOf('01.03.2026 10:00Z', '+03:00')).toBe(at('2026-03-01T10:00:00Z'));
    // Year first with slashes: a wall time in the zone given, not the process's.
    expect(instantMsOf('2026/03/01 10:00:00', '+03:00')).toBe(at('2026-03-01T07:00:00Z'));
    expect(instantMsOf('2026/3/1', '+03:00')).toBe(at('2026-02-28T21:00:00Z'));
  });

  it("reads Russian zones by their abbreviations: Java's Date.toString, and a wall time followed by one", () => {
    expect(instantMsOf('Sun Mar 01 10:00:00 MSK 2026')).toBe(at('2026-03-01T07:00:00Z'));
    expect(instantMsOf('Sun Mar 01 10:00:00 NOVT 2026')).toBe(at('2026-03-01T03:00:00Z'));
    expect(instantMsOf('Sun Mar 01 10:00:00 UTC 2026')).toBe(at('2026-03-01T10:00:00Z'));
    expect(instantMsOf('2026-03-01T10:00:00 MSK', '+07:00')).toBe(at('2026-03-01T07:00:00Z'));
    expect(instantMsOf('2026-03-01 10:00 IRKT')).toBe(at('2026-03-01T02:00:00Z'));
    // A zone we do not know is no instant rather than a guess.
    expect(instantMsOf('Sun Mar 01 10:00:00 XYZT 2026')).toBeUndefined();
  });

  it('reads an RFC 2822 time without its zone in the zone given, and keeps one it carries', () => {
    expect(instantMsOf('Sat, 01 Feb 2025 13:00:00', '+03:00')).toBe(at('2025-02-01T10:00:00Z'));
    expect(instantMsOf('1 Feb 2025 13:00', '+03:00')).toBe(at('2025-02-01T10:00:00Z'));
    expect(instantMsOf('Sat, 01 Feb 2025 13:00:00 +0700', '+03:00')).toBe(at('2025-02-01T06:00:00Z'));
    expect(instantMsInZone('Sat, 01 Feb 2025 23:30:00', 'Asia/Irkutsk')).toBe(at('2025-02-01T15:30:00Z'));
  });

  it('reads a Jackson LocalDateTime array, and nothing else', () => {
    expect(instantMsOf([2025, 2, 1, 13, 0, 0, 500000000], '+03:00')).toBe(at('2025-02-01T10:00:00.500Z'));
    expect(instantMsOf([2025, 2])).toBeUndefined();
    for (const junk of ['вчера', '', null, undefined, {}, -5, 0]) expect(instantMsOf(junk)).toBeUndefined();
  });

  it('gives nothing for an instant outside the years 0001–9999, so no caller builds an Invalid Date', () => {
    // Past what a Date holds (8.64e15 ms): its toISOString threw a RangeError in every connector that read it.
    for (const far of [8_700_000_000_000_000, Number.MAX_SAFE_INTEGER, 1e300, Infinity, NaN]) {
      expect(instantMsOf(far)).toBeUndefined();
      expect(instantMsInZone(far, 'Asia/Irkutsk')).toBeUndefined();
    }
    // A Date holds these, but as six-digit years no ISO reader takes back.
    expect(instantMsOf(9_000_000_000_000)).toBe(at('2255-03-14T16:00:00Z'));
    expect(instantMsOf(300_000_000_000_000)).toBeUndefined();
    expect(instantMsOf('+275760-09-13T00:00:00Z')).toBeUndefined();
    expect(instantMsOf([10000, 1, 1])).toBeUndefined();
    expect(instantMsOf('9999-12-31T23:59:59.999Z')).toBe(at('9999-12-31T23:59:59.999Z'));
    expect([NaN, 8.64e15, 253_402_300_800_000, 0].map(isWritableInstant)).toEqual([
      false,
      false,
      false,
      true,
    ]);
    for (const value of [8_700_000_000_000_000, '+275760-09-13T00:00:00Z', [10000, 1, 1]])
      expect(() => new Date(instantMsOf(value) ?? 0).toISOString()).not.toThrow();
  });

  it("reads PostgreSQL's timestamptz text, Java's ZonedDateTime and values with blanks around them", () => {
    // A site's feed or an export read straight from Postgres: the offset in hours alone, which Date.parse refuses.
    expect(instantMsOf('2025-03-03 10:00:00+03')).toBe(at('2025-03-03T07:00:00Z'));
    expect(instantMsOf('2025-03-03 10:00:00.123456+07', '+03:00')).toBe(at('2025-03-03T03:00:00.123Z'));
    expect(instantMsOf('2025-03-03T10:00:00-05')).toBe(at('2025-03-03T15:00:00Z'));
    expect(instantMsOf('2025-03-03 10:00:00+05:30')).toBe(at('2025-03-03T04:30:00Z'));
    expect(instantMsOf('2025-03-03T10:00:00.000+03:00[Europe/Moscow]')).toBe(at('2025-03-03T07:00:00Z'));
    expect(instantMsOf('2025-03-03T10:00:00Z[UTC]')).toBe(at('2025-03-03T10:00:00Z'));
    expect(instantMsOf(' 2025-03-03T10:00:00.000Z\n')).toBe(at('2025-03-03T10:00:00Z'));
    expect(instantMsInZone('2025-03-03 23:30:00+03', 'Asia/Irkutsk')).toBe(at('2025-03-03T20:30:00Z'));
  });

  it('reads a wall time with a Java zone name and no offset in that zone, whatever the default offset', () => {
    expect(instantMsOf('2026-03-01T10:00:00[Europe/Moscow]')).toBe(at('2026-03-01T07:00:00Z'));
    expect(instantMsOf('2026-03-01T10:00:00[Europe/Moscow]', '+07:00')).toBe(at('2026-03-01T07:00:00Z'));
    expect(instantMsOf('2026-03-01 10:00[Asia/Novosibirsk]')).toBe(at('2026-03-01T03:00:00Z'));
    expect(instantMsOf('2026-03-01T10:00:00.123456789[UTC]')).toBe(at('2026-03-01T10:00:00.123Z'));
    // Summer time where the zone has it: the offset of that day.
    expect(instantMsOf('2026-07-01T10:00:00[Europe/Berlin]')).toBe(at('2026-07-01T08:00:00Z'));
    expect(instantMsOf(' 2026-03-01T10:00:00 [Europe/Moscow] ')).toBe(at('2026-03-01T07:00:00Z'));
    // A zone the runtime does not know is no instant rather than a guess.
    expect(instantMsOf('2026-03-01T10:00:00[Europe/Nowhere]')).toBeUndefined();
  });

  it('reads epoch seconds with a fraction, as Python writes them, to the millisecond', () => {
    expect(instantMsOf(1738404000.1234)).toBe(at('2025-02-01T10:00:00.123Z'));
    expect(instantMsOf('1738404000.5')).toBe(at('2025-02-01T10:00:00.500Z'));
  });
});

describe('instantMsInZone', () => {
  const at = (iso: string) => Date.parse(iso);

  it("reads a zone-less wall time in the writer's IANA zone, a day-first or bare date too", () => {
    // 23:30 in Irkutsk is still 1 February there: read as UTC it would be the 2nd.
    expect(instantMsInZone('2025-02-01 23:30:00', 'Asia/Irkutsk')).toBe(at('2025-02-01T15:30:00Z'));
    expect(instantMsInZone('01.02.2025 23:30', 'Asia/Novosibirsk')).toBe(at('2025-02-01T16:30:00Z'));
    expect(instantMsInZone('2025-02-01', 'Europe/Moscow')).toBe(at('2025-01-31T21:00:00Z'));
    // Moscow was UTC+4 in 2012: the offset of that day, not today's.
    expect(instantMsInZone('2012-06-01T12:00:00', 'Europe/Moscow')).toBe(at('2012-06-01T08:00:00Z'));
    // Across a DST change elsewhere: summer and winter in Berlin.
    expect(instantMsInZone('2025-07-01T12:00:00', 'Europe/Berlin')).toBe(at('2025-07-01T10:00:00Z'));
    expect(instantMsInZone('2025-01-01T12:00:00', 'Europe/Berlin')).toBe(at('2025-01-01T11:00:00Z'));
  });

  it('keeps a zone the value carries, and epoch numbers as they are', () => {
    expect(instantMsInZone('2025-02-01T23:30:00Z', 'Asia/Irkutsk')).toBe(at('2025-02-01T23:30:00Z'));
    expect(instantMsInZone('2025-02-01T23:30:00+03:00', 'Asia/Irkutsk')).toBe(at('2025-02-01T20:30:00Z'));
    expect(instantMsInZone(1738404000, 'Asia/Irkutsk')).toBe(at('2025-02-01T10:00:00Z'));
  });

  it('gives nothing for a zone the runtime does not know, or for a value that is no instant', () => {
    expect(instantMsInZone('2025-02-01 10:00', 'Mars/Olympus')).toBeUndefined();
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
    expect(isKnownTimeZone('Asia/Irkutsk')).toBe(true);
    expect(instantMsInZone('вчера', 'Asia/Irkutsk')).toBeUndefined();
  });
});
