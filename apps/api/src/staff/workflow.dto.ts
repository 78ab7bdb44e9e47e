import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { OptionalDate, OptionalId, OptionalInt, OptionalText, RequiredText } from '../query-fields';

/** The applicant's fields staff complete or correct; an empty string clears one. */
export class ApplicantFieldsDto {
  @OptionalText(100) surname?: string;
  @OptionalText(100) firstName?: string;
  @OptionalText(100) patronymic?: string;

  @ApiPropertyOptional({ example: '+79131234567' })
  @IsOptional()
  @Matches(/^(\+?[\d\s()-]{10,20})?$/, { message: 'Телефон в формате +7 900 000-00-00' })
  phone?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^([^\s@]+@[^\s@]+\.[^\s@]+)?$/, { message: 'Адрес электронной почты вида name@example.ru' })
  @MaxLength(254)
  email?: string;

  @OptionalText(500) postalAddress?: string;
}

export class UpdateCardDto {
  @OptionalText(500, { description: 'Суть вопроса', tooLong: 'Суть вопроса — не длиннее 500 символов' })
  subject?: string;

  @ApiPropertyOptional({ type: ApplicantFieldsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ApplicantFieldsDto)
  applicant?: ApplicantFieldsDto;
}

export class EscalateDto {
  @ApiProperty({ type: [String], description: 'Одна или несколько организаций 2-й линии' })
  @IsUUID('all', { each: true, message: 'organisationIds: список UUID организаций' })
  @ArrayMinSize(1, { message: 'Выберите хотя бы одну организацию' })
  @ArrayMaxSize(20, { message: 'Не более 20 организаций за раз' })
  organisationIds!: string[];

  @OptionalId('темы') topicId?: string;

  @OptionalText(500, { description: 'Суть вопроса', tooLong: 'Суть вопроса — не длиннее 500 символов' })
  subject?: string;

  @ApiPropertyOptional({
    type: ApplicantFieldsDto,
    description: 'Недостающие данные заявителя, дополняемые при передаче (имя, отчество, телефон — S0)',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => ApplicantFieldsDto)
  applicant?: ApplicantFieldsDto;

  @ApiPropertyOptional({
    description: 'В базе знаний нет ответа (S1 п. 10): организации уйдёт запрос на пополнение базы знаний',
  })
  @IsOptional()
  @IsBoolean()
  noKnowledgeBaseAnswer?: boolean;
}

export class ReasonDto {
  @RequiredText({
    min: 3,
    max: 2000,
    missing: 'Укажите причину',
    tooLong: 'Причина — не длиннее 2000 символов',
  })
  reason!: string;
}

export class RedirectDto extends ReasonDto {
  @RequiredText({
    min: 3,
    max: 500,
    missing: 'Укажите орган',
    tooLong: 'Не длиннее 500 символов',
    description: 'Орган, в компетенцию которого входит вопрос',
  })
  body!: string;
}

export class ExtendDto extends ReasonDto {
  @ApiProperty({
    enum: ['appeal', 'line2'],
    description: 'appeal — срок по 59-ФЗ; line2 — срок запроса 2-й линии',
  })
  @IsIn(['appeal', 'line2'], { message: 'kind: appeal или line2' })
  kind!: 'appeal' | 'line2';

  @OptionalInt({ min: 1, max: 30, description: 'Для kind=appeal: на сколько дней (1–30)' })
  days?: number;

  @OptionalDate('Для kind=line2: новый срок (ISO 8601)', 'дата и время')
  until?: Date;
}

/** Which 59-ФЗ extension to preview: by how many days. */
export class ExtensionPreviewQueryDto {
  @OptionalInt({ min: 1, max: 30, default: 30, description: 'На сколько дней продлить (1–30)' })
  days?: number;
}

export class AssignDto {
  @ApiProperty() @IsUUID('all', { message: 'userId: UUID сотрудника' }) userId!: string;
}

export class ClassifyDto {
  @ApiProperty() @IsUUID('all', { message: 'topicId: UUID темы' }) topicId!: string;
  @OptionalId('подтемы')
  subtopicId?: string;
}

export class DraftAnswerDto {
  @OptionalId('шаблона')
  templateId?: string;

  @OptionalText(20000, { tooLong: 'Ответ — не длиннее 20000 символов' })
  text?: string;
}

export class RatingDto {
  @ApiPropertyOptional({ description: 'Получен ли ответ на вопрос' })
  @IsOptional()
  @IsBoolean({ message: 'answered: true или false' })
  answered?: boolean;

