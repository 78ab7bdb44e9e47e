import { ProductionCalendar } from './calendar/production-calendar';
import { DeadlineRuleError } from './errors';
import { addCalendarDays, assertLocalDate, type LocalDate } from './local-date';
import { noteCalendarDate, type DeadlineWarning } from './warnings';

/** What to do when a term's last day is not a working day. */
export type LastDayRule = 'preceding-working-day' | 'following-working-day' | 'keep';

export const DEFAULT_LAST_DAY_RULE: LastDayRule = 'preceding-working-day';

/** Longest run of consecutive non-working days we accept before assuming the data is broken. */
const MAX_NON_WORKING_RUN = 60;

function step(date: LocalDate, direction: 1 | -1, calendar: ProductionCalendar, sink?: DeadlineWarning[]) {
  let current = date;
  for (let i = 0; i < MAX_NON_WORKING_RUN; i++) {
    current = addCalendarDays(current, direction);
    noteCalendarDate(calendar, current, sink);
    if (calendar.isWorkingDay(current)) return current;
  }
  throw new DeadlineRuleError(
    'no-working-time',
    `Нет рабочего дня в пределах ${MAX_NON_WORKING_RUN} дней от ${date}`,
  );
}

/**
 * Moves `days` working days from `date` (the start date itself is not counted); negative goes back,
 * 0 returns the date unchanged. Pass `warnings` to collect calendar-coverage warnings.
 */
export function addWorkingDays(
  date: LocalDate,
  days: number,
  calendar: ProductionCalendar = ProductionCalendar.russian(),
  warnings?: DeadlineWarning[],
): LocalDate {
  assertLocalDate(date);
  if (!Number.isInteger(days)) {
    throw new DeadlineRuleError('invalid-days', `Число рабочих дней должно быть целым, получено ${days}`);
  }
  const direction = days < 0 ? -1 : 1;
  let current = date;
  for (let i = 0; i < Math.abs(days); i++) current = step(current, direction, calendar, warnings);
  return current;
}

/** The first working day after `date` (exclusive). */
export function nextWorkingDay(
  date: LocalDate,
  calendar: ProductionCalendar = ProductionCalendar.russian(),
  warnings?: DeadlineWarning[],
): LocalDate {
  return addWorkingDays(date, 1, calendar, warnings);
}

/**
 * Applies the organisation's last-day rule to a term's last day. A working day is returned unchanged.
 * 59-ФЗ itself is silent here; 'preceding-working-day' (the default) keeps the answer inside the
 * statutory 30 days, 'following-working-day' mirrors ГК РФ ст. 193, 'keep' ignores non-working days.
 */
export function applyLastDayRule(
  date: LocalDate,
  rule: LastDayRule,
  calendar: ProductionCalendar = ProductionCalendar.russian(),
  warnings?: DeadlineWarning[],
): LocalDate {
  assertLocalDate(date);
  noteCalendarDate(calendar, date, warnings);
  if (rule === 'keep' || calendar.isWorkingDay(date)) return date;
  if (rule === 'preceding-working-day') return step(date, -1, calendar, warnings);
  if (rule === 'following-working-day') return step(date, 1, calendar, warnings);
  throw new DeadlineRuleError('invalid-days', `Неизвестное правило последнего дня срока: ${String(rule)}`);
}
