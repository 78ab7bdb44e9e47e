import { type components } from './schema.gen';

/**
 * Names for the API's shapes the workspace uses. Every one is the server's own schema, generated from its
 * OpenAPI document into schema.gen.ts by `npm run api:types`: never write a response shape by hand here.
 */
type Schemas = components['schemas'];

export type Role = Schemas['Role'];
export type AppealStatus = Schemas['AppealStatus'];
export type Me = Schemas['MeDto'];
export type LoginResult = Schemas['SessionDto'];
export type AppealSummary = Schemas['AppealListItemDto'];
export type AppealListItem = Schemas['AppealListItemDto'];
export type AppealPage = Schemas['AppealPageDto'];
export type HistoryEvent = Schemas['HistoryEventDto'];
export type AppealCard = Schemas['AppealCardDto'];
export type Applicant = Schemas['ApplicantDto'];
export type JoinApplicant = Schemas['JoinApplicantDto'];
export type Attachment = Schemas['AttachmentDto'];
export type Answer = Schemas['AnswerDto'];
export type Note = Schemas['NoteViewDto'];
export type StaffNotification = Schemas['NotificationDto'];
export type NotificationGroup = Schemas['NotificationGroupDto'];
export type Organisation = Schemas['OrganisationDto'];
export type Topic = Schemas['TopicDto'];
export type Template = Schemas['AnswerTemplateDto'];
export type AppealTemplate = Schemas['AppealAnswerTemplateDto'];
export type StaffMember = Schemas['ListedStaffUserDto'];
export type PasswordReset = Schemas['PasswordResetDto'];
export type SignInLockout = Schemas['SignInLockoutDto'];
export type ChannelAccount = Schemas['ChannelAccountDto'];
export type ChannelKind = Schemas['ChannelKindDto'];
export type Assignee = Schemas['AssigneeDto'];
export type RouteSuggestion = Schemas['RouteSuggestionDto'];
export type RoutingRule = Schemas['RoutingRuleResponseDto'];
export type Dashboard = Schemas['DashboardDto'];
export type HandledRow = Schemas['HandledRowDto'];
export type HandledReport = Schemas['HandledReportDto'];
export type CalendarYear = Schemas['CalendarYearDto'];
export type Health = Schemas['HealthDto'];
export type AppealFlag = Schemas['AppealFlagDto'];
export type FastTrackRule = Schemas['FastTrackRuleResponseDto'];
export type ClassifierModel = Schemas['ClassifierModelDto'];
export type Correction = Schemas['CorrectionDto'];
export type IncidentSummary = Schemas['IncidentSummaryDto'];

export type KbArticleSummary = Schemas['ArticleSummaryDto'];
export type KbArticle = Schemas['ArticleDto'];
export type KbArticleVersion = Schemas['ArticleVersionDto'];
export type KbSuggestion = Schemas['SuggestionDto'];
export type KbSuggestions = Schemas['SuggestionsDto'];
export type KbRequest = Schemas['KnowledgeRequestDto'];
export type KbRequestDetail = Schemas['KnowledgeRequestDetailDto'];
export type KbSection = Schemas['SectionDto'];
export type KbDashboard = Schemas['KnowledgeDashboardDto'];
export type KbRepeatedQuestion = Schemas['RepeatedQuestionDto'];
export type KbArticleKind = Schemas['KnowledgeArticleKind'];
export type KbArticleContent = Schemas['ArticleContentDto'];
