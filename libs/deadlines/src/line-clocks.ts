import { DateTime } from 'luxon';
import { ProductionCalendar } from './calendar/production-calendar';
import { DeadlineRuleError } from './errors';
import { assertInstant, assertTimeZone, instantAt, localDateOf } from './local-date';
import { type DeadlineWarning } from './warnings';
import {
  addWorkingMinutes,
  nthWorkingIntervalAfter,
  workingIntervalOn,
  type OrganisationClock,
  type WorkingInterval,
} from './working-hours';

/** Regional regulation: line 1 escalates to line 2 within 15 minutes of arrival (wall-clock, line 1 is 24/7). */
export const LINE1_ESCALATION_MINUTES = 15;
/** Regional regulation: a misrouted item goes back to line 1 within 2 hours, counted in working time. */
export const MISROUTED_RETURN_WORKING_MINUTES = 120;
/** Regional regulation: a line-2 request received after this local time is due by it on the next working day. */
export const LINE2_CUTOFF = '16:00';
/** Regional regulation: line 2 answers within 1 working day … */
export const LINE2_ANSWER_WORKING_DAYS = 1;
/** … and may extend to at most 5 working days in total from receipt. */
export const LINE2_MAX_WORKING_DAYS = 5;

const MINUTE_MS = 60_000;

export function escalationDueAt(arrivedAt: Date): Date {
  assertInstant(arrivedAt, 'arrivedAt');
  return new Date(arrivedAt.getTime() + LINE1_ESCALATION_MINUTES * MINUTE_MS);
}

/**
 * Due time for returning a misrouted item to line 1: 2 hours of the organisation's working time from
 * `returnedFromAt` (the moment the item reached the wrong line-2 queue). Working time, not wall-clock,
 * because only staff on duty can notice the misroute: an item arriving at 17:30 on a Friday (close 17:00)
 * is due at 11:00 on the next working day (09:00 + 2 h), not at 19:30 the same evening; one arriving at
 * 16:30 uses the last 30 minutes of Friday and is due at 10:30 on the next working day.
 */
export function misroutedReturnDueAt(
  returnedFromAt: Date,
  clock: OrganisationClock,
  calendar: ProductionCalendar = ProductionCalendar.russian(),
  warnings?: DeadlineWarning[],
): Date {
  assertInstant(returnedFromAt, 'returnedFromAt');
  return addWorkingMinutes(returnedFromAt, MISROUTED_RETURN_WORKING_MINUTES, clock, calendar, warnings);
}

function clamp(instant: Date, interval: WorkingInterval): Date {
  const t = Math.min(Math.max(instant.getTime(), interval.start.getTime()), interval.end.getTime());
  return new Date(t);
}

/**
 * Line-2 due time after `workingDays` working days. Reading of the regulation «Ответ должен быть
 * предоставлен в течение 1 рабочего дня; запрос, поступивший после 16:00, — до 16:00 следующего
 * рабочего дня»:
 * - received on an organisation working day at or before 16:00 local: due at the same local time on the
 *   next working day (a full working day of handling). A request received before opening starts the
 *   clock at opening. The result is capped at that day's close of business (e.g. a shortened day);
 * - received after 16:00, or on a non-working day (weekend, holiday), at any time: due at 16:00 on the
 *   next working day, also capped at close of business. A weekend request thus counts like one received
 *   late on the preceding working day, which keeps the rule monotonic (a later request is never due
 *   earlier than an earlier one).
 * "Next working day" is the next day the organisation works (production calendar + its hours).
 * For `workingDays` > 1 the same time is taken on the n-th working day instead of the first.
 */
function line2DueAfter(
  receivedAt: Date,
  workingDays: number,
  clock: OrganisationClock,
  calendar: ProductionCalendar,
  warnings?: DeadlineWarning[],
): Date {
  assertInstant(receivedAt, 'receivedAt');
  const timeZone = assertTimeZone(clock.timeZone);
  const receiptDate = localDateOf(receivedAt, timeZone);
  const receiptDay = workingIntervalOn(receiptDate, clock, calendar, warnings);
  const cutoff = instantAt(receiptDate, LINE2_CUTOFF, timeZone);
  const due = nthWorkingIntervalAfter(receiptDate, workingDays, clock, calendar, warnings);

  if (receiptDay && receivedAt.getTime() <= cutoff.getTime()) {
    const clockStart = DateTime.fromMillis(Math.max(receivedAt.getTime(), receiptDay.start.getTime()), {
      zone: timeZone,
    });
    const sameTime = DateTime.fromISO(due.date, { zone: timeZone }).set({
      hour: clockStart.hour,
      minute: clockStart.minute,
      second: clockStart.second,
      millisecond: clockStart.millisecond,
    });
    return clamp(sameTime.toJSDate(), due);
  }
  return clamp(instantAt(due.date, LINE2_CUTOFF, timeZone), due);
}

/** Line-2 answer due time: 1 working day (see line2DueAfter for the exact reading). */
export function line2AnswerDueAt(
  receivedAt: Date,
  clock: OrganisationClock,
  calendar: ProductionCalendar = ProductionCalendar.russian(),
  warnings?: DeadlineWarning[],
): Date {
  return line2DueAfter(receivedAt, LINE2_ANSWER_WORKING_DAYS, clock, calendar, warnings);
}

/** Latest time line 2 may extend to: 5 working days in total from receipt, read like the 1-day rule. */
export function line2ExtensionLimitAt(
  receivedAt: Date,
  clock: OrganisationClock,
  calendar: ProductionCalendar = ProductionCalendar.russian(),
  warnings?: DeadlineWarning[],
): Date {
  return line2DueAfter(receivedAt, LINE2_MAX_WORKING_DAYS, clock, calendar, warnings);
}

/** Throws unless `proposedDueAt` respects the 5-working-day limit; returns the limit. */
export function assertLine2Extension(
  receivedAt: Date,
  proposedDueAt: Date,
  clock: OrganisationClock,
  calendar: ProductionCalendar = ProductionCalendar.russian(),
): Date {
  assertInstant(proposedDueAt, 'proposedDueAt');
  const limit = line2ExtensionLimitAt(receivedAt, clock, calendar);
  if (proposedDueAt.getTime() > limit.getTime()) {
    throw new DeadlineRuleError(
      'extension-too-long',
      `Продление на 2-й линии до ${proposedDueAt.toISOString()} больше ${LINE2_MAX_WORKING_DAYS} рабочих дней с поступления (предел ${limit.toISOString()})`,
    );
  }
  return limit;
}
