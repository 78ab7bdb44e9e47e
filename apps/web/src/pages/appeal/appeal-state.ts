/** Statuses in which an appeal is still being worked on (actions and countdowns apply). */
export const OPEN = ['registered', 'in_work', 'escalated', 'returned', 'extended', 'reopened'];

/** Russian names of an organisation's role in an appeal. */
export const ORG_ROLE: Record<string, string> = {
  responsible: 'ответственная',
  'co-executor': '2-я линия',
  'management-centre': 'ЦУР',
  addressee: 'адресат',
};

export type Dialog = 'escalate' | 'return' | 'redirect' | 'extend' | 'rate' | 'assign' | null;
