import { type ProductionCalendar } from './calendar/production-calendar';
import { russianLocalDate, yearOf, type LocalDate } from './local-date';

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
        `Дата ${russianLocalDate(date)} вне производственного календаря (${calendar.version}, ` +
        `${calendar.firstYear}–${calendar.lastYear}): нерабочими днями считались только субботы и воскресенья`,
    };
  }
  if (calendar.isProvisional(date)) {
    return {
      code: 'provisional-calendar',
      date,
      message:
        `Дата ${russianLocalDate(date)} — по календарю на ${yearOf(date)} год, рассчитанному по Трудовому кодексу ` +
        `(${calendar.yearData(yearOf(date))?.version}): постановление о переносе выходных ещё не издано, ` +
        'срок может измениться',
    };
  }
  return undefined;
}
