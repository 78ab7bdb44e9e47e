import { type Me, type Role } from '../api/types';
import { OPEN_STATUSES } from './labels';

export interface Queue {
  id: string;
  label: string;
  description: string;
  roles: Role[];
  /** API list parameters this queue stands for. */
  filter: (me: Me) => Record<string, string>;
}

const open = OPEN_STATUSES.join(',');
const ALL: Role[] = ['operator', 'clerk', 'head', 'supervisor', 'admin'];

export const QUEUES: Queue[] = [
  {
    id: 'new',
    label: 'Новые',
    description: 'Зарегистрированы, ещё не взяты в работу',
    roles: ['operator', 'supervisor', 'admin'],
    filter: () => ({ status: 'registered' }),
  },
  {
    id: 'organisation',
    label: 'Моей организации',
    description: 'Обращения на рассмотрении моей организации',
    roles: ['clerk', 'head', 'supervisor'],
    // Its part still open: one it returned, answered or had closed stays in the appeal (read-only to it) while
    // others work on, but is no longer the organisation's work (the queue counted it).
    filter: (me) => ({ organisationId: me.organisationId, holding: 'true', status: open }),
  },
  {
    id: 'mine',
    label: 'Мои',
    description: 'Назначены на меня',
    roles: ['operator', 'clerk', 'head', 'supervisor'],
    filter: () => ({ assigneeId: 'me', status: open }),
  },
  {
    id: 'unclassified',
    label: 'Без темы',
    description: 'Ручная классификация: тема не определена',
    roles: ['operator', 'supervisor', 'admin'],
    filter: () => ({ topicId: 'none', status: open }),
  },
  {
    id: 'approval',
    label: 'На согласовании',
    description: 'Проекты ответов коллег, которые вы можете согласовать',
    roles: ['operator', 'clerk', 'head', 'supervisor'],
    filter: () => ({ approval: 'mine', status: open }),
  },
  {
    id: 'escalated',
    label: 'На 2-й линии',
    description: 'Переданы в органы власти, ждут ответа',
    roles: ALL,
    filter: () => ({ status: 'escalated' }),
  },
  {
    id: 'returned',
    label: 'Возвращённые',
    description: 'Возвращены 2-й линией как направленные не по адресу',
    roles: ['operator', 'supervisor', 'admin'],
    filter: () => ({ status: 'returned' }),
  },
  {
    id: 'at-risk',
    label: 'Срок под угрозой',
    description: 'Срок истекает, ни один срок обращения ещё не нарушен',
    roles: ALL,
    filter: () => ({ clock: 'at-risk', status: open, sort: 'due' }),
  },
  {
    id: 'overdue',
    // Any broken term, not only the 59-ФЗ answer date the report's «Просрочен ответ (59-ФЗ)» counts: named so,
    // the two figures read together.
    label: 'Просроченные сроки',
    description:
      'Нарушен хотя бы один срок: передачи на 2-ю линию, ответа 2-й линии (1 рабочий день) или ответа заявителю (59-ФЗ)',
    roles: ALL,
    filter: () => ({ clock: 'overdue', status: open, sort: 'due' }),
  },
  {
    id: 'fast-track',
    label: 'Ускоренные',
    description: 'Ускоренное рассмотрение (угроза жизни, авария)',
    roles: ALL,
    filter: () => ({ fastTrack: 'true', status: open, sort: 'due' }),
  },
  {
    id: 'all',
    label: 'Все обращения',
    description: 'Все обращения в моей области видимости',
    roles: ALL,
    filter: () => ({}),
  },
];

export function queuesFor(me: Me): Queue[] {
  return QUEUES.filter((q) => q.roles.includes(me.role));
}

/**
 * The queue a role starts the day with. A head's is «На согласовании»: the organisation's answers wait there for
 * them alone (where there is a head, colleagues no longer approve), each on the citizen's clock, while the
 * organisation's appeals are the clerks' to work; the menu's counts show the rest.
 */
export function defaultQueue(me: Me): string {
  switch (me.role) {
    case 'clerk':
      return 'organisation';
    case 'head':
      return 'approval';
    case 'operator':
      return 'new';
    default:
      return 'all';
  }
}

/** The queues whose counts say what needs doing now: the role's own queue, approvals it may give, broken terms. */
export function actionQueues(me: Me): Queue[] {
  const ids = [defaultQueue(me), 'approval', 'overdue'];
  return queuesFor(me).filter((q) => ids.includes(q.id) && q.id !== 'all');
}
