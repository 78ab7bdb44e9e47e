import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_KEYWORD_LENGTH, MAX_RULE_KEYWORDS } from '@inbox/classification';
import { MAX_EXCLUSION_REASON, MAX_INCIDENT_ANSWER } from '@inbox/incidents';
import {
  OptionalBool,
  OptionalDate,
  OptionalInt,
  OptionalText,
  PageCursor,
  PageLimit,
  RequiredText,
} from '../query-fields';

/** What adding a topic and changing one share, optional in both. */
class TopicLinksDto {
  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    description: 'Тема верхнего уровня; пусто — сама тема',
  })
  @IsOptional()
  @IsUUID('all', { message: 'Раздел указан неверно' })
  parentId?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['Сосульки на крыше', 'Наледь на тротуаре'] })
  @IsOptional()
  @IsArray({ message: 'Типовые потребности — список строк' })
  @ArrayMaxSize(50, { message: 'Не больше 50 типовых потребностей' })
  @IsString({ each: true, message: 'Типовая потребность — строка' })
  @MaxLength(300, { each: true, message: 'Типовая потребность — не длиннее 300 символов' })
  typicalNeeds?: string[];

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID('all', { message: 'Организация указана неверно' })
  defaultOrganisationId?: string | null;
}

export class CreateTopicDto extends TopicLinksDto {
  @ApiProperty({
    example: 'improvement-icicles',
    description: 'Код: латинские буквы, цифры, . _ -; не меняется',
  })
  @IsString({ message: 'Код темы — строка' })
  @MaxLength(64, { message: 'Код — не длиннее 64 символов' })
  code!: string;

  @ApiProperty({ example: 'Сосульки и наледь на крышах' })
  @IsString({ message: 'Название — строка' })
  @MaxLength(300, { message: 'Название — не длиннее 300 символов' })
  name!: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean({ message: 'active: true или false' })
  active?: boolean;
}

export class UpdateTopicDto extends TopicLinksDto {
  @OptionalText(64, { description: 'Код не меняется; если передан, должен совпадать с текущим' })
  code?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'Название — строка' })
  @MaxLength(300, { message: 'Название — не длиннее 300 символов' })
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: 'active: true или false' })
  active?: boolean;
}

export class CsvUploadDto {
  @ApiPropertyOptional({ description: 'CSV текстом (или файл в поле file, multipart/form-data)' })
  @IsOptional()
  @IsString({ message: 'csv — текст файла' })
  csv?: string;

  @OptionalBool('Только проверить, ничего не меняя') dryRun?: boolean;
}

export class CategoryMappingDto {
  @ApiProperty({ format: 'uuid', nullable: true, description: 'Наша тема; null — снять сопоставление' })
  @IsOptional()
  @IsUUID('all', { message: 'Тема указана неверно' })
  topicId!: string | null;
}

export class FastTrackRuleDto {
  @ApiProperty({ example: 'Открытые люки' })
  @IsString({ message: 'Название — строка' })
  @MaxLength(200, { message: 'Название — не длиннее 200 символов' })
  name!: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Тема или подтема (тема включает подтемы)',
  })
  @IsOptional()
  @IsUUID('all', { message: 'Тема указана неверно' })
  topicId?: string | null;

  @ApiPropertyOptional({
    type: [String],
    example: ['открытый люк', 'замерза*'],
    description: 'Любая из фраз в тексте (по основам слов; слово* — по началу слова)',
  })
  @IsOptional()
  @IsArray({ message: 'Ключевые фразы — список строк' })
  @ArrayMaxSize(MAX_RULE_KEYWORDS, { message: `Не больше ${MAX_RULE_KEYWORDS} ключевых фраз` })
  @IsString({ each: true, message: 'Ключевая фраза — строка' })
  @MaxLength(MAX_KEYWORD_LENGTH, {
    each: true,
    message: `Ключевая фраза — не длиннее ${MAX_KEYWORD_LENGTH} символов`,
  })
  keywords?: string[];

  @ApiPropertyOptional({ type: [String], example: ['vk', 'telegram'], description: 'Пусто — любой канал' })
  @IsOptional()
  @IsArray({ message: 'Каналы — список' })
  @IsString({ each: true, message: 'Канал — строка' })
  channels?: string[];

  @ApiPropertyOptional({ type: [Number], example: [10, 11, 12, 1, 2, 3, 4], description: 'Пусто — весь год' })
  @IsOptional()
  @IsArray({ message: 'Месяцы — список чисел от 1 до 12' })
  @IsInt({ each: true, message: 'Месяцы — числа от 1 до 12' })
  @Min(1, { each: true, message: 'Месяцы — числа от 1 до 12' })
  @Max(12, { each: true, message: 'Месяцы — числа от 1 до 12' })
  months?: number[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean({ message: 'active: true или false' })
  active?: boolean;
}

export class FlagDecisionDto {
  @OptionalText(2000, {
    description: 'Комментарий к решению',
    tooLong: 'Комментарий — не длиннее 2000 символов',
  })
  comment?: string;
}

export class IncidentListQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'answered', 'closed'] })
  @IsOptional()
  @IsIn(['open', 'answered', 'closed'], { message: 'status: open, answered или closed' })
  status?: string;

  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class IncidentAnswerDto {
  @ApiProperty({ description: 'Текст ответа: уйдёт каждому заявителю по его каналу' })
  @IsString({ message: 'Текст ответа — строка' })
  @MaxLength(MAX_INCIDENT_ANSWER, { message: `Ответ — не длиннее ${MAX_INCIDENT_ANSWER} символов` })
  text!: string;
}

export class ExcludeFromIncidentDto {
  @RequiredText({
    min: 1,
    max: MAX_EXCLUSION_REASON,
    missing: 'Укажите, почему обращение не относится к инциденту',
    tooLong: `Причина — не длиннее ${MAX_EXCLUSION_REASON} символов`,
    description: 'Почему обращение не относится к инциденту (в истории обращения и инцидента)',
  })
  reason!: string;
}

export class AddToIncidentDto {
  @ApiProperty({ format: 'uuid', description: 'Открытый инцидент, к которому добавить обращение' })
  @IsUUID('all', { message: 'Выберите инцидент' })
  incidentId!: string;
}

export class IncidentCandidatesQueryDto {
  @OptionalText(40, {
    description: 'Номер инцидента (например 12) или номер обращения, входящего в него (2026-000123)',
    tooLong: 'Номер — не длиннее 40 символов',
  })
  q?: string;
}

export class ChannelQueryDto {
  @ApiPropertyOptional({ example: 'pos' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  channel?: string;
}

export class CorrectionListQueryDto {
  @ApiPropertyOptional({ enum: ['topic', 'routing'], description: 'Что исправлено: тема или маршрут' })
  @IsOptional()
  @IsIn(['topic', 'routing'], { message: 'kind: topic или routing' })
  kind?: 'topic' | 'routing';

  @OptionalText(40, { description: 'Рег. номер обращения или его часть' })
  number?: string;

  @OptionalDate('Исправлено не раньше (ISO 8601)') from?: Date;
  @OptionalDate('Исправлено раньше (ISO 8601)') to?: Date;
  @PageLimit() limit?: number;
  @OptionalInt({ min: 0, default: 0, description: 'Сколько исправлений пропустить' }) offset?: number;
}
