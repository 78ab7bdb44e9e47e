import { DeadlineRuleError } from '../errors';
import { addCalendarDays, isoWeekday, toEpochDay, yearOf, type LocalDate } from '../local-date';
import ru2025 from './ru-2025.json';
import ru2026 from './ru-2026.json';
import ru2027 from './ru-2027.json';

/** One year of a production calendar, as shipped in `ru-YYYY.json`. */
export interface CalendarYearData {
  country?: string;
  year: number;
  /** Changes whenever the data changes; stored next to computed deadlines so they can be re-checked. */
  version: string;
  /** 'official' = transcribed from the Government decree; 'derived' = computed from the Labour Code alone. */
  status: 'official' | 'derived';
  /** Which decree / articles the data comes from. */
  source: string;
  notes?: string[];
  /** Non-working public holidays (ТК РФ ст. 112 ч. 1), whatever weekday they fall on. */
  holidays: LocalDate[];
  /** Weekdays made non-working by a transfer (decree or ТК РФ ст. 112 ч. 2). */
  daysOff: { date: LocalDate; movedFrom: LocalDate; basis: string }[];
  /** Weekend days made working by a decree; `worksAs` is the weekday whose schedule applies. */
  movedWorkingDays: { date: LocalDate; worksAs: LocalDate; basis: string }[];
  /** Pre-holiday working days shortened by one hour (ТК РФ ст. 95 ч. 1). */
  shortDays: LocalDate[];
  /** Official totals for a five-day week, used by the data-integrity test. */
  totals?: { calendarDays: number; workingDays: number; nonWorkingDays: number; workingHours40: number };
}

export type DayKind = 'working' | 'short' | 'weekend' | 'holiday' | 'moved-working';

export interface CalendarYearSummary {
  year: number;
  calendarDays: number;
  workingDays: number;
  nonWorkingDays: number;
  shortDays: number;
  /** Norm of working hours for a 40-hour, five-day week: 8 h a day, 7 h on short days. */
  workingHours40: number;
}

interface YearIndex {
  data: CalendarYearData;
  holidays: Set<LocalDate>;
  daysOff: Set<LocalDate>;
  movedWorking: Map<LocalDate, LocalDate>;
  shortDays: Set<LocalDate>;
}

function invalid(year: number | string, message: string): never {
  throw new DeadlineRuleError('invalid-calendar-data', `Производственный календарь ${year}: ${message}`);
}

function isWeekend(date: LocalDate): boolean {
  return isoWeekday(date) >= 6;
}

function indexYear(data: CalendarYearData): YearIndex {
  const { year } = data;
  if (!Number.isInteger(year)) invalid(String(year), 'год — целое число');
  if (!data.version) invalid(year, 'не указана версия');
  if (!data.source) invalid(year, 'не указан источник');
  const inYear = (date: LocalDate, what: string): LocalDate => {
    if (yearOf(date) !== year) invalid(year, `${what} ${date} вне этого года`);
    return date;
  };
  const holidays = new Set(data.holidays.map((d) => inYear(d, 'праздник')));
  const daysOff = new Set<LocalDate>();
  for (const { date } of data.daysOff) {
    inYear(date, 'выходной');
    if (isWeekend(date) || holidays.has(date))
      invalid(year, `перенесённый выходной ${date} должен быть будним днём и не праздником`);
    daysOff.add(date);
  }
  const movedWorking = new Map<LocalDate, LocalDate>();
  for (const { date, worksAs } of data.movedWorkingDays) {
    inYear(date, 'перенесённый рабочий день');
    if (!isWeekend(date) || holidays.has(date)) {
      invalid(
        year,
        `перенесённый рабочий день ${date} должен быть субботой или воскресеньем и не праздником`,
      );
    }
    if (isWeekend(worksAs))
      invalid(year, `перенесённый рабочий день ${date} должен работать как будний день, а не ${worksAs}`);
    movedWorking.set(date, worksAs);
  }
  const shortDays = new Set(data.shortDays.map((d) => inYear(d, 'сокращённый день')));
  for (const date of shortDays) {
    const working = movedWorking.has(date) || (!isWeekend(date) && !holidays.has(date) && !daysOff.has(date));
    if (!working) invalid(year, `сокращённый день ${date} — не рабочий день`);
  }
  return { data, holidays, daysOff, movedWorking, shortDays };
}

