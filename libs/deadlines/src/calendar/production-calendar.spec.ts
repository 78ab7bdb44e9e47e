import { DeadlineRuleError } from '../errors';
import { addCalendarDays } from '../local-date';
import { ProductionCalendar, type CalendarYearData } from './production-calendar';
import ru2025 from './ru-2025.json';
import ru2026 from './ru-2026.json';
import ru2027 from './ru-2027.json';

const calendar = ProductionCalendar.russian();

function workingDaysInMonth(year: number, month: number): number {
  const first = `${year}-${String(month).padStart(2, '0')}-01`;
  let count = 0;
  for (let d = first; d.slice(0, 7) === first.slice(0, 7); d = addCalendarDays(d, 1)) {
    if (calendar.isWorkingDay(d)) count++;
  }
  return count;
}

describe('ProductionCalendar data integrity', () => {
  // Official totals for a five-day, 40-hour week (decrees № 1335 and № 1466); 2027 is derived from ТК РФ ст. 112.
  it.each([
    [2025, 247, 118, 1972],
    [2026, 247, 118, 1972],
    [2027, 249, 116, 1987],
  ])('%i has %i working days, %i days off and a %i-hour norm', (year, working, nonWorking, hours) => {
    const summary = calendar.summary(year);
    expect(summary).toMatchObject({
      workingDays: working,
      nonWorkingDays: nonWorking,
      workingHours40: hours,
    });
    expect(calendar.yearData(year)?.totals).toEqual({
      calendarDays: 365,
      workingDays: working,
      nonWorkingDays: nonWorking,
      workingHours40: hours,
    });
  });

  it('matches the official month-by-month working days of 2025 and 2026', () => {
    const months = (year: number) => Array.from({ length: 12 }, (_, i) => workingDaysInMonth(year, i + 1));
    expect(months(2025)).toEqual([17, 20, 21, 22, 18, 19, 23, 21, 22, 23, 19, 22]);
    expect(months(2026)).toEqual([15, 19, 21, 22, 19, 21, 23, 21, 22, 22, 20, 22]);
  });

  it('names its sources and marks 2027 as derived', () => {
    expect(calendar.version).toBe('ru-2025.1+ru-2026.1+ru-2027.0-derived');
    expect([calendar.firstYear, calendar.lastYear]).toEqual([2025, 2027]);
    expect(ru2025.source).toContain('№ 1335');
    expect(ru2026.source).toContain('№ 1466');
    expect(ru2027.status).toBe('derived');
    expect(ru2027.source).toMatch(/^Рассчитан, а не взят из постановления/);
    expect(calendar.isProvisional('2027-03-01')).toBe(true);
    expect(calendar.isProvisional('2026-03-01')).toBe(false);
  });

  it('is cached', () => {
    expect(ProductionCalendar.russian()).toBe(calendar);
  });
});

describe('ProductionCalendar day kinds', () => {
  it('knows the 2025/2026 New Year break: 31 Dec 2025 – 11 Jan 2026', () => {
    expect(calendar.dayKind('2025-12-30')).toBe('working');
    expect(calendar.dayKind('2025-12-31')).toBe('holiday'); // moved from 5 Jan 2025
    expect(calendar.dayKind('2026-01-03')).toBe('holiday'); // holiday on a Saturday
    expect(calendar.dayKind('2026-01-09')).toBe('holiday'); // moved from 3 Jan 2026
    expect(calendar.dayKind('2026-01-10')).toBe('weekend');
    expect(calendar.dayKind('2026-01-12')).toBe('working');
  });

  it('counts Saturday 1 Nov 2025 as a moved, shortened working day', () => {
    expect(calendar.dayKind('2025-11-01')).toBe('moved-working');
    expect(calendar.isWorkingDay('2025-11-01')).toBe(true);
    expect(calendar.isShortDay('2025-11-01')).toBe(true);
    expect(calendar.worksAs('2025-11-01')).toBe('2025-11-03');
    expect(calendar.dayKind('2025-11-03')).toBe('holiday');
    expect(calendar.dayKind('2025-11-08')).toBe('weekend');
  });

  it('moves 8 March 2026 (Sunday) to Monday 9 March by ТК РФ ст. 112 ч. 2', () => {
    expect(calendar.isWorkingDay('2026-03-09')).toBe(false);
    expect(calendar.isWorkingDay('2026-03-10')).toBe(true);
  });

  it('marks pre-holiday short days', () => {
    expect(calendar.dayKind('2025-03-07')).toBe('short');
    expect(calendar.dayKind('2026-05-08')).toBe('short');
    expect(calendar.isShortDay('2026-05-07')).toBe(false);
  });

  it('falls back to weekends only outside the covered years', () => {
    expect(calendar.covers('2028-01-03')).toBe(false);
    expect(calendar.dayKind('2028-01-03')).toBe('working'); // really a holiday, but no data
    expect(calendar.dayKind('2028-01-01')).toBe('weekend');
    expect(calendar.isShortDay('2024-12-28')).toBe(false);
  });
});

describe('ProductionCalendar.fromData', () => {
  const base = (): CalendarYearData => ({
    year: 2030,
    version: 'test-2030.1',
    status: 'official',
    source: 'test',
    holidays: ['2030-01-01'],
    daysOff: [],
    movedWorkingDays: [],
    shortDays: [],
  });

  it('builds a version from the years, in order', () => {
    const cal = ProductionCalendar.fromData([{ ...base(), year: 2031, version: 'b', holidays: [] }, base()]);
    expect(cal.version).toBe('test-2030.1+b');
    expect(cal.isWorkingDay('2030-01-01')).toBe(false);
  });

  it.each<[string, Partial<CalendarYearData>]>([
    ['a date from another year', { holidays: ['2031-01-01'] }],
    ['a day off on a weekend', { daysOff: [{ date: '2030-01-05', movedFrom: '2030-01-01', basis: 'x' }] }],
    [
      'a moved working day on a weekday',
      { movedWorkingDays: [{ date: '2030-01-07', worksAs: '2030-01-08', basis: 'x' }] },
    ],
    ['a short day that is not worked', { shortDays: ['2030-01-01'] }],
    ['an impossible date', { holidays: ['2030-02-30'] }],
  ])('rejects %s', (_, patch) => {
    expect(() => ProductionCalendar.fromData([{ ...base(), ...patch }])).toThrow(DeadlineRuleError);
  });
});
