import { type AppealCard } from '../../api/types';
import { labelOf } from '../../lib/labels';

/** Statuses in which an appeal is still being worked on (actions and countdowns apply). */
export const OPEN = ['registered', 'in_work', 'escalated', 'returned', 'extended', 'reopened'];

/** Russian names of an organisation's role in an appeal. */
export const ORG_ROLE: Record<string, string> = {
  responsible: 'ответственная',
  'co-executor': '2-я линия',
  'management-centre': 'ЦУР',
  addressee: 'адресат',
};

/** An organisation's role in the appeal in Russian; one the workspace does not know yet reads as «участник». */
export const orgRoleLabel = (role: string) => labelOf(ORG_ROLE, role, 'участник');

/** How a line-2 part ended, for the inbox's «who holds it» line («Минжкх (вернула)»). */
export const PART_STATE: Record<string, string> = {
  active: 'в работе',
  returned: 'вернула',
  answered: 'ответила',
  withdrawn: 'отозвано',
  closed: 'закрыто',
};

/** A part's state in Russian; one the workspace does not know yet reads as «состояние уточняется». */
export const partStateLabel = (state: string) => labelOf(PART_STATE, state, 'состояние уточняется');

export type Dialog =
  | 'escalate'
  | 'return'
  | 'redirect'
  | 'extend'
  | 'rate'
  | 'assign'
  | 'close-withdrawn'
  | null;

/** A withdrawal noted in the appeal's history (the first): who took it back, when, and the channel's reason. */
export interface Withdrawal {
  by: 'author' | 'channel';
  at: string;
  reason: string | null;
}

export function withdrawalOf(card: AppealCard): Withdrawal | null {
  const event = card.history.find((e) => e.type === 'withdrawn');
  if (!event) return null;
  const d = event.data ?? {};
  return {
    by: d.by === 'channel' ? 'channel' : 'author',
    at: typeof d.at === 'string' ? d.at : event.occurredAt,
    reason: typeof d.reason === 'string' && d.reason.trim() ? d.reason.trim() : null,
  };
}

/**
 * Statuses any withdrawn appeal may be closed from without an answer: the status model's own ways to «closed»
 * (registered, and after an answer or a redirect). One its author withdrew closes from any open status too, by
 * line 1 (59-ФЗ ст. 5 п. 5: the citizen may ask that consideration stop).
 */
export const CLOSABLE = ['registered', 'answered', 'redirected'];

/** The reason the close dialog offers for a withdrawn appeal, ready to confirm or change. */
export function withdrawnCloseReason(w: Withdrawal): string {
  return w.by === 'channel'
    ? `Сообщение отклонено модератором канала${w.reason ? `: ${w.reason}` : ''}`
    : 'Заявитель отозвал обращение (удалил своё сообщение)';
}
