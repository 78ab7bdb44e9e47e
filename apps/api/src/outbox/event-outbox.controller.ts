import { Body, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { AuditLog, Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { EventOutboxPanel } from '@inbox/channels';
import { EventOutboxDto, RetriedDto } from './event-outbox.responses';
import { StaffController } from '../staff-controller';
import { staffAction } from '../staff-action';

class RetryDeadDto {
  @ApiPropertyOptional({
    description: 'Потребитель (например, citizen-notices:telegram); без него — все потребители',
    example: 'citizen-notices:telegram',
  })
  @IsOptional()
  @IsString({ message: 'Потребитель — строка' })
  @MaxLength(200, { message: 'Слишком длинное имя потребителя' })
  consumer?: string;

  @ApiPropertyOptional({ description: 'Номер события истории; без него — все недоставленные события' })
  @IsOptional()
  @IsString({ message: 'Номер события — строка из цифр' })
  @Matches(/^[1-9][0-9]{0,17}$/, { message: 'Номер события — строка из цифр' })
  eventId?: string;
}

/** Consumers of the appeals' history that failed for good, and the administrator's retry (issue 15). */
@StaffController('api/v1/event-outbox', 'event-outbox', { forbidden: true })
export class EventOutboxController {
  constructor(
    private readonly panel: EventOutboxPanel,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  @Roles(Role.Admin)
  @ApiOperation({
    summary:
      'Очередь событий истории для каналов (уведомления, статусы ПОС, квитанции МЭДО…): что ждёт, что повторяется, что не доставлено',
  })
  @ApiOkResponse({ type: EventOutboxDto })
  overview() {
    return this.panel.overview();
  }

  @Post('retry')
  @HttpCode(200)
  @Roles(Role.Admin)
  @ApiOperation({
    summary:
      'Повторить недоставленные события: одно (потребитель и номер события), все одного потребителя или все',
  })
  @ApiOkResponse({ type: RetriedDto })
  async retry(@Body() body: RetryDeadDto, @Staff() staff: StaffContext) {
    const retried = await this.panel.retry({ consumer: body.consumer, eventId: body.eventId });
    await this.audit.record(
      staffAction(staff, 'retry-dead-events', 'event-outbox', body.eventId ?? null, {
        consumer: body.consumer ?? null,
        eventId: body.eventId ?? null,
        retried,
      }),
    );
    return { retried };
  }
}
