import { ApiProperty, OmitType } from '@nestjs/swagger';

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

export class CorrectionDto {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'uuid' }) appealId!: string;
  @ApiProperty({ example: '2026-000123' }) registrationNumber!: string;
  @ApiProperty({ enum: ['topic', 'routing'] }) kind!: 'topic' | 'routing';
  @ApiProperty({ description: 'Кто исправил: id сотрудника или system' }) actor!: string;
  @ApiProperty({ type: String, nullable: true, description: 'ФИО сотрудника' }) actorName!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Что было: тема — topicId, subtopicId, by (auto-classified, classification-queued, classified), confidence, reason; маршрут — organisationIds или organisationId',
  })
  before!: Record<string, unknown>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Что стало: тема — topicId, subtopicId; маршрут — organisationIds и reason (escalated) или reason returned',
  })
  after!: Record<string, unknown>;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Модель, чей выбор исправлен' })
  modelId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class CorrectionPageDto {
  @ApiProperty({ type: [CorrectionDto] }) items!: CorrectionDto[];
  @ApiProperty({ description: 'Всего исправлений по фильтру' }) total!: number;
}

export class RetrainStartedDto {
  @ApiProperty({ example: 'retrain:6f1c…' }) jobId!: string;
  @ApiProperty({ enum: ['queued'] }) status!: 'queued';
}

class TrainingLineErrorDto {
  @ApiProperty() line!: number;
  @ApiProperty() message!: string;
}

export class TrainingImportDto {
  @ApiProperty({ format: 'uuid' }) batchId!: string;
  @ApiProperty({ description: 'Сохранено строк' }) stored!: number;
  @ApiProperty({ type: [TrainingLineErrorDto], description: 'Отклонённые строки (до 200)' })
  errors!: TrainingLineErrorDto[];
  @ApiProperty({ description: 'Всего отклонённых строк' }) errorCount!: number;
}

export class TrainingBatchDto {
  @ApiProperty({ format: 'uuid' }) batchId!: string;
  @ApiProperty() rows!: number;
  @ApiProperty({ description: 'Разных тем и подтем' }) labels!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class RetrainStatusDto {
  @ApiProperty() jobId!: string;
  @ApiProperty({ enum: ['waiting', 'delayed', 'active', 'completed', 'failed', 'paused', 'stuck'] })
  state!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Ход, %' }) progress!: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Итог: outcome (promoted, rejected, not-enough-data, skipped), modelId, reason',
  })
  result!: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true }) failedReason!: string | null;
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
  @ApiProperty({ description: 'Номер инцидента: «Инцидент № 12»' }) number!: number;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) topicId!: string | null;
  @ApiProperty({ type: String, nullable: true }) topicName!: string | null;
  @ApiProperty({
    enum: ['open', 'answered', 'closed'],
    description: 'Для подразделения — состояние его части: answered, когда его обращения отвечены',
  })
  status!: string;
  @ApiProperty() appealsCount!: number;
  @ApiProperty({
    format: 'date-time',
    description: 'Первое обращение (подразделению — первое из его обращений)',
  })
  firstAt!: string;
  @ApiProperty({ format: 'date-time', description: 'Последнее обращение (подразделению — из его обращений)' })
  lastAt!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) answeredAt!: string | null;
  @ApiProperty({ type: [String] }) channels!: string[];
}

export class IncidentPageDto {
  @ApiProperty({ type: [IncidentSummaryDto] }) items!: IncidentSummaryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class IncidentAppealDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '2026-000123' }) registrationNumber!: string;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ example: 'telegram' }) channel!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ type: String, nullable: true }) subject!: string | null;
  @ApiProperty({ description: 'Первые 200 символов текста' }) excerpt!: string;
  @ApiProperty() fastTrack!: boolean;
  @ApiProperty({ format: 'date' }) answerDueDate!: string;
}

export class IncidentDetailDto extends OmitType(IncidentSummaryDto, ['channels'] as const) {
  @ApiProperty({ type: String, nullable: true }) addressKey!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Кто согласовал ответ на весь инцидент (видно сотрудникам всего региона)',
  })
  answeredBy!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Проект ответа на вашу часть инцидента (ждущий согласования, иначе последний отправленный): вашей организации ' +
      'или написанный по вашим обращениям; проект другой организации не показывается',
  })
  draftText!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Кто подготовил проект' })
  draftedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) draftedAt!: string | null;
  @ApiProperty({ description: 'Проект ждёт согласования (иначе это отправленный ответ)' })
  draftAwaitsApproval!: boolean;
  @ApiProperty({
    description: 'Открытые обращения вашей части инцидента, по которым проект ещё не подготовлен',
  })
  awaitingDraft!: number;
  @ApiProperty({ type: [IncidentAppealDto], description: 'Обращения инцидента в пределах вашей области' })
  appeals!: IncidentAppealDto[];
  @ApiProperty({
    type: () => [IncidentMembershipChangeDto],
    description:
      'Кого 1-я линия исключила из инцидента или добавила к нему (в пределах вашей области), новые первыми',
  })
  membershipChanges!: IncidentMembershipChangeDto[];
}

export class IncidentMembershipChangeDto {
  @ApiProperty({ enum: ['excluded', 'added'] }) kind!: string;
  @ApiProperty({ format: 'uuid' }) appealId!: string;
  @ApiProperty({ example: '2026-000123' }) registrationNumber!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Причина исключения' }) reason!: string | null;
  @ApiProperty({ format: 'uuid' }) actorId!: string;
  @ApiProperty({ type: String, nullable: true }) actorName!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class IncidentCandidateDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() number!: number;
  @ApiProperty() title!: string;
  @ApiProperty() appealsCount!: number;
  @ApiProperty({ format: 'date-time' }) lastAt!: string;
  @ApiProperty({ description: 'Найден по похожим обращениям (тексту или адресу), а не поиском' })
  similar!: boolean;
}

export class ExcludedFromIncidentDto {
  @ApiProperty({ format: 'uuid' }) incidentId!: string;
  @ApiProperty() incidentNumber!: number;
  @ApiProperty({ description: 'Проекты ответа инцидента по этому обращению, отменённые (не отправленные)' })
  discardedDrafts!: number;
}

export class AddedToIncidentDto {
  @ApiProperty({ format: 'uuid' }) incidentId!: string;
  @ApiProperty() incidentNumber!: number;
  @ApiProperty({
    description: 'Проект ответа инцидента, ждущий согласования, подготовлен и по этому обращению',
  })
  drafted!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Почему проект по обращению подготовить не удалось',
  })
  draftRefused!: string | null;
}

export class IncidentAppealFailureDto {
  @ApiProperty({ format: 'uuid' }) appealId!: string;
  @ApiProperty({ description: 'Почему обращение не удалось обработать' }) message!: string;
}

/** What a step of answering an incident did, appeal by appeal. */
class IncidentStepResultDto {
  @ApiProperty({ format: 'uuid' }) incidentId!: string;
  @ApiProperty({
    description: 'Обращения, уже получившие ответ или закрытые, и проекты, уже отправленные или отменённые',
  })
  skipped!: number;
  @ApiProperty({ type: [IncidentAppealFailureDto] }) failed!: IncidentAppealFailureDto[];
}

export class IncidentDraftResultDto extends IncidentStepResultDto {
  @ApiProperty({ description: 'Сколько проектов ответа подготовлено (по одному на обращение)' })
  drafted!: number;
}

export class IncidentAnswerResultDto extends IncidentStepResultDto {
  @ApiProperty({ description: 'Сколько ответов согласовано и отправлено заявителям' }) answered!: number;
}
