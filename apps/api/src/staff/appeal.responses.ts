import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AppealStatus } from '@inbox/appeals';

/** Response shapes of the staff appeal endpoints, as the workspace reads them (OpenAPI → apps/web types). */
export class AppealSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '2026-000123' }) registrationNumber!: string;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ enum: ['appeal', 'message'] }) regime!: string;
  @ApiProperty({ example: 'website' }) channel!: string;
  @ApiProperty({ type: String, nullable: true }) subject!: string | null;
  @ApiProperty({ description: 'Первые 200 символов текста' }) excerpt!: string;
  @ApiProperty({ enum: AppealStatus, enumName: 'AppealStatus' }) status!: AppealStatus;
  @ApiProperty() fastTrack!: boolean;
  @ApiProperty({ format: 'uuid', description: 'Ответственная организация' }) organisationId!: string;
  @ApiProperty() organisationName!: string;
  @ApiProperty({ format: 'date', example: '2026-03-07' }) answerDueDate!: string;
  @ApiProperty({ format: 'date-time' }) answerDueAt!: string;
}

export class AppealPartSummaryDto {
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty() organisationName!: string;
  @ApiProperty({ enum: ['active', 'returned', 'answered', 'withdrawn'] }) state!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dueAt!: string | null;
}

export class AppealListItemDto extends AppealSummaryDto {
  @ApiProperty({ example: 'Asia/Novosibirsk', description: 'Часовой пояс организации обращения' })
  timeZone!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) assigneeId!: string | null;
  @ApiProperty({ type: String, nullable: true }) assigneeName!: string | null;
  @ApiProperty({ type: [AppealPartSummaryDto], description: 'Организации 2-й линии, у которых есть часть' })
  parts!: AppealPartSummaryDto[];
  @ApiProperty({
    format: 'date-time',
    description:
      'Ближайший срок своей части: для 2-й линии — срок ответа организации, для 1-й — срок передачи, иначе срок по 59-ФЗ',
  })
  nextDueAt!: string;
  @ApiProperty({ enum: ['escalation', 'line2', 'answer'] }) nextDueKind!: 'escalation' | 'line2' | 'answer';
  @ApiProperty({
    type: String,
    enum: ['author', 'channel'],
    nullable: true,
    description:
      'Отозвано: author — заявитель удалил сообщение, channel — канал снял его (модерация ПОС); null — не отозвано',
  })
  withdrawnBy!: 'author' | 'channel' | null;
}

export class AppealCountDto {
  @ApiProperty({ description: 'Сколько обращений выбирает фильтр (весь результат, не страница)' })
  total!: number;
  @ApiProperty({
    description: 'Поиск считается до предела: true — совпадений больше, чем total (total — этот предел)',
  })
  capped!: boolean;
}

export class AppealPageDto {
  @ApiProperty({ type: [AppealListItemDto] }) items!: AppealListItemDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class DeadlineWarningDto {
  @ApiProperty({
    enum: ['outside-calendar', 'provisional-calendar'],
    description:
      'outside-calendar: год даты не входит в производственный календарь (нерабочие — только субботы и воскресенья); ' +
      'provisional-calendar: календарь года рассчитан по ТК РФ, постановление о переносе выходных ещё не издано',
  })
  code!: string;
  @ApiProperty({ format: 'date' }) date!: string;
  @ApiProperty() message!: string;
}

export class AppealDeadlinesDto {
  @ApiProperty({ format: 'date-time' }) registrationDueAt!: string;
  @ApiProperty({ format: 'date-time' }) redirectDueAt!: string;
  @ApiProperty({ format: 'date' }) answerDueDate!: string;
  @ApiProperty({ format: 'date-time' }) answerDueAt!: string;
  @ApiProperty() extended!: boolean;
  @ApiProperty({
    type: [DeadlineWarningDto],
    description: 'Предупреждения расчёта сроков (например, предварительный календарь)',
  })
  warnings!: DeadlineWarningDto[];
  @ApiProperty() calendarVersion!: string;
}

export class ApplicantDto {
  @ApiProperty({ type: String, nullable: true }) surname!: string | null;
  @ApiProperty({ type: String, nullable: true }) firstName!: string | null;
  @ApiProperty({ type: String, nullable: true }) patronymic!: string | null;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ type: String, nullable: true }) postalAddress!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'СНИЛС (из ПОС), «123-456-789 64»' }) snils!:
    | string
    | null;
}

