import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OutboxTotalsDto } from '../outbox/event-outbox.responses';

/** Response shape of /health (OpenAPI → apps/web types). */
export class ProbeDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty() latencyMs!: number;
  @ApiPropertyOptional() error?: string;
}

export class ChannelAccountHealthDto {
  @ApiProperty() channel!: string;
  @ApiProperty() name!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty() syncStage!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSuccessAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastErrorAt!: string | null;
  @ApiProperty() consecutiveFailures!: number;
  @ApiProperty() itemsReceived!: number;
  @ApiProperty() itemsQuarantined!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastPullAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextPullAt!: string | null;
  @ApiProperty() pendingActions!: number;
  @ApiProperty() failedActions!: number;
}

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status!: string;
  @ApiProperty({ type: ProbeDto }) postgres!: ProbeDto;
  @ApiProperty({ type: ProbeDto }) redis!: ProbeDto;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'number' } },
    description: 'Очереди: число заданий по состояниям',
  })
  queues?: Record<string, Record<string, number>>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'number' } })
  inboundItems?: Record<string, number>;
  @ApiPropertyOptional({
    type: [ChannelAccountHealthDto],
    description: 'Учётные записи каналов с ошибками — только администратору',
  })
  channels?: ChannelAccountHealthDto[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'number' } },
    description: 'Сводка руководителю: по каналу — учётных записей (accounts) и сбоящих из них (failing)',
  })
  channelKinds?: Record<string, { accounts: number; failing: number }>;
  @ApiPropertyOptional({
    type: OutboxTotalsDto,
    description: 'Очередь событий истории для каналов: ждут, повторяются, не доставлены',
  })
  outbox?: OutboxTotalsDto;
  @ApiPropertyOptional({
    example: 1000,
    description:
      'Счётчики очередей (входящие, действия каналов, события истории) считаются до этого числа: равное ему значит «не меньше»',
  })
  countsCappedAt?: number;
}