  @ApiPropertyOptional({ enum: ['satisfied', 'partially', 'not-satisfied'] })
  @IsOptional()
  @IsIn(['satisfied', 'partially', 'not-satisfied'], { message: 'satisfied, partially или not-satisfied' })
  satisfaction?: 'satisfied' | 'partially' | 'not-satisfied';

  @OptionalText(2000, {
    description: 'Что заявитель сказал об ответе: его причина при низкой оценке',
    tooLong: 'Комментарий — не длиннее 2000 символов',
  })
  comment?: string;
}

export class OperatorAppealDto {
  @ApiProperty({
    enum: ['phone', 'reception', 'post'],
    description: 'Как поступило: звонок, личный приём, почта',
  })
  @IsIn(['phone', 'reception', 'post'], { message: 'medium: phone, reception или post' })
  medium!: 'phone' | 'reception' | 'post';

  @ApiProperty() @IsString() @MinLength(1, { message: 'Укажите фамилию' }) @MaxLength(100) surname!: string;
  @ApiProperty() @IsString() @MinLength(1, { message: 'Укажите имя' }) @MaxLength(100) firstName!: string;
  @OptionalText(100) patronymic?: string;

  @ApiPropertyOptional({ example: '+79131234567' })
  @IsOptional()
  @Matches(/^\+?[\d\s()-]{10,20}$/, { message: 'Телефон в формате +7 900 000-00-00' })
  phone?: string;

  @OptionalText(254) email?: string;
  @OptionalText(500) postalAddress?: string;
  @OptionalText(500) address?: string;
  @OptionalId('темы') topicId?: string;

  @RequiredText({ min: 3, max: 500, missing: 'Укажите суть вопроса', description: 'Суть вопроса' })
  subject!: string;

  @RequiredText({ min: 3, max: 10000, missing: 'Запишите содержание обращения' })
  text!: string;

  @ApiPropertyOptional({ enum: ['message', 'appeal'], default: 'appeal' })
  @IsOptional()
  @IsIn(['message', 'appeal'])
  regime?: 'message' | 'appeal';
}

export class HandOverDto {
  @ApiProperty({
    enum: ['phone', 'in-person', 'post'],
    description: 'Как ответ передан: по телефону, лично, почтой',
  })
  @IsIn(['phone', 'in-person', 'post'], { message: 'medium: phone, in-person или post' })
  medium!: 'phone' | 'in-person' | 'post';

  @OptionalText(500, { description: 'Например, номер почтового отправления' })
  note?: string;
}

export class EditDraftDto {
  @RequiredText({ min: 1, max: 20000, missing: 'Пустой ответ', tooLong: 'Ответ — не длиннее 20000 символов' })
  text!: string;
}

export class SendBackDto {
  @RequiredText({ min: 3, max: 2000, missing: 'Напишите, что исправить', description: 'Что исправить' })
  comment!: string;
}

export class CloseDto {
  @OptionalText(1000, {
    description: 'Почему рассмотрение завершено (например, заявитель отозвал обращение); в истории',
    tooLong: 'Причина — не длиннее 1000 символов',
  })
  reason?: string;
}

export class NoteDto {
  @RequiredText({
    min: 1,
    max: 5000,
    missing: 'Напишите заметку',
    description: 'Внутренняя заметка (заявителю не видна)',
  })
  text!: string;
}

export class JoinDto {
  @RequiredText({
    min: 6,
    max: 40,
    missing: 'Укажите номер обращения, с которым объединить',
    description: 'Номер более раннего обращения того же заявителя, например 2026-000123',
  })
  intoNumber!: string;

  @OptionalText(1000, {
    description: 'Почему это одно обращение (в истории обоих)',
    tooLong: 'Причина — не длиннее 1000 символов',
  })
  reason?: string;

  @ApiPropertyOptional({
    description:
      'Подтверждение, что это один и тот же заявитель, хотя у обращений нет общих фамилии, телефона, e-mail или ' +
      'переписки; без него такое объединение отклоняется (409)',
  })
  @IsOptional()
  @IsBoolean({ message: 'confirmDifferentApplicant: true или false' })
  confirmDifferentApplicant?: boolean;
}

export class JoinPreviewQueryDto {
  @OptionalText(40, {
    description: 'Номер более раннего обращения, например 2026-000123 (без него — только заявитель этого)',
    tooLong: 'Номер обращения — не длиннее 40 символов',
  })
  intoNumber?: string;
}
