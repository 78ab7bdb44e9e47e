import { DateTime } from 'luxon';
import {
  applyLastDayRule,
  endOfLocalDay,
  localDateOf,
  nthWorkingIntervalAfter,
  type OrganisationClock,
  ProductionCalendar,
  workingIntervalOn,
} from '@inbox/deadlines';
import { type ChangeRequestKind } from './knowledge.types';

/*
 * The knowledge base's terms, all counted on libs/deadlines: the production calendar, the organisation's
 * working hours and its IANA zone. "Within N working days" ends at the close of business of the N-th working
 * day after the day of the event (that day itself is not counted), as a person on duty reads it.
 */

/** S0 annex 2 п. 2.3: a change is approved (or returned) within 3 working days. */
export const KB_APPROVAL_WORKING_DAYS = 3;
/** S0 annex 2 п. 2.4: entered (published) within 2 working days of the approval. */
export const KB_PUBLICATION_WORKING_DAYS = 2;
/** S0 annex 2 п. 1: the topic set (classifier) for the KB is agreed within 5 working days … */
export const KB_TOPICS_APPROVAL_WORKING_DAYS = 5;
/** … п. 2: and entered within 5 working days. */
export const KB_TOPICS_ENTRY_WORKING_DAYS = 5;
/** S4 п. 41: every section is reviewed at least once a quarter (read as: within 3 months of the last review). */
export const KB_REVIEW_MONTHS = 3;
/** A request clock is "at risk" in its last 24 hours; a review in its last 14 days. */
export const KB_REQUEST_AT_RISK_HOURS = 24;
export const KB_REVIEW_AT_RISK_DAYS = 14;

/** The KB clocks. Stored in kb_clock_marks.clock: never rename a value. */
export enum KnowledgeClock {
  /** S0 annex 2 п. 2.2: a formed request goes to the responsible person the same day. */
  Send = 'kb-send',
  /** п. 2.3 (3 working days) or, for a topic set, п. 1 (5 working days). */
  Approval = 'kb-approval',
  /** п. 2.4 (2 working days) or, for a topic set, п. 2 (5 working days). */
  Publication = 'kb-publication',
  /** S4 п. 41: quarterly review of a section. */
  Review = 'kb-review',
}

export const KNOWLEDGE_CLOCK_RU: Record<KnowledgeClock, string> = {
  [KnowledgeClock.Send]: 'направления запроса на согласование',
  [KnowledgeClock.Approval]: 'согласования изменений',
  [KnowledgeClock.Publication]: 'внесения изменений в базу знаний',
  [KnowledgeClock.Review]: 'актуализации раздела',
};

const calendar = ProductionCalendar.russian();

/** Close of business of the n-th working day after the local date of `from`. */
export function closeOfNthWorkingDay(
  from: Date,
  workingDays: number,
  clock: OrganisationClock,
  cal: ProductionCalendar = calendar,
): Date {
  const date = localDateOf(from, clock.timeZone);
  return nthWorkingIntervalAfter(date, workingDays, clock, cal).end;
}

/** S0 annex 2 п. 2.2: "в день формирования запроса" — by the end of that day in the organisation's zone. */
export function sendDueAt(createdAt: Date, clock: OrganisationClock): Date {
  return endOfLocalDay(localDateOf(createdAt, clock.timeZone), clock.timeZone);
}

/** The request steps that run on working days: approval (or return) and entry into the KB. */
export type RequestStep = 'approval' | 'publication';

const STEP_WORKING_DAYS: Record<RequestStep, Record<ChangeRequestKind, number>> = {
  approval: { content: KB_APPROVAL_WORKING_DAYS, 'topic-set': KB_TOPICS_APPROVAL_WORKING_DAYS },
  publication: { content: KB_PUBLICATION_WORKING_DAYS, 'topic-set': KB_TOPICS_ENTRY_WORKING_DAYS },
};

/** When a step of a request is due: `from` is when the step began (sent for approval, approved). */
export function requestStepDueAt(
  step: RequestStep,
  from: Date,
  kind: ChangeRequestKind,
  clock: OrganisationClock,
  cal: ProductionCalendar = calendar,
): Date {
  return closeOfNthWorkingDay(from, STEP_WORKING_DAYS[step][kind], clock, cal);
}

/**
 * S4 п. 41: the next review is due 3 calendar months after the last one (or after the section was created).
 * A due date on a non-working day moves back to the preceding working day, so the quarter is never exceeded;
 * the clock ends at that day's close of business (the end of the day when the organisation does not work it).
 */
export function reviewDueAt(
  lastReviewedAt: Date,
  clock: OrganisationClock,
  cal: ProductionCalendar = calendar,
): Date {
  const local = DateTime.fromJSDate(lastReviewedAt, { zone: clock.timeZone })
    .plus({ months: KB_REVIEW_MONTHS })
    .toISODate() as string;
  const day = applyLastDayRule(local, 'preceding-working-day', cal);
  return workingIntervalOn(day, clock, cal)?.end ?? endOfLocalDay(day, clock.timeZone);
}
