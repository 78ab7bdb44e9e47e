import { type AppealCard } from '../../api/types';
import { labelOf } from '../../lib/labels';
import { formatLongDate } from '../../lib/time';

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
  | 'fast-track'
  | 'rate'
  | 'assign'
  | 'close-withdrawn'
  | 'join'
  | 'exclude-from-incident'
  | 'add-to-incident'
  | null;

/** What a card action says when done: the text, or how to read it from what the action returned. */
export type Done = string | ((result: unknown) => string);

/**
 * What «Продлить срок» says when done, read from the card as it is after it (the production calendar and the
 * last-day rule are the server's): the new answer term in the appeal's zone, «Срок продлён до 12 января 2027 г.»;
 * for a line-2 request the viewer's part's new term, with its time.
 */
export function extendedNotice(card: AppealCard, kind: 'appeal' | 'line2', organisationId: string): string {
  if (kind === 'appeal')
    return `Срок продлён до ${formatLongDate(card.deadlines.answerDueAt, card.timeZone)}`;
  const part = card.organisations.find((o) => o.line === 2 && o.id === organisationId && o.extendedUntil);
  return part?.extendedUntil
    ? `Срок 2-й линии продлён до ${formatLongDate(part.extendedUntil, card.timeZone, true)}`
    : 'Срок 2-й линии продлён';
}

/** A withdrawal noted in the appeal's history (the first): who took it back, when, and the channel's reason. */
export interface Withdrawal {
  by: 'author' | 'channel';
  at: string;
  reason: string | null;
}

/** The appeal this one was joined into (its 'joined' event), if it was. */
export function joinedInto(card: AppealCard): { id: string; registrationNumber: string } | null {
  const d = card.history.find((e) => e.type === 'joined' && typeof e.data?.intoAppealId === 'string')?.data;
  return d
    ? { id: String(d.intoAppealId), registrationNumber: String(d.intoRegistrationNumber ?? '') }
    : null;
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

/** A button of the card's toolbar. */
export type CardAction =
  | 'take'
  | 'escalate'
  | 'assign'
  | 'fast-track'
  | 'return'
  | 'extend'
  | 'redirect'
  | 'join'
  | 'add-to-incident'
  | 'close'
  | 'rate';

/** Who looks at the card, as the toolbar needs them. */
export interface Viewer {
  id: string;
  role: string;
  organisationId: string;
}

/** The viewer's organisation's active line-2 part, where it has one (an administrator works none). */
export function ownPart(card: AppealCard, me: Viewer) {
  if (me.role === 'admin') return undefined;
  return card.organisations.find((o) => o.id === me.organisationId && o.line === 2 && o.state === 'active');
}

/** Whether the viewer holds what they would take: their organisation's part, else the appeal. */
export function heldBy(card: AppealCard, me: Viewer): boolean {
  const part = ownPart(card, me);
  return (part ? part.assigneeId : card.assigneeId) === me.id;
}

/**
 * Whether the card offers to close a withdrawn appeal without an answer: where the status model allows it, or
 * from any open status when its author withdrew it — by line 1, not a clerk (59-ФЗ ст. 5 п. 5; the close command
 * refuses a clerk that one, and an administrator any).
 */
export function closesWithdrawn(card: AppealCard, me: Viewer): boolean {
  const withdrawal = withdrawalOf(card);
  if (!withdrawal || !card.access.mayClose) return false;
  const open = OPEN.includes(card.status);
  return CLOSABLE.includes(card.status) || (withdrawal.by === 'author' && open && me.role !== 'clerk');
}

/**
 * The card's toolbar: each button where the api would let the viewer do it (the card's `access`, by the commands'
 * own rules) and the status allows it. An administrator was offered «Взять в работу», which is not theirs.
 */
export function cardToolbar(card: AppealCard, me: Viewer): CardAction[] {
  const open = OPEN.includes(card.status);
  const access = card.access;
  const shown: Record<CardAction, boolean> = {
    take: open && access.mayTake && !heldBy(card, me),
    escalate: open && access.mayEscalate,
    assign: open && access.mayAssign,
    // Line 1 and supervisors (who escalate) put an urgent appeal the rules missed on the fast-track term; not one
    // already on it or extended (FastTrackCommand).
    'fast-track': open && access.mayEscalate && !card.fastTrack && !card.deadlines.extended,
    return: open && access.mayReturn,
    extend: open && (access.mayExtendAppeal || access.mayExtendLine2),
    redirect: open && access.mayRedirect,
    // The same appeal sent twice: line 1 and supervisors (who escalate) join it into the earlier one (JoinCommand).
    join: open && access.mayEscalate,
    // A missed grouping: line 1 and supervisors add an open appeal in no incident to one (IncidentMembership).
    'add-to-incident': open && access.mayEscalate && !card.classification?.incidentId,
    // A withdrawn appeal closes from its notice, with the reason.
    close: ['answered', 'redirected'].includes(card.status) && access.mayClose && !closesWithdrawn(card, me),
    rate: ['answered', 'closed'].includes(card.status) && access.mayRate,
  };
  return (Object.keys(shown) as CardAction[]).filter((a) => shown[a]);
}

/**
 * The redirect dialog's title and note by what is redirected: a 59-ФЗ appeal under ч. 3 ст. 8 (within 7 days of
 * registration); a message outside 59-ФЗ (a social network's post, a private chat) has no 59-ФЗ redirect rule, and
 * the dialog cited it for one too.
 */
export function redirectDialogText(card: Pick<AppealCard, 'regime'>): { title: string; note: string } {
  return card.regime === 'appeal'
    ? {
        title: 'Направить по компетенции (ч. 3 ст. 8 59-ФЗ)',
        note: 'Обращение направляется в течение 7 дней со дня регистрации. Заявитель получит уведомление о переадресации.',
      }
    : {
        title: 'Направить сообщение по компетенции',
        note:
          'Это сообщение, а не обращение по 59-ФЗ: правила 59-ФЗ о переадресации к нему не применяются. ' +
          'Заявитель получит уведомление о том, куда передано его сообщение.',
      };
}

/** The kinds of extension the dialog offers: the 59-ФЗ term only for a 59-ФЗ appeal, the line-2 term to its holder. */
export function extensionKinds(card: AppealCard): ('appeal' | 'line2')[] {
  return [
    ...(card.access.mayExtendAppeal ? (['appeal'] as const) : []),
    ...(card.access.mayExtendLine2 ? (['line2'] as const) : []),
  ];
}
