import { Injectable } from '@nestjs/common';
import { type AccessScope, Role } from '@inbox/access';
import { notFoundError } from '@inbox/common';
import { AppealStatus, OPEN_STATUSES } from './appeal-status';
import { type AppealListFilter, AppealsRepository } from './repositories/appeals.repository';
import { NotificationsRepository, type NotificationView } from './repositories/notifications.repository';

/** What a role must act on, counted over its scope rather than told appeal by appeal. */
export type NotificationGroupKind = 'overdue' | 'at-risk' | 'fast-track-new' | 'returned';

export interface NotificationGroup {
  kind: NotificationGroupKind;
  /** Appeals in the viewer's scope: the whole count of the workspace queue it opens. */
  count: number;
}

/**
 * Each group is a workspace queue's filter (apps/web lib/queues: «Просроченные сроки», «Срок под угрозой»,
 * «Новые» with «Ускоренные», «Возвращённые»), so the count the list shows is the count the queue opens with.
 * Line 1 hears of an unassigned appeal's term from no one (the clock sweep tells its holder, else the holding
 * organisation's clerks and heads, and supervisors): counted here, it is in the list however many there are.
 */
const GROUPS: { kind: NotificationGroupKind; roles: Role[]; filter: AppealListFilter }[] = [
  {
    kind: 'overdue',
    roles: [Role.Operator, Role.Clerk, Role.Head, Role.Supervisor],
    filter: { clock: 'overdue', status: [...OPEN_STATUSES] },
  },
  {
    kind: 'at-risk',
    roles: [Role.Operator, Role.Clerk, Role.Head, Role.Supervisor],
    filter: { clock: 'at-risk', status: [...OPEN_STATUSES] },
  },
  {
    kind: 'fast-track-new',
    roles: [Role.Operator, Role.Supervisor],
    filter: { fastTrack: true, status: [AppealStatus.Registered] },
  },
  {
    kind: 'returned',
    roles: [Role.Operator, Role.Supervisor],
    filter: { status: [AppealStatus.Returned] },
  },
];

/** What staff are told (clock marks, returned parts, drafts sent back), read and marked read through the API. */
@Injectable()
export class StaffNotifications {
  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly appeals: AppealsRepository,
  ) {}

  /**
   * What waits for the viewer's role in its scope, a count per group (none when nothing waits): the counts the
   * queues' own indexes give (the overdue flag's, the marks', the status's), as the menu's counters read them.
   */
  async summary(scope: AccessScope): Promise<{ groups: NotificationGroup[] }> {
    const mine = GROUPS.filter((g) => g.roles.includes(scope.role));
    const counts = await Promise.all(mine.map((g) => this.appeals.count(g.filter, scope)));
    return {
      groups: mine.map((g, i) => ({ kind: g.kind, count: counts[i].total })).filter((g) => g.count > 0),
    };
  }

  /** Newest first, a page at a time: `before` is the last (oldest) notification of the page shown. */
  list(
    userId: string,
    options: { unreadOnly?: boolean; limit?: number; before?: string } = {},
  ): Promise<NotificationView[]> {
    return this.notifications.forUser(userId, {
      unreadOnly: options.unreadOnly ?? false,
      limit: Math.min(Math.max(options.limit ?? 50, 1), 200),
      before: options.before ?? null,
    });
  }

  /** How many are unread in all: the header's count, whatever page of the list is loaded. */
  async unreadCount(userId: string): Promise<{ unread: number }> {
    return { unread: await this.notifications.unreadCount(userId) };
  }

  /**
   * Everything the person was shown marked read at once: up to the newest notification of the list they saw, so
   * one that came in since (or a counted notice updated since: it takes a new id) stays unread.
   */
  async markAllRead(userId: string, upToId: string): Promise<{ marked: number }> {
    return { marked: await this.notifications.markAllRead(userId, upToId) };
  }

  async markRead(userId: string, id: string): Promise<void> {
    if (!/^\d{1,18}$/.test(id) || !(await this.notifications.markRead(userId, id))) {
      throw notFoundError('Уведомление не найдено');
    }
  }
}
