import { Body, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiQuery } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { Staff, type StaffContext } from '@inbox/access';
import { StaffNotifications } from '@inbox/appeals';
import { NotificationDto } from './appeal.responses';
import { StaffController } from '../staff-controller';

export class ReadAllNotificationsDto {
  @ApiProperty({ description: 'Последнее (самое новое) из показанных уведомлений', example: '1042' })
  @Matches(/^\d{1,18}$/, { message: 'Укажите номер уведомления' })
  upToId!: string;
}

export class ReadAllNotificationsResponse {
  @ApiProperty({ description: 'Сколько уведомлений отмечено прочитанными' })
  marked!: number;
}

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

  @Post('read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Отметить прочитанными все уведомления до указанного включительно' })
  @ApiOkResponse({ type: ReadAllNotificationsResponse })
  readAll(@Body() body: ReadAllNotificationsDto, @Staff() staff: StaffContext) {
    return this.notifications.markAllRead(staff.user.id, body.upToId);
  }

  @Post(':id/read')
  @HttpCode(204)
  @ApiOperation({ summary: 'Отметить уведомление прочитанным' })
  async read(@Param('id') id: string, @Staff() staff: StaffContext) {
    await this.notifications.markRead(staff.user.id, id);
  }
}