export class AppealOrganisationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty({ description: 'Краткое наименование' }) name!: string;
  @ApiProperty({ example: 'co-executor' }) role!: string;
  @ApiProperty({ format: 'date-time' }) assigned_at!: string;
  @ApiProperty({ description: '1 — ответственная (1-я линия), 2 — поручение 2-й линии' }) line!: number;
  @ApiProperty({ enum: ['active', 'answered', 'returned', 'closed', 'withdrawn'] }) state!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Исполнитель поручения' }) assigneeId!:
    | string
    | null;
  @ApiProperty({ type: String, nullable: true }) assigneeName!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dueAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) extendedUntil!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'До какого момента можно продлить поручение 2-й линии (5 рабочих дней с поступления); null — 1-я линия',
  })
  extensionLimitAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) answeredAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) returnedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) returnReason!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
}

export class AppealAccessDto {
  @ApiProperty({
    description:
      'Организация сотрудника вернула своё поручение или оно закрыто: только просмотр, без персональных данных',
  })
  readOnly!: boolean;
  @ApiProperty({
    description:
      'Может ли сотрудник менять контакты заявителя (телефон, e-mail, почтовый адрес): 1-я линия, ведущая ' +
      'обращение организация и руководители над ней',
  })
  mayChangeContacts!: boolean;
  @ApiProperty({
    description:
      'Может ли сотрудник передать обращение на 2-ю линию: оператор 1-й линии, руководитель, администратор',
  })
  mayEscalate!: boolean;
  @ApiProperty({
    description:
      'Может ли сотрудник направить обращение по компетенции в другой орган (ч. 3 ст. 8 59-ФЗ): 1-я линия, ' +
      'ведущая обращение организация и руководители над ней; соисполнитель возвращает своё поручение',
  })
  mayRedirect!: boolean;
  @ApiProperty({
    description: 'Может ли сотрудник взять обращение в работу: все, кроме администратора',
  })
  mayTake!: boolean;
  @ApiProperty({ description: 'Может ли сотрудник подготовить ответ: все, кроме администратора' })
  mayAnswer!: boolean;
  @ApiProperty({ description: 'Может ли сотрудник назначить исполнителя (сотрудника своей организации)' })
  mayAssign!: boolean;
  @ApiProperty({
    description:
      'Может ли сотрудник вернуть поручение как направленное не по адресу: у его организации есть действующее ' +
      'поручение 2-й линии',
  })
  mayReturn!: boolean;
  @ApiProperty({
    description:
      'Может ли сотрудник продлить срок по 59-ФЗ: только обращение по 59-ФЗ, не сообщение; где решает ' +
      'руководитель, предпросмотр продления называет отказ',
  })
  mayExtendAppeal!: boolean;
  @ApiProperty({
    description: 'Может ли сотрудник продлить срок ответа 2-й линии: действующее поручение его организации',
  })
  mayExtendLine2!: boolean;
  @ApiProperty({ description: 'Может ли сотрудник завершить рассмотрение: все, кроме администратора' })
  mayClose!: boolean;
  @ApiProperty({
    description: 'Может ли сотрудник внести оценку со слов заявителя: 1-я линия и руководство региона',
  })
  mayRate!: boolean;
}

export class AttachmentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() fileName!: string;
  @ApiProperty() contentType!: string;
  @ApiProperty() size!: number;
  @ApiProperty() sha256!: string;
  @ApiProperty({ enum: ['stored', 'rejected'] }) status!: string;
  @ApiProperty({ type: String, nullable: true }) rejectionReason!: string | null;
}

export class HistoryEventDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'escalated' }) type!: string;
  @ApiProperty({ description: 'Идентификатор сотрудника или «system»' }) actor!: string;
  @ApiProperty({ type: String, nullable: true, description: 'ФИО сотрудника (null — система)' })
  actorName!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['operator', 'clerk', 'supervisor', 'admin'] })
  actorRole!: 'operator' | 'clerk' | 'supervisor' | 'admin' | null;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
}

export class AppealClassificationDto {
  @ApiProperty({ enum: ['pending', 'auto', 'manual', 'confirmed'] }) state!: string;
  @ApiProperty({ type: Number, nullable: true }) confidence!: number | null;
  @ApiProperty({ type: String, nullable: true }) modelId!: string | null;
  @ApiProperty({ type: [String], nullable: true }) suggestedOrganisationIds!: string[] | null;
  @ApiProperty({ type: String, nullable: true }) incidentId!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Номер инцидента: «Инцидент № 12»' })
  incidentNumber!: number | null;
}

