import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { ARTICLE_KINDS } from '@inbox/knowledge';

/** Response shapes of the knowledge base endpoints, as the workspace reads them (OpenAPI → apps/web types). */

const KINDS = { enum: ARTICLE_KINDS, enumName: 'KnowledgeArticleKind' };
const REQUEST_STATUS = {
  enum: ['draft', 'sent', 'returned', 'approved', 'published', 'cancelled'],
  enumName: 'KnowledgeRequestStatus',
};
const ORIGIN = {
  enum: ['organisation', 'management-centre', 'escalation', 'worth-adding', 'appeals-stream'],
  enumName: 'KnowledgeRequestOrigin',
};
const nullableString = { type: String, nullable: true } as const;
const nullableUuid = { type: String, format: 'uuid', nullable: true } as const;
const nullableDate = { type: String, format: 'date-time', nullable: true } as const;

export class ArticlePartResponseDto {
  @ApiProperty() heading!: string;
  @ApiProperty() text!: string;
}

export class ArticleSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) sectionId!: string;
  @ApiProperty() sectionTitle!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty() organisationName!: string;
  @ApiProperty(nullableUuid) topicId!: string | null;
  @ApiProperty(nullableString) topicName!: string | null;
  @ApiProperty(KINDS) kind!: string;
  @ApiProperty({ description: 'Вид по-русски' }) kindName!: string;
  @ApiProperty({ enum: ['published', 'archived'] }) status!: string;
  @ApiProperty({ description: 'Текущая опубликованная версия' }) version!: number;
  @ApiProperty() title!: string;
  @ApiProperty(nullableString) question!: string | null;
  @ApiProperty({ description: 'Показывается гражданам (если организация разрешила)' }) public!: boolean;
  @ApiProperty({ format: 'date-time' }) publishedAt!: string;
  @ApiProperty({ description: 'Сколько раз статья пригодилась' }) uses!: number;
}

export class ArticleRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty(KINDS) kind!: string;
}

export class KnowledgeAttachmentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() fileName!: string;
  @ApiProperty() contentType!: string;
  @ApiProperty() size!: number;
}

/** An article's text and what goes with it, in the article read and in each version's content. */
class ArticleBodyDto {
  @ApiProperty() body!: string;
  @ApiProperty({ type: [ArticlePartResponseDto] }) parts!: ArticlePartResponseDto[];
  @ApiProperty({ type: [String] }) keywords!: string[];
  @ApiProperty({ type: [String] }) links!: string[];
  @ApiProperty({ type: [String] }) attachmentIds!: string[];
  @ApiProperty(nullableString) source!: string | null;
}

export class ArticleDto extends IntersectionType(ArticleSummaryDto, ArticleBodyDto) {
  @ApiProperty({ format: 'date-time', description: 'Срок актуализации раздела' }) sectionReviewDueAt!: string;
  @ApiProperty({ description: 'Сколько звонков закрыто ответом по статье' }) answeredOnTheSpot!: number;
  @ApiProperty({ type: [ArticleRefDto], description: 'Статьи, на которые ссылается эта' })
  linked!: ArticleRefDto[];
  @ApiProperty({ type: [ArticleRefDto], description: 'Статьи, которые ссылаются на эту' })
  linkedFrom!: ArticleRefDto[];
  @ApiProperty({ type: [KnowledgeAttachmentDto] }) attachments!: KnowledgeAttachmentDto[];
}

export class ArticleContentResponseDto extends ArticleBodyDto {
  @ApiProperty(KINDS) kind!: string;
  @ApiProperty() title!: string;
  @ApiProperty(nullableString) question!: string | null;
  @ApiProperty(nullableUuid) topicId!: string | null;
  @ApiProperty() public!: boolean;
  @ApiProperty({ required: false, description: 'Статья снята с публикации этой версией' }) archived?: boolean;
}

export class ArticleVersionDto {
  @ApiProperty() version!: number;
  @ApiProperty({ type: ArticleContentResponseDto }) content!: ArticleContentResponseDto;
  @ApiProperty(nullableUuid) changeRequestId!: string | null;
  @ApiProperty(nullableString) requestNumber!: string | null;
  @ApiProperty({ format: 'date-time' }) publishedAt!: string;
  @ApiProperty(nullableString) publishedByName!: string | null;
}

export class SuggestionDto extends ArticleSummaryDto {
  @ApiProperty({ description: 'Полный текст (для шаблона — с подстановками {{…}})' }) body!: string;
  @ApiProperty({ description: 'Фрагмент с найденными словами в «…»' }) excerpt!: string;
  @ApiProperty({ description: 'Оценка: тема (1 — точное совпадение) + полнотекстовый ранг' }) score!: number;
  @ApiProperty({ enum: ['exact', 'related', 'none'] }) topicMatch!: string;
  @ApiProperty({
    required: false,
    description: 'Можно вставить в ответ одним нажатием (шаблон, частый вопрос)',
  })
  insertable?: boolean;
}

