import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ARTICLE_KINDS, TEMPLATE_PLACEHOLDERS } from '@inbox/knowledge';
import { OptionalBool, OptionalId, OptionalInt, OptionalText, RequiredText, toList } from '../query-fields';

const REQUEST_STATUSES = ['draft', 'sent', 'returned', 'approved', 'published', 'cancelled'];
const ORIGINS = ['organisation', 'management-centre', 'escalation', 'worth-adding', 'appeals-stream'];

export class ArticlePartDto {
  @ApiProperty() @IsString() @MaxLength(300) heading!: string;
  @ApiProperty() @IsString() @MaxLength(20000) text!: string;
}

/** The full content of an article version (a new article or the next version of one). */
export class ArticleContentDto {
  @ApiProperty({ enum: ARTICLE_KINDS })
  @IsIn(ARTICLE_KINDS, { message: 'kind: вид материала' })
  kind!: string;

  @ApiProperty() @IsString() @MaxLength(300) title!: string;

  @OptionalText(600, { description: 'Вопрос (для частого вопроса)' })
  question?: string;

  @ApiProperty({
    description: `Текст: ответ, шаблон, скрипт, выдержка. Подстановки шаблона: ${TEMPLATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
  })
  @IsString()
  @MaxLength(20000)
  body!: string;

  @ApiPropertyOptional({ type: [ArticlePartDto], description: 'Разделы статьи' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => ArticlePartDto)
  parts?: ArticlePartDto[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  keywords?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Связанные статьи (id)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @IsUUID('all', { each: true, message: 'links: id статей' })
  links?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Вложения (id из POST /api/v1/knowledge/attachments)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsUUID('all', { each: true, message: 'attachmentIds: id вложений' })
  attachmentIds?: string[];

  @OptionalText(1000, { description: 'Реквизиты нормативного акта или источник' })
  source?: string;

  @OptionalId('темы', 'Тема рубрикатора')
  topicId?: string;

  @ApiPropertyOptional({ description: 'Показывать гражданам (только частые вопросы)' })
  @IsOptional()
  @IsBoolean()
  public?: boolean;

  @ApiPropertyOptional({ description: 'Снять статью с публикации' })
  @IsOptional()
  @IsBoolean()
  archive?: boolean;
}

export class TopicProposalDto {
  @ApiProperty() @IsString() @MaxLength(300) name!: string;
  @OptionalText(300) parentName?: string;
}

export class CreateRequestDto {
  @OptionalId('организации', 'Организация-владелец (по умолчанию — из раздела или статьи)')
  organisationId?: string;

  @OptionalId('раздела', 'Раздел (для новой статьи — обязателен)')
  sectionId?: string;

  @OptionalId('статьи', 'Изменяемая статья; без неё — новая статья')
  articleId?: string;

  @ApiPropertyOptional({
    enum: ['content', 'topic-set'],
    description: 'topic-set — классификатор (5 + 5 раб. дней)',
  })
  @IsOptional()
  @IsIn(['content', 'topic-set'])
  kind?: 'content' | 'topic-set';

  @RequiredText({ min: 3, max: 1000, missing: 'Укажите предмет изменений', description: 'Предмет изменений' })
  subject!: string;

  @OptionalText(5000, { description: 'Пояснение: что изменилось (закон, телефоны, тематика)' })
  details?: string;

  @ApiPropertyOptional({ type: ArticleContentDto, description: 'Предлагаемый текст статьи' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ArticleContentDto)
  proposed?: ArticleContentDto;

  @ApiPropertyOptional({ type: [TopicProposalDto], description: 'Для kind=topic-set: темы классификатора' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => TopicProposalDto)
  topics?: TopicProposalDto[];

  @ApiPropertyOptional({ type: [String], description: 'Обращения, в которых не нашлось ответа' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  appealIds?: string[];

  @ApiPropertyOptional({ description: 'Предложение из потока обращений (повторяющиеся вопросы)' })
  @IsOptional()
  @IsBoolean()
  fromAppealsStream?: boolean;

  @ApiPropertyOptional({ description: 'Сразу направить на согласование (по умолчанию да)', default: true })
  @IsOptional()
  @IsBoolean()
  send?: boolean;
}

export class UpdateRequestDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(3) @MaxLength(1000) subject?: string;
  @OptionalText(5000) details?: string;
  @OptionalId('раздела') sectionId?: string;

  @ApiPropertyOptional({ type: ArticleContentDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ArticleContentDto)
  proposed?: ArticleContentDto;

  @ApiPropertyOptional({ type: [TopicProposalDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => TopicProposalDto)
  topics?: TopicProposalDto[];
}

export class ApproveRequestDto {
  @OptionalText(2000) comment?: string;

  @ApiPropertyOptional({
    type: ArticleContentDto,
    description: 'Окончательный текст (если правится при согласовании)',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => ArticleContentDto)
  proposed?: ArticleContentDto;
}

export class CommentDto {
  @ApiProperty() @IsString() @MinLength(3, { message: 'Укажите причину' }) @MaxLength(2000) comment!: string;
}

export class OptionalCommentDto {
  @OptionalText(2000) comment?: string;
}

export class RequestListQuery {
  @ApiPropertyOptional({ description: `Через запятую: ${REQUEST_STATUSES.join(', ')}` })
  @IsOptional()
  @Transform(toList)
  @IsIn(REQUEST_STATUSES, { each: true })
  status?: string[];

  @ApiPropertyOptional({ enum: ORIGINS }) @IsOptional() @IsIn(ORIGINS) origin?: string;
  @OptionalId('организации') organisationId?: string;
  @OptionalId('обращения') appealId?: string;
  @OptionalInt({ min: 1, max: 500, default: 200 }) limit?: number;
}

export class ArticleListQuery {
  @OptionalId('организации') organisationId?: string;
  @OptionalId('раздела') sectionId?: string;
  @OptionalId('темы', 'Тема или подтема') topicId?: string;
  @ApiPropertyOptional({ enum: ARTICLE_KINDS }) @IsOptional() @IsIn(ARTICLE_KINDS) kind?: string;
  @OptionalBool() includeArchived?: boolean;
  @OptionalInt({ min: 1, max: 500, default: 200 }) limit?: number;
}

export class SearchQueryDto {
  @OptionalText(5000, { description: 'Вопрос или текст обращения (русский полнотекстовый поиск)' })
  q?: string;

  @OptionalId('темы') topicId?: string;
  @OptionalId('организации') organisationId?: string;

  @ApiPropertyOptional({ description: `Виды через запятую: ${ARTICLE_KINDS.join(', ')}` })
  @IsOptional()
  @Transform(toList)
  @IsIn(ARTICLE_KINDS, { each: true })
  kind?: string[];

  @OptionalInt({ min: 1, max: 50, default: 20 }) limit?: number;
}

export class SuggestDto {
  @ApiProperty({ description: 'Что говорит заявитель (свободный текст, можно неполный)' })
  @IsString()
  @MaxLength(5000)
  text!: string;

  @OptionalId('темы', 'Тема или подтема, когда уже выбрана')
  topicId?: string;

  @OptionalInt({ min: 1, max: 30, default: 8 }) limit?: number;
}

export class RenderDto {
  @ApiProperty({ description: 'Обращение, в ответ на которое вставляется текст' })
  @IsUUID('all', { message: 'appealId: UUID обращения' })
  appealId!: string;
}

export class AnsweredOnTheSpotDto {
  @ApiProperty({ description: 'Статья, по которой дан ответ' })
  @IsUUID('all', { message: 'articleId: UUID статьи' })
  articleId!: string;
}

export class WorthAddingDto {
  @OptionalId('ответа', 'Ответ, который стоит добавить в базу знаний')
  answerId?: string;

  @OptionalText(2000) comment?: string;
}

export class SectionListQuery {
  @OptionalId('организации') organisationId?: string;
  @OptionalId('темы') topicId?: string;
  @ApiPropertyOptional({ enum: ['overdue', 'due-soon'] })
  @IsOptional()
  @IsIn(['overdue', 'due-soon'])
  review?: 'overdue' | 'due-soon';
  @OptionalBool('Только разделы моей организации') mine?: boolean;
}

export class CreateSectionDto {
  @ApiProperty() @IsUUID('all', { message: 'organisationId: UUID организации' }) organisationId!: string;
  @ApiProperty() @IsString() @MinLength(3) @MaxLength(300) title!: string;
  @OptionalText(2000) description?: string;
  @OptionalId('темы') topicId?: string;
  @ApiPropertyOptional({
    description: 'Ответственный за раздел (по умолчанию — ответственное лицо организации)',
  })
  @IsOptional()
  @IsUUID()
  responsibleUserId?: string;
}

export class UpdateSectionDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(3) @MaxLength(300) title?: string;
  @OptionalText(2000) description?: string;
  @OptionalId('темы') topicId?: string;
  @OptionalId('сотрудника') responsibleUserId?: string;
}

export class SettingsDto {
  @ApiPropertyOptional({
    description: 'Ответственное лицо организации за базу знаний (S1 п. 3.1)',
    nullable: true,
  })
  @IsOptional()
  @IsUUID()
  responsibleUserId?: string;

  @ApiPropertyOptional({ description: 'Публиковать частые вопросы для граждан' })
  @IsOptional()
  @IsBoolean()
  publicFaq?: boolean;
}

export class RepeatedQuery {
  @OptionalInt({ min: 1, max: 365, default: 30 }) days?: number;
  @OptionalInt({ min: 2, max: 100, default: 3 }) minAppeals?: number;
}

export class PublicFaqQuery {
  @OptionalId('темы') topicId?: string;
}

export class PublicFaqSearchQuery {
  @RequiredText({ min: 3, max: 1000, missing: 'Напишите вопрос', description: 'Вопрос гражданина' })
  q!: string;
}
