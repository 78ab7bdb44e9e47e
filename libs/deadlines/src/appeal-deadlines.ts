import { ProductionCalendar } from './calendar/production-calendar';
import { DeadlineRuleError } from './errors';
import {
  addCalendarDays,
  assertInstant,
  assertLocalDate,
  assertTimeZone,
  endOfLocalDay,
  localDateOf,
  type LocalDate,
} from './local-date';
import { noteCalendarDate, type DeadlineWarning } from './warnings';
import { applyLastDayRule, DEFAULT_LAST_DAY_RULE, type LastDayRule } from './working-days';

/** 59-ФЗ ст. 12 ч. 1: answer within 30 days of registration. */
export const APPEAL_ANSWER_DAYS = 30;
/** Regional rule: fast-track appeals are answered within 10 days of registration. */
export const FAST_TRACK_ANSWER_DAYS = 10;
/** 59-ФЗ ст. 8 ч. 2: register within 3 days of receipt. */
export const REGISTRATION_DAYS = 3;
/** 59-ФЗ ст. 8 ч. 3: redirect to the competent body within 7 days of registration. */
export const REDIRECT_DAYS = 7;
/** 59-ФЗ ст. 12 ч. 2: the term may be extended once, by no more than 30 days. */
export const MAX_EXTENSION_DAYS = 30;

export interface AppealDeadlineInput {
  receivedAt: Date;
  registeredAt: Date;
  fastTrack: boolean;
  /** IANA zone of the registering body; local dates (and hence due dates) depend on it. */
  timeZone: string;
  calendar?: ProductionCalendar;
  lastDayRule?: LastDayRule;
  /** Defaults to 30 (59-ФЗ ст. 12 ч. 1). */
  answerDays?: number;
  /** Defaults to 10 (regional fast-track rule). */
  fastTrackDays?: number;
}

export interface AppealDeadlines {
  /** End of the local day receipt + 3 calendar days. */
  registrationDueAt: Date;
  /** Registration local date + 30 (or 10) calendar days, then the last-day rule. */
  answerDueDate: LocalDate;
  /** End of answerDueDate in the zone. */
  answerDueAt: Date;
  /** End of the local day registration + 7 calendar days. */
  redirectDueAt: Date;
  /** 30 or 10 (or the configured override). */
  termDays: number;
  warnings: DeadlineWarning[];
}

function positiveDays(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new DeadlineRuleError(
      'invalid-days',
      `${name}: нужно целое положительное число, получено ${value}`,
    );
  }
  return value;
}

/**
 * Statutory deadlines of a written appeal under 59-ФЗ. Terms run in calendar days from the day after
 * the event (ГК РФ ст. 191), so "registered 1 March + 30 days" ends on 31 March. Only the answer
 * term is subject to the last-day rule: the product spec keeps registration and redirection as plain
 * calendar terms.
 */
export function computeAppealDeadlines(input: AppealDeadlineInput): AppealDeadlines {
  const timeZone = assertTimeZone(input.timeZone);
  assertInstant(input.receivedAt, 'receivedAt');
  assertInstant(input.registeredAt, 'registeredAt');
  const calendar = input.calendar ?? ProductionCalendar.russian();
  const rule = input.lastDayRule ?? DEFAULT_LAST_DAY_RULE;
  const termDays = input.fastTrack
    ? positiveDays(input.fastTrackDays ?? FAST_TRACK_ANSWER_DAYS, 'fastTrackDays')
    : positiveDays(input.answerDays ?? APPEAL_ANSWER_DAYS, 'answerDays');
  const warnings: DeadlineWarning[] = [];

  const receiptDate = localDateOf(input.receivedAt, timeZone);
  const registrationDate = localDateOf(input.registeredAt, timeZone);

  const nominalAnswerDate = addCalendarDays(registrationDate, termDays);
  const answerDueDate = applyLastDayRule(nominalAnswerDate, rule, calendar, warnings);
  noteCalendarDate(calendar, answerDueDate, warnings);

  return {
    registrationDueAt: endOfLocalDay(addCalendarDays(receiptDate, REGISTRATION_DAYS), timeZone),
    answerDueDate,
    answerDueAt: endOfLocalDay(answerDueDate, timeZone),
    redirectDueAt: endOfLocalDay(addCalendarDays(registrationDate, REDIRECT_DAYS), timeZone),
    termDays,
    warnings,
  };
}

/** An appeal as stored: the instants and the zone its fast-track term runs from. */
export interface FastTrackAppeal {
  received_at: Date | string;
  registered_at: Date | string;
  time_zone: string;
}

/** The region's term settings (AppConfig carries them): only these shape a fast-track term. */
export interface FastTrackSettings {
  lastDayRule?: LastDayRule;
  fastTrackDays?: number;
}

/**
 * The fast-track term of a stored appeal (10 days from registration, R4) under the region's settings: one
 * computation for a person's fast-track and a rule's match in the classification pass, so the two never differ.
 */
export function fastTrackTerm(
  appeal: FastTrackAppeal,
  settings: FastTrackSettings,
  calendar?: ProductionCalendar,
): AppealDeadlines {
  return computeAppealDeadlines({
    receivedAt: new Date(appeal.received_at),
    registeredAt: new Date(appeal.registered_at),
    fastTrack: true,
    timeZone: appeal.time_zone,
    calendar,
    lastDayRule: settings.lastDayRule,
    fastTrackDays: settings.fastTrackDays,
  });
}

export interface ExtendAnswerDeadlineInput {
  currentDueDate: LocalDate;
  days: number;
  timeZone: string;
  alreadyExtended: boolean;
  calendar?: ProductionCalendar;
  lastDayRule?: LastDayRule;
}

/**
 * Extends the answer term once by 1–30 calendar days (59-ФЗ ст. 12 ч. 2), counted from the current due
 * date, then applies the last-day rule. Throws DeadlineRuleError for a second extension or a bad length.
 */
export function extendAnswerDeadline(input: ExtendAnswerDeadlineInput): {
  answerDueDate: LocalDate;
  answerDueAt: Date;
  warnings: DeadlineWarning[];
} {
  const timeZone = assertTimeZone(input.timeZone);
  assertLocalDate(input.currentDueDate);
  if (input.alreadyExtended) {
    throw new DeadlineRuleError(
      'already-extended',
      'Срок ответа уже продлевался: ч. 2 ст. 12 59-ФЗ допускает одно продление',
    );
  }
  if (!Number.isInteger(input.days) || input.days < 1) {
    throw new DeadlineRuleError(
      'invalid-days',
      `Продление — целое положительное число дней, получено ${input.days}`,
    );
  }
  if (input.days > MAX_EXTENSION_DAYS) {
    throw new DeadlineRuleError(
      'extension-too-long',
      `Продление на ${input.days} дн. больше ${MAX_EXTENSION_DAYS} дней, допустимых ч. 2 ст. 12 59-ФЗ`,
    );
  }
  const calendar = input.calendar ?? ProductionCalendar.russian();
  const warnings: DeadlineWarning[] = [];
  const nominal = addCalendarDays(input.currentDueDate, input.days);
  const answerDueDate = applyLastDayRule(
    nominal,
    input.lastDayRule ?? DEFAULT_LAST_DAY_RULE,
    calendar,
    warnings,
  );
  noteCalendarDate(calendar, answerDueDate, warnings);
  return { answerDueDate, answerDueAt: endOfLocalDay(answerDueDate, timeZone), warnings };
}
