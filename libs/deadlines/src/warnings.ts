import { type ProductionCalendar } from './calendar/production-calendar';
import { yearOf, type LocalDate } from './local-date';

export type DeadlineWarningCode = 'outside-calendar' | 'provisional-calendar';

/**
 * A computation still produced a result, but on weaker data:
 * - 'outside-calendar': the date's year is not in the production calendar, only weekends were treated as days off;
 * - 'provisional-calendar': the year's data is derived from the Labour Code, the decree was not yet available.
 */
export interface DeadlineWarning {
  code: DeadlineWarningCode;
  date: LocalDate;
  message: string;
}

/**
 * Records a warning for a date the computation relied on. One warning per code and year, so walking
 * through a month outside the calendar yields a single entry (the first date met).
 */
export function noteCalendarDate(
  calendar: ProductionCalendar,
  date: LocalDate,
  sink?: DeadlineWarning[],
): void {
  if (!sink) return;
  const warning = calendarWarning(calendar, date);
  if (warning && !sink.some((w) => w.code === warning.code && yearOf(w.date) === yearOf(date))) {
    sink.push(warning);
  }
}

/** The warning a date deserves under this calendar, if any. */
export function calendarWarning(calendar: ProductionCalendar, date: LocalDate): DeadlineWarning | undefined {
  if (!calendar.covers(date)) {
    return {
      code: 'outside-calendar',
      date,
      message:
        `Date ${date} is outside the production calendar (${calendar.version}, ` +
        `${calendar.firstYear}-${calendar.lastYear}); only Saturdays and Sundays were treated as non-working days`,
    };
  }
  if (calendar.isProvisional(date)) {
    return {
      code: 'provisional-calendar',
      date,
      message:
        `Date ${date} uses production calendar data derived from the Labour Code, not from a Government decree ` +
        `(${calendar.yearData(yearOf(date))?.version}); the deadline may change once the decree is published`,
    };
  }
  return undefined;
}
