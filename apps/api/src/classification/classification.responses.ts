import { ApiProperty } from '@nestjs/swagger';

/** Response shapes of the classification administration (OpenAPI → apps/web types). */
export class ClassifierModelDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'topic' }) target!: string;
  @ApiProperty() path!: string;
  @ApiProperty({ enum: ['candidate', 'promoted', 'rejected', 'retired'] }) status!:
    | 'candidate'
    | 'promoted'
    | 'rejected'
    | 'retired';
  @ApiProperty() trainedRows!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Оценки: heldBack.candidate/current (macroF1, accuracy, rows), calibration, latencyMs, decision, trigger',
  })
  scores!: Record<string, unknown>;
  @ApiProperty({ type: Number, nullable: true }) sizeBytes!: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) promotedAt!: string | null;
}

export class RuleTopicRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
}

export class FastTrackRuleResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) topicId!: string | null;
  @ApiProperty({ type: [String] }) keywords!: string[];
  @ApiProperty({ type: [String] }) channels!: string[];
  @ApiProperty({ type: [Number] }) months!: number[];
  @ApiProperty() active!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: RuleTopicRefDto, nullable: true }) topic!: RuleTopicRefDto | null;
}

export class IncidentSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) topicId!: string | null;
  @ApiProperty({ type: String, nullable: true }) topicName!: string | null;
  @ApiProperty({ enum: ['open', 'answered', 'closed'] }) status!: string;
  @ApiProperty() appealsCount!: number;
  @ApiProperty({ format: 'date-time' }) firstAt!: string;
  @ApiProperty({ format: 'date-time' }) lastAt!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) answeredAt!: string | null;
  @ApiProperty({ type: [String] }) channels!: string[];
}

export class IncidentPageDto {
  @ApiProperty({ type: [IncidentSummaryDto] }) items!: IncidentSummaryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
