import { Injectable } from '@nestjs/common';
import { notFoundError } from '@inbox/common';
import { NotificationsRepository, type NotificationView } from './repositories/notifications.repository';

/** What staff are told (clock marks, returned parts, drafts sent back), read and marked read through the API. */
@Injectable()
export class StaffNotifications {
  constructor(private readonly notifications: NotificationsRepository) {}

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
   * Everything the person was shown marked read at once (a region supervisor is told of every term at risk): up
   * to the newest notification of the list they saw, so one that came in since stays unread.
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
