import { Body, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import { IsBooleanString, IsOptional, Matches } from 'class-validator';
import { Staff, type StaffContext } from '@inbox/access';
import { type NotificationGroupKind, StaffNotifications } from '@inbox/appeals';
import { NotificationDto } from './appeal.responses';
import { StaffController } from '../staff-controller';

export class ReadAllNotificationsDto {
  @ApiProperty({ description: 'Последнее (самое новое) из показанных уведомлений', example: '1042' })
  @Matches(/^\d{1,18}$/, { message: 'Укажите номер уведомления' })
  upToId!: string;
}

export class NotificationListQueryDto {
  @ApiProperty({ required: false, description: 'Только непрочитанные' })
  @IsOptional()
  @IsBooleanString({ message: 'Укажите true или false' })
  unread?: string;

  @ApiProperty({ required: false, description: 'Сколько уведомлений на странице (1–200, по умолчанию 50)' })
  @IsOptional()
  @Matches(/^\d{1,3}$/, { message: 'Укажите число от 1 до 200' })
  limit?: string;

  @ApiProperty({
    required: false,
    description: 'Следующая страница: уведомления старше указанного (номер последнего показанного)',
    example: '1042',
  })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'Укажите номер уведомления' })
  before?: string;
}

export class UnreadNotificationsDto {
  @ApiProperty({ description: 'Сколько непрочитанных уведомлений всего (не только на первой странице)' })
  unread!: number;
}

export class NotificationGroupDto {
  @ApiProperty({
    enum: ['overdue', 'at-risk', 'fast-track-new', 'returned'],
    description:
      'overdue — нарушен срок, at-risk — срок под угрозой, fast-track-new — новые ускоренные, returned — возвращены 2-й линией',
  })
  kind!: NotificationGroupKind;

  @ApiProperty({ description: 'Сколько обращений в моей области видимости (вся очередь, не страница)' })
  count!: number;
}

export class NotificationSummaryDto {
  @ApiProperty({
    type: [NotificationGroupDto],
    description: 'Что ждёт действий моей роли; группы без обращений не приходят',
  })
  groups!: NotificationGroupDto[];
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
  @ApiOperation({
    summary:
      'Мои уведомления (сроки, возвраты, проекты на доработку), новые — первыми, по страницам (before)',
  })
  @ApiOkResponse({ type: [NotificationDto] })
  list(@Staff() staff: StaffContext, @Query() query: NotificationListQueryDto) {
    return this.notifications.list(staff.user.id, {
      unreadOnly: query.unread === 'true',
      limit: query.limit === undefined ? undefined : Number(query.limit),
      before: query.before,
    });
  }

  @Get('summary')
  @ApiOperation({
    summary:
      'Что ждёт моих действий, числом по группам: просроченные, под угрозой, новые ускоренные, возвращённые 2-й линией',
  })
  @ApiOkResponse({ type: NotificationSummaryDto })
  summary(@Staff() staff: StaffContext) {
    return this.notifications.summary(staff.scope);
  }

  @Get('unread-count')
  @ApiOperation({ summary: 'Сколько у меня непрочитанных уведомлений' })
  @ApiOkResponse({ type: UnreadNotificationsDto })
  unreadCount(@Staff() staff: StaffContext) {
    return this.notifications.unreadCount(staff.user.id);
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
