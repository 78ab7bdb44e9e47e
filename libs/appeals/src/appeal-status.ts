/** Where an appeal stands. Stored as text: never rename a value. */
export enum AppealStatus {
  Registered = 'registered',
  InWork = 'in_work',
  /** Sent on to line 2 (one or several organisations), waiting for their answer. */
  Escalated = 'escalated',
  /** An organisation sent it back as misrouted; line 1 must route it again. */
  Returned = 'returned',
  /** Forwarded to another competent body (59-ФЗ ст. 8 ч. 3); ours is done once the notice is sent. */
  Redirected = 'redirected',
  Extended = 'extended',
  Answered = 'answered',
  Closed = 'closed',
  /** Opened again, e.g. after a poor rating, at the superior organisation. */
  Reopened = 'reopened',
}

export const APPEAL_STATUS_TEXT_RU: Record<AppealStatus, string> = {
  [AppealStatus.Registered]: 'Зарегистрировано',
  [AppealStatus.InWork]: 'На рассмотрении',
  [AppealStatus.Escalated]: 'Передано в профильный орган',
  [AppealStatus.Returned]: 'Возвращено для переадресации',
  [AppealStatus.Redirected]: 'Перенаправлено по компетенции',
  [AppealStatus.Extended]: 'Срок рассмотрения продлён',
  [AppealStatus.Answered]: 'Дан ответ',
  [AppealStatus.Closed]: 'Рассмотрение завершено',
  [AppealStatus.Reopened]: 'Направлено на повторное рассмотрение',
};

/**
 * The status as the citizen reads it (the status page, the bot): the staff's words, except where they name the
 * centre's own routing — an appeal returned between organisations is, for the citizen, still being considered.
 */
export const CITIZEN_STATUS_TEXT_RU: Record<AppealStatus, string> = {
  ...APPEAL_STATUS_TEXT_RU,
  [AppealStatus.Returned]: 'На рассмотрении',
};

const S = AppealStatus;
const TRANSITIONS: Record<AppealStatus, readonly AppealStatus[]> = {
  [S.Registered]: [S.InWork, S.Escalated, S.Redirected, S.Answered, S.Closed],
  [S.InWork]: [S.Escalated, S.Returned, S.Redirected, S.Extended, S.Answered, S.Reopened],
  // An escalated appeal is reopened when one organisation's answer is rated poorly while others still work.
  [S.Escalated]: [S.InWork, S.Returned, S.Extended, S.Answered, S.Reopened],
  [S.Returned]: [S.InWork, S.Escalated, S.Redirected, S.Answered],
  [S.Redirected]: [S.Closed, S.Reopened],
  [S.Extended]: [S.InWork, S.Escalated, S.Returned, S.Redirected, S.Answered, S.Reopened],
  [S.Answered]: [S.Closed, S.Reopened],
  [S.Closed]: [S.Reopened],
  [S.Reopened]: [S.InWork, S.Escalated, S.Returned, S.Redirected, S.Extended, S.Answered],
};

/** Statuses in which the appeal is still being handled: follow-ups join it and its clocks run. */
export const OPEN_STATUSES: readonly AppealStatus[] = [
  S.Registered,
  S.InWork,
  S.Escalated,
  S.Returned,
  S.Extended,
  S.Reopened,
];

export class InvalidTransitionError extends Error {
  constructor(
    readonly from: AppealStatus,
    readonly to: AppealStatus,
  ) {
    super(
      `Нельзя перевести обращение из статуса «${APPEAL_STATUS_TEXT_RU[from]}» в «${APPEAL_STATUS_TEXT_RU[to]}»`,
    );
    this.name = 'InvalidTransitionError';
  }
}

export function canTransition(from: AppealStatus, to: AppealStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: AppealStatus, to: AppealStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}

export function allowedTransitions(from: AppealStatus): readonly AppealStatus[] {
  return TRANSITIONS[from];
}

export function isAppealStatus(value: unknown): value is AppealStatus {
  return typeof value === 'string' && (Object.values(AppealStatus) as string[]).includes(value);
}
