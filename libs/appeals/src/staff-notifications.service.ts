import { Injectable } from '@nestjs/common';
import { notFoundError } from '@inbox/common';
import { NotificationsRepository, type NotificationView } from './repositories/notifications.repository';

/** What staff are told (clock marks, returned parts, drafts sent back), read and marked read through the API. */
@Injectable()
export class StaffNotifications {
  constructor(private readonly notifications: NotificationsRepository) {}

  list(userId: string, options: { unreadOnly?: boolean; limit?: number } = {}): Promise<NotificationView[]> {
    return this.notifications.forUser(userId, {
      unreadOnly: options.unreadOnly ?? false,
      limit: Math.min(Math.max(options.limit ?? 50, 1), 200),
    });
  }

  async markRead(userId: string, id: string): Promise<void> {
    if (!/^\d{1,18}$/.test(id) || !(await this.notifications.markRead(userId, id))) {
      throw notFoundError('Уведомление не найдено');
    }
  }
}