export class AppealFlagDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'anonymous' }) flag!: string;
  @ApiProperty() evidence!: unknown;
  @ApiProperty({ enum: ['raised', 'confirmed', 'dismissed'] }) status!: string;
  @ApiProperty({ type: String, nullable: true }) decidedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class AppealCardDto extends AppealSummaryDto {
  @ApiProperty() text!: string;
  @ApiProperty({ type: String, nullable: true }) address!: string | null;
  @ApiProperty({ type: String, nullable: true }) territoryCode!: string | null;
  @ApiProperty() externalId!: string;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'Когда персональные данные удалены по истечении срока хранения (текст, тема, адрес, заявитель, файлы); null — хранятся',
  })
  personalDataErasedAt!: string | null;
  @ApiProperty({
    example: 'Asia/Novosibirsk',
    description: 'Часовой пояс организации, в котором считаются сроки',
  })
  timeZone!: string;
  @ApiProperty({ type: AppealDeadlinesDto }) deadlines!: AppealDeadlinesDto;
  @ApiProperty({ type: String, nullable: true }) topicId!: string | null;
  @ApiProperty({ type: String, nullable: true }) subtopicId!: string | null;
  @ApiProperty({ type: String, nullable: true }) typicalNeed!: string | null;
  @ApiProperty({ type: String, nullable: true }) assigneeId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Кто ведёт обращение на 1-й линии' })
  assigneeName!: string | null;
  @ApiProperty({ type: AppealClassificationDto }) classification!: AppealClassificationDto;
  @ApiProperty({ type: [AppealFlagDto] }) flags!: AppealFlagDto[];
  @ApiProperty({
    type: ApplicantDto,
    nullable: true,
    description: 'null для администратора: персональные данные ему не выдаются',
  })
  applicant!: ApplicantDto | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Чего не хватает для передачи на 2-ю линию (поле → подсказка); пусто — можно передавать',
  })
  escalationRequires!: Record<string, string>;
  @ApiProperty({
    type: [AppealOrganisationDto],
    description: 'Поручения организаций (по одному на организацию)',
  })
  organisations!: AppealOrganisationDto[];
  @ApiProperty({ type: AppealAccessDto }) access!: AppealAccessDto;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Канал обращения не передаёт файлы ответа (Одноклассники): что показать у файлов проекта; null — передаёт',
  })
  answerFilesNotice!: string | null;
  @ApiProperty({ type: [AttachmentDto] }) attachments!: AttachmentDto[];
  @ApiProperty({ type: [HistoryEventDto] }) history!: HistoryEventDto[];
}

export class AnswerFileDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) answerId!: string;
  @ApiProperty() fileName!: string;
  @ApiProperty() contentType!: string;
  @ApiProperty() size!: number;
}

export class AnswerDeliveryDto {
  @ApiProperty({ description: 'Канал, которым ответ уходит заявителю' }) channel!: string;
  @ApiProperty({
    enum: ['queued', 'sent', 'failed'],
    description:
      'queued — ждёт отправки (lastError — почему не ушёл в прошлый раз); sent — принят каналом; failed — не доставлен',
  })
  status!: 'queued' | 'sent' | 'failed';
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({
    description:
      'Ответ уходит несколькими частями и не дошёл целиком: сколько частей уже у заявителя; 0 — ни одной',
  })
  partsSent!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Из скольких частей состоит сообщение' })
  partsTotal!: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt!: string | null;
}

export class AnswerDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['draft', 'approved', 'sent'] }) status!: 'draft' | 'approved' | 'sent';
  @ApiProperty() text!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty() organisationName!: string;
  @ApiProperty({ format: 'uuid' }) authorId!: string;
  @ApiProperty() authorName!: string;
  @ApiProperty({ type: String, nullable: true }) templateId!: string | null;
  @ApiProperty({ type: String, nullable: true }) approvedBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) approvedByName!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) approvedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) editedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Кто вернул проект на доработку' })
  sentBackBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentBackAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) sentBackComment!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['awaiting', 'phone', 'in-person', 'post'],
    description:
      'Ответ на звонок, приём или письмо без эл. почты: awaiting — ждёт передачи заявителю сотрудником; ' +
      'phone, in-person, post — как передан; null — доставляет канал',
  })
  handover!: 'awaiting' | 'phone' | 'in-person' | 'post' | null;
  @ApiProperty({
    type: AnswerDeliveryDto,
    nullable: true,
    description:
      'Доставка ответа каналом (последнее сообщение с ним); null — проект, ждёт общего ответа или передаётся сотрудником',
  })
  delivery!: AnswerDeliveryDto | null;
  @ApiProperty({ type: [AnswerFileDto], description: 'Файлы, приложенные к ответу' })
  attachments!: AnswerFileDto[];
}

