import { ApiProperty } from '@nestjs/swagger';

/** Response shapes of /api/v1/event-outbox (OpenAPI → apps/web types). */
export class OutboxTotalsDto {
  @ApiProperty({ description: 'Ждут обработки (включая повторные попытки)' }) pending!: number;
  @ApiProperty({ description: 'Из них уже не удались хотя бы раз и ждут повтора' }) retrying!: number;
  @ApiProperty({ description: 'Не доставлены: отвергнуты каналом окончательно или после всех попыток' })
  dead!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) oldestPendingAt!: string | null;
}

export class ConsumerBacklogDto extends OutboxTotalsDto {
  @ApiProperty({ example: 'citizen-notices:telegram' }) consumer!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'С какого времени не удаётся самое давнее из повторяемых событий',
  })
  failingSince!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Последняя ошибка этого события' })
  lastError!: string | null;
}

export class DeadEventDto {
  @ApiProperty() consumer!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty({ format: 'uuid' }) appealId!: string;
  @ApiProperty() registrationNumber!: string;
  @ApiProperty() channel!: string;
  @ApiProperty() type!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) failedAt!: string;
}

export class EventOutboxDto {
  @ApiProperty({ type: OutboxTotalsDto }) totals!: OutboxTotalsDto;
  @ApiProperty({ type: [ConsumerBacklogDto] }) consumers!: ConsumerBacklogDto[];
  @ApiProperty({ type: [DeadEventDto], description: 'Последние 200 недоставленных' }) dead!: DeadEventDto[];
  @ApiProperty({ description: 'Попыток до признания недоставленным, не меньше (EVENT_HOOK_ATTEMPTS)' })
  attemptsBeforeDead!: number;
  @ApiProperty({
    description:
      'Сколько миллисекунд, не меньше, повторяется неудачное событие до признания недоставленным (EVENT_HOOK_RETRY_FOR_MS)',
  })
  retryForMs!: number;
}

export class RetriedDto {
  @ApiProperty({ description: 'Сколько событий поставлено на повтор' }) retried!: number;
}