/**
 * Russian production calendar (five-day week): public holidays, days off moved by decree,
 * moved working days (e.g. a working Saturday) and shortened pre-holiday days.
 * Outside the covered years only Saturdays and Sundays are non-working; callers report that
 * through an 'outside-calendar' warning.
 */
export class ProductionCalendar {
  private static shipped?: ProductionCalendar;

  readonly version: string;
  readonly firstYear: number;
  readonly lastYear: number;
  private readonly years: Map<number, YearIndex>;

  private constructor(years: YearIndex[]) {
    this.years = new Map(years.map((y) => [y.data.year, y]));
    this.firstYear = years[0].data.year;
    this.lastYear = years[years.length - 1].data.year;
    this.version = years.map((y) => y.data.version).join('+');
  }

  /** The shipped Russian calendar (see `calendar/ru-*.json`), built once and cached. */
  static russian(): ProductionCalendar {
    ProductionCalendar.shipped ??= ProductionCalendar.fromData([
      ru2025 as CalendarYearData,
      ru2026 as CalendarYearData,
      ru2027 as CalendarYearData,
    ]);
    return ProductionCalendar.shipped;
  }

  /** Builds a calendar from per-year data; validates it and throws DeadlineRuleError('invalid-calendar-data'). */
  static fromData(years: CalendarYearData[]): ProductionCalendar {
    if (years.length === 0) invalid('-', 'нужен хотя бы один год');
    const indexed = [...years].sort((a, b) => a.year - b.year).map(indexYear);
    for (let i = 1; i < indexed.length; i++) {
      if (indexed[i].data.year === indexed[i - 1].data.year)
        invalid(indexed[i].data.year, 'год указан дважды');
    }
    return new ProductionCalendar(indexed);
  }

  /** Years present in the data (there may be gaps if fromData was given non-consecutive years). */
  get coveredYears(): number[] {
    return [...this.years.keys()];
  }

  yearData(year: number): CalendarYearData | undefined {
    return this.years.get(year)?.data;
  }

  covers(date: LocalDate): boolean {
    return this.years.has(yearOf(date));
  }

  /** True when the date's year is covered only by data derived from the Labour Code, not by a decree. */
  isProvisional(date: LocalDate): boolean {
    return this.years.get(yearOf(date))?.data.status === 'derived';
  }

  dayKind(date: LocalDate): DayKind {
    const y = this.years.get(yearOf(date));
    if (!y) return isWeekend(date) ? 'weekend' : 'working';
    if (y.holidays.has(date) || y.daysOff.has(date)) return 'holiday';
    if (y.movedWorking.has(date)) return 'moved-working';
    if (isWeekend(date)) return 'weekend';
    return y.shortDays.has(date) ? 'short' : 'working';
  }

  isWorkingDay(date: LocalDate): boolean {
    const kind = this.dayKind(date);
    return kind === 'working' || kind === 'short' || kind === 'moved-working';
  }

  /** Pre-holiday day worked one hour shorter (ТК РФ ст. 95 ч. 1). */
  isShortDay(date: LocalDate): boolean {
    return this.years.get(yearOf(date))?.shortDays.has(date) ?? false;
  }

  /** For a moved working day (e.g. Saturday 2025-11-01), the weekday whose schedule it follows. */
  worksAs(date: LocalDate): LocalDate | undefined {
    return this.years.get(yearOf(date))?.movedWorking.get(date);
  }

  /** Working days, hours norm etc. for one covered year, computed from the data. */
  summary(year: number): CalendarYearSummary {
    if (!this.years.has(year)) invalid(year, 'на этот год календаря нет');
    const first = `${String(year).padStart(4, '0')}-01-01`;
    const days = toEpochDay(`${String(year + 1).padStart(4, '0')}-01-01`) - toEpochDay(first);
    let workingDays = 0;
    let shortDays = 0;
    for (let i = 0; i < days; i++) {
      const date = addCalendarDays(first, i);
      if (this.isWorkingDay(date)) {
        workingDays++;
        if (this.isShortDay(date)) shortDays++;
      }
    }
    return {
      year,
      calendarDays: days,
      workingDays,
      nonWorkingDays: days - workingDays,
      shortDays,
      workingHours40: workingDays * 8 - shortDays,
    };
  }
}
