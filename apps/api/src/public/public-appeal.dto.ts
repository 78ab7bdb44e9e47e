import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/** Documentation of the form fields; validation lives in the website connector, with Russian messages. */
export class PublicAppealFormDto {
  @ApiProperty({ example: 'Иванова' }) surname!: string;
  @ApiProperty({ example: 'Мария' }) firstName!: string;
  @ApiPropertyOptional({ example: 'Петровна' }) patronymic?: string;
  @ApiPropertyOptional({ example: 'maria@example.ru', description: 'e-mail или телефон обязателен' })
  email?: string;
  @ApiPropertyOptional({ example: '+7 913 123-45-67' }) phone?: string;
  @ApiPropertyOptional() postalAddress?: string;
  @ApiPropertyOptional({ description: 'Адрес места проблемы' }) address?: string;
  @ApiProperty({ minLength: 10, maxLength: 10000 }) text!: string;
  @ApiProperty({ example: 'true', description: 'Согласие на обработку персональных данных (152-ФЗ)' })
  consent!: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'string', format: 'binary' } })
  attachments?: unknown[];
}

export class PublicAppealCreatedDto {
  @ApiProperty({ example: '2026-000123' }) registrationNumber!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Показывается один раз, при регистрации' })
  accessCode!: string | null;
  @ApiProperty() registeredAt!: string;
  @ApiProperty({ example: '2026-12-22' }) answerDueDate!: string;
  @ApiProperty({
    example: 'Asia/Novosibirsk',
    description: 'Часовой пояс обращения (IANA, как у организации): даты показываются в нём',
  })
  timeZone!: string;
  @ApiProperty() statusUrl!: string;
}

export class PublicAppealHistoryEntryDto {
  @ApiProperty() at!: string;
  @ApiProperty() text!: string;
}

export class PublicAnswerFileDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() fileName!: string;
  @ApiProperty() contentType!: string;
  @ApiProperty() size!: number;
  @ApiProperty({
    description: 'Адрес файла: скачивается запросом POST с кодом доступа в теле (код в адресе не передаётся)',
  })
  url!: string;
}

export class PublicAnswerDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Организация, давшая ответ' }) organisation!: string;
  @ApiProperty() text!: string;
  @ApiProperty() sentAt!: string;
  @ApiProperty({ description: 'Ответ уже оценён (каждый ответ оценивается один раз)' }) rated!: boolean;
  @ApiProperty({ type: [PublicAnswerFileDto], description: 'Файлы, приложенные к ответу' })
  attachments!: PublicAnswerFileDto[];
}

export class PublicAppealStatusDto {
  @ApiProperty() registrationNumber!: string;
  @ApiProperty() status!: string;
  @ApiProperty() statusText!: string;
  @ApiProperty() registeredAt!: string;
  @ApiProperty() answerDueDate!: string;
  @ApiProperty({
    example: 'Asia/Novosibirsk',
    description: 'Часовой пояс обращения (IANA, как у организации): даты и время показываются в нём',
  })
  timeZone!: string;
  @ApiProperty({ type: [PublicAppealHistoryEntryDto] }) history!: PublicAppealHistoryEntryDto[];
  @ApiProperty({ type: [PublicAnswerDto], description: 'Данные ответы, по одному от каждой организации' })
  answers!: PublicAnswerDto[];
}

/** S4 п. 27.3: both questions are asked together. */
export class PublicRatingDto {
  @ApiProperty({ description: 'Получен ли ответ на вопрос' })
  @IsBoolean({ message: 'Ответьте, получен ли ответ на вопрос' })
  answered!: boolean;

  @ApiProperty({ enum: ['satisfied', 'partially', 'not-satisfied'] })
  @IsIn(['satisfied', 'partially', 'not-satisfied'], {
    message: 'Выберите: удовлетворён, частично или не удовлетворён',
  })
  satisfaction!: 'satisfied' | 'partially' | 'not-satisfied';
}

/**
 * The applicant's access code, always in the body of a POST: a code in the address would stay in access logs,
 * the browser's history and a Referer.
 */
export class PublicAccessCodeDto {
  @ApiProperty({ description: 'Код доступа, выданный при регистрации обращения', example: 'K7M2Q9XA' })
  @IsString({ message: 'Укажите код доступа, выданный при регистрации' })
  @MaxLength(64, { message: 'Код доступа указан неверно' })
  code!: string;
}

/** On the status page each answer given is rated on its own; without `answerId`, the latest answer. */
export class PublicStatusRatingDto extends IntersectionType(PublicRatingDto, PublicAccessCodeDto) {
  @ApiPropertyOptional({ format: 'uuid', description: 'Какой ответ оценивается (по умолчанию — последний)' })
  @IsOptional()
  @IsUUID('all', { message: 'Ответ для оценки не найден' })
  answerId?: string;
}

export class PublicRatingOutcomeDto {
  @ApiProperty({ description: 'Оценка принята (ответ не был оценён раньше)' }) accepted!: boolean;
  @ApiProperty({ description: 'Обращение направлено на повторное рассмотрение' }) reopened!: boolean;
  @ApiProperty() message!: string;
}
