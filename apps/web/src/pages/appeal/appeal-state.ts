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

export type Dialog = 'escalate' | 'return' | 'redirect' | 'extend' | 'rate' | 'assign' | null;