export class SuggestionsDto {
  @ApiProperty({ type: [SuggestionDto], description: 'Статьи по теме и тексту, лучшие первыми' })
  articles!: SuggestionDto[];
  @ApiProperty({ type: [SuggestionDto], description: 'Скрипты разговора: приветствие, по теме, завершение' })
  scripts!: SuggestionDto[];
}

export class RenderedDto {
  @ApiProperty({ format: 'uuid' }) articleId!: string;
  @ApiProperty() version!: number;
  @ApiProperty(KINDS) kind!: string;
  @ApiProperty({ description: 'Текст для проекта ответа, подстановки заполнены' }) text!: string;
}

export class AnsweredOnTheSpotResultDto {
  @ApiProperty({ format: 'uuid' }) appealId!: string;
  @ApiProperty({ format: 'uuid' }) articleId!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ enum: ['closed'] }) status!: 'closed';
}

export class ArticleUseDto {
  @ApiProperty({ format: 'uuid' }) articleId!: string;
  @ApiProperty() title!: string;
  @ApiProperty(KINDS) kind!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ enum: ['inserted', 'answered-on-the-spot'] }) use!: string;
  @ApiProperty({ format: 'date-time' }) usedAt!: string;
  @ApiProperty(nullableString) userName!: string | null;
}

export class SectionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty() organisationName!: string;
  @ApiProperty(nullableUuid) topicId!: string | null;
  @ApiProperty(nullableString) topicName!: string | null;
  @ApiProperty() title!: string;
  @ApiProperty(nullableString) description!: string | null;
  @ApiProperty({ ...nullableUuid, description: 'Раздела, иначе ответственное лицо организации' })
  responsibleUserId!: string | null;
  @ApiProperty(nullableString) responsibleName!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty(nullableDate) lastReviewedAt!: string | null;
  @ApiProperty(nullableString) lastReviewedByName!: string | null;
  @ApiProperty({ format: 'date-time', description: 'Срок актуализации (не реже раза в квартал)' })
  reviewDueAt!: string;
  @ApiProperty() articles!: number;
  @ApiProperty({ enum: ['ok', 'at-risk', 'overdue'] }) reviewState!: string;
}

export class RequestHistoryEventDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['created', 'updated', 'sent', 'approved', 'returned', 'published', 'cancelled'] })
  type!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'late — с нарушением срока' })
  data!: Record<string, unknown>;
  @ApiProperty(nullableString) actorName!: string | null;
}

export class KnowledgeClockMarkDto {
  @ApiProperty({ enum: ['kb-send', 'kb-approval', 'kb-publication', 'kb-review'] }) clock!: string;
  @ApiProperty({ enum: ['at-risk', 'overdue'] }) kind!: string;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
}

export class TopicProposalResponseDto {
  @ApiProperty() name!: string;
  @ApiProperty(nullableString) parentName!: string | null;
}

export class ProposedDto extends ArticleContentResponseDto {
  @ApiProperty({ required: false, description: 'Снять статью с публикации' }) archive?: boolean;
  @ApiProperty({ type: [TopicProposalResponseDto], required: false, description: 'Для перечня тем' })
  topics?: TopicProposalResponseDto[];
}

