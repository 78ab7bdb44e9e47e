import { Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery } from '@nestjs/swagger';
import { Staff, type StaffContext } from '@inbox/access';
import { StaffNotifications } from '@inbox/appeals';
import { NotificationDto } from './appeal.responses';
import { StaffController } from '../staff-controller';

/** The signed-in staff member's notifications: clock marks, returned parts, drafts sent back. */
@StaffController('api/v1/notifications', 'notifications')
export class NotificationsController {
  constructor(private readonly notifications: StaffNotifications) {}

  @Get()
  @ApiOperation({ summary: 'Мои уведомления (сроки, возвраты, проекты на доработку), новые — первыми' })
  @ApiQuery({ name: 'unread', required: false, type: Boolean })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiOkResponse({ type: [NotificationDto] })
  list(@Staff() staff: StaffContext, @Query('unread') unread?: string, @Query('limit') limit?: string) {
    return this.notifications.list(staff.user.id, {
      unreadOnly: unread === 'true',
      limit: limit && /^\d+$/.test(limit) ? Number(limit) : undefined,
    });
  }

  @Post(':id/read')
  @HttpCode(204)
  @ApiOperation({ summary: 'Отметить уведомление прочитанным' })
  async read(@Param('id') id: string, @Staff() staff: StaffContext) {
    await this.notifications.markRead(staff.user.id, id);
  }
}
