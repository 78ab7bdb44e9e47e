import { escalationDueAt } from '@inbox/deadlines';

/** The clocks the watcher runs. Stored in clock_marks.clock: never rename a value. */
export enum ClockName {
  /** 59-ФЗ ст. 12 (30 days) or the fast-track term: the appeal's answer, held by the responsible body. */
  Answer = 'answer',
  /** S1: line 2 answers within 1 working day (after 16:00 → 16:00 next working day), extendable to 5. */
  Line2Answer = 'line2-answer',
  /** S1: line 1 escalates to line 2 within 15 minutes of arrival. */
  Escalation = 'escalation',
}

/** Stored in clock_marks.kind (the table's CHECK lists the same two). */
export type ClockMarkKind = 'at-risk' | 'overdue';

export const CLOCK_MARK_KINDS: readonly ClockMarkKind[] = ['at-risk', 'overdue'];

/** «Срок …» in notification texts: the genitive of what is due. */
export const CLOCK_TEXT_RU: Record<ClockName, string> = {
  [ClockName.Answer]: 'ответа',
  [ClockName.Line2Answer]: 'ответа 2-й линии',
  [ClockName.Escalation]: 'передачи на 2-ю линию',
};

/**
 * Escalation due time for a newly registered appeal, or null when its channel has no escalation clock.
 * For the workflow that sets appeals.escalation_due_at; the channels come from ESCALATION_CLOCK_CHANNELS.
 */
export function escalationClockDueAt(
  channel: string,
  registeredAt: Date,
  channels: readonly string[],
): Date | null {
  return channels.includes(channel) ? escalationDueAt(registeredAt) : null;
}
