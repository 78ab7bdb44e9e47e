/**
 * Pure deadline arithmetic for appeals: 59-ФЗ terms, the Russian production calendar and the
 * line-1/line-2 clocks of the regional regulations. No I/O, no Nest; all instants are UTC `Date`s,
 * all local dates are 'YYYY-MM-DD' strings in the organisation's IANA zone.
 */
export { ZONE_CITY, zoneLabelSql } from './zone-names';
export { DeadlineRuleError, type DeadlineRuleErrorCode } from './errors';
export {
  addCalendarDays,
  endOfLocalDay,
  isoWeekday,
  localDateOf,
  russianLocalDate,
  startOfLocalDay,
  type LocalDate,
} from './local-date';
export {
  ProductionCalendar,
  type CalendarYearData,
  type CalendarYearSummary,
  type DayKind,
} from './calendar/production-calendar';
export { calendarWarning, type DeadlineWarning, type DeadlineWarningCode } from './warnings';
export {
  addWorkingDays,
  applyLastDayRule,
  DEFAULT_LAST_DAY_RULE,
  nextWorkingDay,
  type LastDayRule,
} from './working-days';
export {
  APPEAL_ANSWER_DAYS,
  computeAppealDeadlines,
  extendAnswerDeadline,
  FAST_TRACK_ANSWER_DAYS,
  fastTrackTerm,
  MAX_EXTENSION_DAYS,
  REDIRECT_DAYS,
  REGISTRATION_DAYS,
  type AppealDeadlineInput,
  type AppealDeadlines,
  type ExtendAnswerDeadlineInput,
  type FastTrackAppeal,
  type FastTrackSettings,
} from './appeal-deadlines';
export {
  addWorkingMinutes,
  DEFAULT_WORKING_HOURS,
  isWithinWorkingHours,
  nthWorkingIntervalAfter,
  workingIntervalOn,
  type OrganisationClock,
  type WorkingHours,
  type WorkingInterval,
} from './working-hours';
export {
  assertLine2Extension,
  escalationDueAt,
  line2AnswerDueAt,
  line2ExtensionLimitAt,
  LINE1_ESCALATION_MINUTES,
  LINE2_ANSWER_WORKING_DAYS,
  LINE2_CUTOFF,
  LINE2_MAX_WORKING_DAYS,
  MISROUTED_RETURN_WORKING_MINUTES,
  misroutedReturnDueAt,
} from './line-clocks';