export class RegisteredAppealDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '2026-000123' }) registrationNumber!: string;
  @ApiProperty({ description: 'Код доступа заявителя к странице статуса' }) accessCode!: string;
  @ApiProperty({ format: 'date' }) answerDueDate!: string;
}

export class JoinedDto {
  @ApiProperty({ format: 'uuid', description: 'Обращение, с которым объединено это' }) intoAppealId!: string;
  @ApiProperty({ example: '2026-000123' }) intoRegistrationNumber!: string;
}

export class JoinApplicantDto {
  @ApiProperty({ example: '2026-000123' }) registrationNumber!: string;
  @ApiProperty() channel!: string;
  @ApiProperty({ type: String, nullable: true }) surname!: string | null;
  @ApiProperty({ type: String, nullable: true }) firstName!: string | null;
  @ApiProperty({ type: String, nullable: true }) patronymic!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Имя в мессенджере' }) displayName!:
    | string
    | null;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
}

export class JoinPreviewDto {
  @ApiProperty({ type: JoinApplicantDto, description: 'Заявитель этого обращения' })
  applicant!: JoinApplicantDto;
  @ApiProperty({
    type: JoinApplicantDto,
    nullable: true,
    description: 'Заявитель обращения с этим номером; null — такого обращения среди доступных нет',
  })
  into!: JoinApplicantDto | null;
  @ApiProperty({
    description:
      'Ничто не связывает заявителей (ни телефон, ни e-mail, ни переписка, ни фамилия): объединение требует подтверждения',
  })
  differentApplicant!: boolean;
  @ApiProperty({ type: [String], example: ['фамилия', 'телефон'], description: 'Что не совпадает' })
  differs!: string[];
}

export class JoinCandidateDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '2026-000123' }) registrationNumber!: string;
  @ApiProperty({ type: String, format: 'date-time' }) registeredAt!: Date;
  @ApiProperty({ enum: AppealStatus, enumName: 'AppealStatus' }) status!: AppealStatus;
  @ApiProperty() channel!: string;
  @ApiProperty({ type: String, nullable: true }) subject!: string | null;
  @ApiProperty() excerpt!: string;
  @ApiProperty({ description: 'Его называет признак «Повторное обращение» этого обращения' })
  flagged!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Почему с ним объединить нельзя (как ответил бы api); null — можно',
  })
  refusal!: string | null;
}

export class CreatedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
}

export class AnswerTemplateDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) organisationId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) topicId!: string | null;
  @ApiProperty() title!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ description: 'false — отключён: больше не предлагается' }) active!: boolean;
}

export class AppealAnswerTemplateDto extends AnswerTemplateDto {
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['topic', 'subject'],
    description:
      'Почему предложен первым: topic — по теме обращения, subject — по словам его заголовка; null — остальные',
  })
  match!: 'topic' | 'subject' | null;
}

export class AssigneeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() fullName!: string;
  @ApiProperty({ example: 'clerk' }) role!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
}

export class ExtensionPreviewDto {
  @ApiProperty({ example: '2026-12-30', description: 'Новый срок ответа: дата в часовом поясе организации' })
  answerDueDate!: string;
  @ApiProperty({ format: 'date-time', description: 'Новый срок ответа: конец этого дня' })
  answerDueAt!: string;
  @ApiPropertyOptional({
    example: 'Продление срока по 59-ФЗ предоставляет руководитель подразделения',
    description: 'Почему этот сотрудник не может продлить срок по 59-ФЗ (продление было бы отклонено)',
  })
  refusal?: string;
}

export class CardUpdatedDto {
  @ApiProperty({ type: [String], example: ['applicant.phone', 'subject'] }) fields!: string[];
}

export class NoteViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) authorId!: string;
  @ApiProperty() authorName!: string;
  @ApiProperty() text!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class NotificationDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'part-returned', description: 'clock-mark, part-returned, answer-sent-back, …' })
  kind!: string;
  @ApiProperty({ type: String, nullable: true }) appealId!: string | null;
  @ApiProperty({ type: String, nullable: true }) registrationNumber!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Запрос на изменение БЗ (сроки БЗ)',
  })
  kbRequestId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Раздел БЗ (срок актуализации)' })
  kbSectionId!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      'Сводка руководителю по другой организации (подчинённой или любой для регионального уровня): одна на организацию, вид (clock-at-risk, clock-overdue, kb-clock-at-risk, kb-clock-overdue) и день, обновляется на месте',
  })
  organisationId!: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'Сводка по обращениям: сколько обращений в ней учтено за день (у сводки базы знаний и остальных уведомлений null)',
  })
  appealCount!: number | null;
  @ApiProperty() text!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) readAt!: string | null;
}
