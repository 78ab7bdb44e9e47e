import { Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiQuery } from '@nestjs/swagger';
import { Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { FailedDeliveries } from '@inbox/delivery';
import { StaffController } from '../staff-controller';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

export class FailedDeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) appealId!: string;
  @ApiProperty() registrationNumber!: string;
  @ApiProperty({ description: 'Канал, через который сообщение не дошло' }) channel!: string;
  @ApiProperty({ description: 'answer, rating-request, status-notice…' }) kind!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Причина последней неудачи' })
  lastError!: string | null;
  @ApiProperty({
    description:
      'Попытка прервалась между отправкой и подтверждением: заявитель мог получить сообщение — повторить или отметить доставленным',
  })
  interrupted!: boolean;
  @ApiProperty({
    description:
      'Сообщение уходит несколькими частями: сколько из них уже у заявителя (повтор отправит только остальные); 0 — ни одной',
  })
  partsSent!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Из скольких частей состоит сообщение' })
  partsTotal!: number | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) failedAt!: Date | null;
}

/** Failed deliveries to citizens: a queue staff see within their scope and retry (issue 12, Build 5). */
@StaffController('api/v1', 'deliveries')
@Roles(Role.Operator, Role.Clerk, Role.Head, Role.Supervisor)
export class DeliveriesController {
  constructor(private readonly failed: FailedDeliveries) {}

  @Get('deliveries/failed')
  @ApiOperation({ summary: 'Недоставленные сообщения заявителям в моей области видимости, новые — первыми' })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiOkResponse({ type: [FailedDeliveryDto] })
  list(@Staff() staff: StaffContext, @Query('limit') limit?: string): Promise<FailedDeliveryDto[]> {
    return this.failed.list(staff.scope, limit && /^\d{1,4}$/.test(limit) ? Number(limit) : undefined);
  }

  @Post('appeals/:id/deliveries/:messageId/retry')
  @HttpCode(204)
  @ApiOperation({ summary: 'Повторить доставку недоставленного сообщения' })
  async retry(
    @Param('id', uuid) id: string,
    @Param('messageId', uuid) messageId: string,
    @Staff() staff: StaffContext,
  ): Promise<void> {
    await this.failed.retry(staff.scope, id, messageId);
  }

  @Post('appeals/:id/deliveries/:messageId/mark-delivered')
  @HttpCode(204)
  @ApiOperation({ summary: 'Отметить доставленным сообщение, доставка которого была прервана' })
  async markDelivered(
    @Param('id', uuid) id: string,
    @Param('messageId', uuid) messageId: string,
    @Staff() staff: StaffContext,
  ): Promise<void> {
    await this.failed.markDelivered(staff.scope, id, messageId);
  }
}