export class KnowledgeRequestDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Номер запроса (показывается как БЗ-N)' }) number!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty() organisationName!: string;
  @ApiProperty(nullableUuid) sectionId!: string | null;
  @ApiProperty(nullableString) sectionTitle!: string | null;
  @ApiProperty(nullableUuid) articleId!: string | null;
  @ApiProperty(nullableString) articleTitle!: string | null;
  @ApiProperty({ enum: ['content', 'topic-set'] }) kind!: string;
  @ApiProperty(ORIGIN) origin!: string;
  @ApiProperty(REQUEST_STATUS) status!: string;
  @ApiProperty() statusName!: string;
  @ApiProperty({ description: 'Предмет изменений' }) subject!: string;
  @ApiProperty(nullableString) details!: string | null;
  @ApiProperty({ type: ProposedDto, nullable: true }) proposed!: ProposedDto | null;
  @ApiProperty(nullableUuid) createdBy!: string | null;
  @ApiProperty(nullableString) createdByName!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', description: 'Направить ответственному лицу — в день формирования' })
  sendDueAt!: string;
  @ApiProperty(nullableDate) sentAt!: string | null;
  @ApiProperty({ ...nullableDate, description: 'Согласовать — 3 рабочих дня (перечень тем — 5)' })
  approvalDueAt!: string | null;
  @ApiProperty(nullableDate) decidedAt!: string | null;
  @ApiProperty(nullableUuid) decidedBy!: string | null;
  @ApiProperty(nullableString) decidedByName!: string | null;
  @ApiProperty(nullableString) decisionComment!: string | null;
  @ApiProperty({
    ...nullableDate,
    description: 'Внести — 2 рабочих дня после согласования (перечень тем — 5)',
  })
  publicationDueAt!: string | null;
  @ApiProperty(nullableDate) publishedAt!: string | null;
  @ApiProperty(nullableString) publishedByName!: string | null;
  @ApiProperty(nullableUuid) publishedArticleId!: string | null;
  @ApiProperty({ type: Number, nullable: true }) publishedVersion!: number | null;
  @ApiProperty(nullableUuid) responsibleUserId!: string | null;
  @ApiProperty(nullableString) responsibleName!: string | null;
  @ApiProperty({ type: [String], description: 'Связанные обращения' }) appealIds!: string[];
}

export class KnowledgeRequestDetailDto extends KnowledgeRequestDto {
  @ApiProperty({ type: [RequestHistoryEventDto] }) history!: RequestHistoryEventDto[];
  @ApiProperty({ type: [KnowledgeClockMarkDto], description: 'Отметки о рисках и просрочках' })
  marks!: KnowledgeClockMarkDto[];
}

export class KnowledgeSettingsDto {
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty() organisationName!: string;
  @ApiProperty(nullableUuid) responsibleUserId!: string | null;
  @ApiProperty(nullableString) responsibleName!: string | null;
  @ApiProperty() publicFaq!: boolean;
}

export class RepeatedSampleDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() registrationNumber!: string;
  @ApiProperty(nullableString) subject!: string | null;
}

export class RepeatedQuestionDto {
  @ApiProperty() key!: string;
  @ApiProperty({ enum: ['no-article-for-topic', 'similar-questions'] }) reason!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty() organisationName!: string;
  @ApiProperty({ format: 'uuid' }) topicId!: string;
  @ApiProperty() topicName!: string;
  @ApiProperty() count!: number;
  @ApiProperty({ type: [String] }) appealIds!: string[];
  @ApiProperty({ type: [RepeatedSampleDto] }) samples!: RepeatedSampleDto[];
  @ApiProperty() suggestedSubject!: string;
}

/** Change requests and section reviews past their deadline or near it: the whole and each organisation's. */
class KnowledgeClockCountsDto {
  @ApiProperty() requestsOverdue!: number;
  @ApiProperty() requestsAtRisk!: number;
  @ApiProperty() reviewsOverdue!: number;
  @ApiProperty() reviewsAtRisk!: number;
}

export class KnowledgeDashboardTotalsDto extends KnowledgeClockCountsDto {
  @ApiProperty() openRequests!: number;
}

export class KnowledgeDashboardOrganisationDto extends KnowledgeClockCountsDto {
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty() organisationName!: string;
}

export class KnowledgeMarkCountDto {
  @ApiProperty() clock!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() n!: number;
}

export class KnowledgeTopArticleDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty(KINDS) kind!: string;
  @ApiProperty() organisationName!: string;
  @ApiProperty() uses!: number;
  @ApiProperty() answeredOnTheSpot!: number;
}

export class KnowledgeDashboardDto {
  @ApiProperty({ type: KnowledgeDashboardTotalsDto }) totals!: KnowledgeDashboardTotalsDto;
  @ApiProperty({ type: [KnowledgeDashboardOrganisationDto] })
  byOrganisation!: KnowledgeDashboardOrganisationDto[];
  @ApiProperty({ type: [KnowledgeMarkCountDto], description: 'Отметки о рисках и просрочках, всего' })
  marks!: KnowledgeMarkCountDto[];
  @ApiProperty({ type: [KnowledgeTopArticleDto], description: 'Полезные статьи за 30 дней' })
  topArticles!: KnowledgeTopArticleDto[];
}

/** A question answered for citizens (the library's PublicFaqEntry), as listed and as found. */
class PublicFaqDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() question!: string;
  @ApiProperty() answer!: string;
  @ApiProperty() organisationName!: string;
  @ApiProperty(nullableString) topicName!: string | null;
}

export class PublicFaqEntryDto extends PublicFaqDto {
  @ApiProperty(nullableUuid) topicId!: string | null;
}

export class PublicFaqHitDto extends PublicFaqDto {
  @ApiProperty() score!: number;
}
