import { ProductionCalendar } from './calendar/production-calendar';
import { DeadlineRuleError } from './errors';
import {
  addCalendarDays,
  assertInstant,
  assertTimeZone,
  instantAt,
  isoWeekday,
  localDateOf,
  type LocalDate,
} from './local-date';
import { noteCalendarDate, type DeadlineWarning } from './warnings';

/** Opening hours per ISO weekday (1 = Monday … 7 = Sunday), local 'HH:mm'; undefined = closed. */
export interface WorkingHours {
  [isoWeekday: number]: { start: string; end: string } | undefined;
}

/** Mon–Thu 09:00–18:00, Fri 09:00–17:00 (the usual schedule of a regional government office). */
export const DEFAULT_WORKING_HOURS: WorkingHours = Object.freeze({
  1: { start: '09:00', end: '18:00' },
  2: { start: '09:00', end: '18:00' },
  3: { start: '09:00', end: '18:00' },
  4: { start: '09:00', end: '18:00' },
  5: { start: '09:00', end: '17:00' },
});

export interface OrganisationClock {
  timeZone: string;
  workingHours: WorkingHours;
}

export interface WorkingInterval {
  date: LocalDate;
  start: Date;
  /** Exclusive. */
  end: Date;
}

/** ТК РФ ст. 95 ч. 1: the working day before a non-working holiday is one hour shorter. */
const SHORT_DAY_MINUTES = 60;
const MINUTE_MS = 60_000;
/** Safety net for searches: a gap without any working time longer than this means misconfiguration. */
const MAX_SEARCH_DAYS = 400;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(time: string): number {
  const m = TIME_RE.exec(time);
  if (!m)
    throw new DeadlineRuleError(
      'invalid-working-hours',
      `Рабочее время указывается как ЧЧ:мм, получено ${time}`,
    );
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * The organisation's working time on a local date, or undefined when it does not work that day.
 * Working days come from the production calendar: a moved working day (a working Saturday) follows the
 * schedule of the weekday it replaces; a regular weekend is worked only if hours are configured for it;
 * holidays are never worked. Short days end one hour earlier.
 */
export function workingIntervalOn(
  date: LocalDate,
  clock: OrganisationClock,
  calendar: ProductionCalendar = ProductionCalendar.russian(),
  warnings?: DeadlineWarning[],
): WorkingInterval | undefined {
  const timeZone = assertTimeZone(clock.timeZone);
  noteCalendarDate(calendar, date, warnings);
  const kind = calendar.dayKind(date);
  if (kind === 'holiday') return undefined;
  const hours = clock.workingHours[isoWeekday(calendar.worksAs(date) ?? date)];
  if (!hours) return undefined;
  if (minutesOf(hours.end) <= minutesOf(hours.start)) {
    throw new DeadlineRuleError(
      'invalid-working-hours',
      `Рабочий день кончается раньше, чем начинается: ${hours.start}-${hours.end}`,
    );
  }
  const start = instantAt(date, hours.start, timeZone);
  let end = instantAt(date, hours.end, timeZone);
  if (calendar.isShortDay(date)) end = new Date(end.getTime() - SHORT_DAY_MINUTES * MINUTE_MS);
  return end.getTime() > start.getTime() ? { date, start, end } : undefined;
}

/** The `n`-th organisation working day after `date` (exclusive), with its working interval. */
export function nthWorkingIntervalAfter(
  date: LocalDate,
  n: number,
  clock: OrganisationClock,
  calendar: ProductionCalendar = ProductionCalendar.russian(),
  warnings?: DeadlineWarning[],
): WorkingInterval {
  let found = 0;
  let current = date;
  for (let i = 0; i < MAX_SEARCH_DAYS * Math.max(1, n); i++) {
    current = addCalendarDays(current, 1);
    const interval = workingIntervalOn(current, clock, calendar, warnings);
    if (interval && ++found === n) return interval;
  }
  throw new DeadlineRuleError(
    'no-working-time',
    `У организации нет рабочего дня после ${date} (проверьте режим работы)`,
  );
}

/** True when the instant falls inside the organisation's working time (start inclusive, end exclusive). */
export function isWithinWorkingHours(
  instant: Date,
  clock: OrganisationClock,
  calendar: ProductionCalendar = ProductionCalendar.russian(),
  warnings?: DeadlineWarning[],
): boolean {
  assertInstant(instant);
  const interval = workingIntervalOn(localDateOf(instant, clock.timeZone), clock, calendar, warnings);
  const t = instant.getTime();
  return interval !== undefined && t >= interval.start.getTime() && t < interval.end.getTime();
}

/**
 * Adds working minutes: only time inside the organisation's working hours counts. An instant outside
 * hours starts counting at the next opening; a result landing exactly on closing time stays there
 * (rather than jumping to the next morning). 0 minutes returns the instant unchanged.
 */
export function addWorkingMinutes(
  instant: Date,
  minutes: number,
  clock: OrganisationClock,
  calendar: ProductionCalendar = ProductionCalendar.russian(),
  warnings?: DeadlineWarning[],
): Date {
  assertInstant(instant);
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new DeadlineRuleError(
      'invalid-days',
      `Число рабочих минут не может быть отрицательным, получено ${minutes}`,
    );
  }
  if (minutes === 0) return new Date(instant.getTime());
  let remaining = minutes * MINUTE_MS;
  let cursor = instant.getTime();
  let date = localDateOf(instant, clock.timeZone);
  for (let i = 0; i < MAX_SEARCH_DAYS + Math.ceil(minutes / 60); i++) {
    const interval = workingIntervalOn(date, clock, calendar, warnings);
    if (interval && cursor < interval.end.getTime()) {
      const from = Math.max(cursor, interval.start.getTime());
      const available = interval.end.getTime() - from;
      if (remaining <= available) return new Date(from + remaining);
      remaining -= available;
      cursor = interval.end.getTime();
    }
    date = addCalendarDays(date, 1);
  }
  throw new DeadlineRuleError(
    'no-working-time',
    'У организации нет рабочего времени для отсчёта срока (проверьте режим работы)',
  );
}
