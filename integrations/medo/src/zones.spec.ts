import { isKnownZone, localDate } from './zones';

describe('zones', () => {
  it('gives the date in the zone, as a fresh formatter does, each time', () => {
    const at = new Date('2026-12-04T22:30:00Z');
    for (let i = 0; i < 2; i++) {
      expect(localDate(at, 'Europe/Moscow')).toBe('2026-12-05');
      expect(localDate(at, 'UTC')).toBe('2026-12-04');
      expect(localDate(at, 'Asia/Vladivostok')).toBe('2026-12-05');
      expect(localDate(at, 'America/New_York')).toBe('2026-12-04');
    }
  });

  it('tells known zones from unknown ones, and refuses a date in an unknown one', () => {
    expect(isKnownZone('Europe/Moscow')).toBe(true);
    expect(isKnownZone('Europe/Moscow')).toBe(true);
    expect(isKnownZone('Mars/Olympus')).toBe(false);
    expect(isKnownZone('Mars/Olympus')).toBe(false);
    expect(() => localDate(new Date(), 'Mars/Olympus')).toThrow(RangeError);
  });
});
