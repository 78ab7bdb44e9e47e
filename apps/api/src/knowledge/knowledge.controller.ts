import {
  Body,
  Get,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
} from '@nestjs/swagger';
import { type Response } from 'express';
import { Role, Staff, type StaffContext } from '@inbox/access';
import { AppealQueries } from '@inbox/appeals';
import { invalidInput, maskPersonNames, type PersonNames, redactStrings } from '@inbox/common';
import {
  type ChangeRequestOrigin,
  type ChangeRequestStatus,
  KnowledgeArticles,
  type KnowledgeActor,
  KnowledgeGaps,
  KnowledgeRequests,
  KnowledgeSections,
  type RepeatedQuestion,
} from '@inbox/knowledge';
import {
  AnsweredOnTheSpotResultDto,
  ArticleDto,
  ArticleSummaryDto,
  ArticleUseDto,
  ArticleVersionDto,
  KnowledgeAttachmentDto,
  KnowledgeDashboardDto,
  KnowledgeRequestDetailDto,
  KnowledgeRequestDto,
  KnowledgeSettingsDto,
  RenderedDto,
  RepeatedQuestionDto,
  SectionDto,
  SuggestionDto,
  SuggestionsDto,
} from './knowledge.responses';
import {
  AnsweredOnTheSpotDto,
  ApproveRequestDto,
  ArticleListQuery,
  CommentDto,
  CreateRequestDto,
  CreateSectionDto,
  OptionalCommentDto,
  RenderDto,
  RepeatedQuery,
  RequestListQuery,
  SearchQueryDto,
  SectionListQuery,
  SettingsDto,
  SuggestDto,
  UpdateRequestDto,
  UpdateSectionDto,
  WorthAddingDto,
} from './knowledge.dto';
import { StaffController } from '../staff-controller';
import { sendFile } from '../files/send-file';
import { AnswerFileInterceptor } from '../staff/answer-file.interceptor';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

export function knowledgeActorOf(staff: StaffContext): KnowledgeActor {
  return {
    userId: staff.user.id,
    role: staff.user.role,
    organisationId: staff.user.organisationId,
    organisationKind: staff.user.organisationKind,
    scope: staff.scope,
  };
}

/**
 * A group of repeated questions with each sample's applicant's names masked, and the suggested subject (the
 * group's most common subject) without the names of any applicant in the group.
 */
function withoutNames(group: RepeatedQuestion, names: Map<string, PersonNames>): RepeatedQuestion {
  const suggestedSubject = group.appealIds.reduce(
    (subject, id) => maskPersonNames(subject, names.get(id) ?? {}),
    group.suggestedSubject,
  );
  const samples = group.samples.map((s) => maskPersonNames(s, names.get(s.id) ?? {}));
  return { ...group, samples, suggestedSubject };
}

/**
 * Change requests as `staff` may read them. A request raised from an answer worth adding proposes that answer's
 * text, the applicant's phone or address in it until its author cleans it («уберите персональные данные»): an
 * administrator reads it as the inbox shows it, the cited appeals' applicants' names, phones and e-mails masked.
 */
async function readableRequests<T extends { appealIds: string[] }>(
  appeals: AppealQueries,
  staff: StaffContext,
  views: T[],
): Promise<T[]> {
  if (staff.user.role !== Role.Admin) return views;
  const names = await appeals.applicantNames([...new Set(views.flatMap((v) => v.appealIds))]);
  return redactStrings(
    views.map((v) => v.appealIds.reduce((view, id) => maskPersonNames(view, names.get(id) ?? {}), v)),
  );
}

/** Reading and using the knowledge base: browse, search, suggestions for an appeal or a call, one-click use. */
@StaffController('api/v1/knowledge', 'knowledge')
export class KnowledgeArticlesController {
  constructor(
    private readonly articles: KnowledgeArticles,
    private readonly gaps: KnowledgeGaps,
    private readonly appeals: AppealQueries,
  ) {}

  @Get('articles')
  @ApiOperation({ summary: 'Статьи базы знаний: по организации, разделу, теме, виду' })
  @ApiOkResponse({ type: [ArticleSummaryDto] })
  browse(@Query() query: ArticleListQuery) {
    return this.articles.browse(query);
  }

  @Get('search')
  @ApiOperation({ summary: 'Поиск: русский полнотекстовый поиск со стеммингом и тема рубрикатора' })
  @ApiOkResponse({ type: [SuggestionDto] })
  search(@Query() query: SearchQueryDto) {
    return this.articles.search({
      q: query.q ?? '',
      topicId: query.topicId,
      organisationId: query.organisationId,
      kinds: query.kind,
      limit: query.limit,
    });
  }

  @Post('suggestions')
  @ApiOperation({
    summary: 'Подсказки для экрана регистрации звонка: статьи и скрипты по свободному тексту и теме',
    description:
      'Вызывайте по мере ввода текста (с задержкой) и после выбора темы. Шаблоны и частые вопросы (insertable) ' +
      'вставляются в ответ через POST /api/v1/knowledge/articles/{id}/render; ответ на месте закрывает звонок ' +
      'через POST /api/v1/knowledge/appeals/{appealId}/answered-on-the-spot.',
  })
  @ApiCreatedResponse({ type: SuggestionsDto })
  suggest(@Body() body: SuggestDto) {
    return this.articles.suggest(body);
  }

  @Get('appeals/:appealId/suggestions')
  @ApiOperation({
    summary: 'Подсказки для карточки обращения: по теме (подтеме) и тексту, владелец темы первым',
  })
  @ApiOkResponse({ type: SuggestionsDto })
  suggestForAppeal(@Param('appealId', uuid) appealId: string, @Staff() staff: StaffContext) {
    return this.articles.suggestForAppeal(appealId, knowledgeActorOf(staff));
  }

  @Get('appeals/:appealId/uses')
  @ApiOperation({ summary: 'Какие статьи пригодились по обращению' })
  @ApiOkResponse({ type: [ArticleUseDto] })
  uses(@Param('appealId', uuid) appealId: string, @Staff() staff: StaffContext) {
    return this.articles.usesOfAppeal(appealId, knowledgeActorOf(staff));
  }

  @Post('appeals/:appealId/answered-on-the-spot')
  @ApiOperation({
    summary: 'Ответ дан на месте по статье: звонок 1-й линии закрывается, статья засчитывается',
    description:
      'Только для звонка или личного приёма, зарегистрированного оператором и ещё не переданного на 2-ю линию.',
  })
  @ApiCreatedResponse({ type: AnsweredOnTheSpotResultDto })
  answeredOnTheSpot(
    @Param('appealId', uuid) appealId: string,
    @Body() body: AnsweredOnTheSpotDto,
    @Staff() staff: StaffContext,
  ) {
    return this.articles.answeredOnTheSpot(appealId, body.articleId, knowledgeActorOf(staff));
  }

  @Post('appeals/:appealId/worth-adding')
  @ApiOperation({ summary: 'Ответ стоит добавить в базу знаний: запрос организации со ссылкой на обращение' })
  @ApiCreatedResponse({ type: KnowledgeRequestDetailDto })
  worthAdding(
    @Param('appealId', uuid) appealId: string,
    @Body() body: WorthAddingDto,
    @Staff() staff: StaffContext,
  ) {
    return this.gaps
      .worthAdding(knowledgeActorOf(staff), appealId, body)
      .then(async (request) => (await readableRequests(this.appeals, staff, [request]))[0]);
  }

  @Get('articles/:id')
  @ApiOperation({ summary: 'Статья: разделы, связи, вложения, сколько раз пригодилась' })
  @ApiOkResponse({ type: ArticleDto })
  article(@Param('id', uuid) id: string) {
    return this.articles.article(id);
  }

  @Get('articles/:id/versions')
  @ApiOperation({ summary: 'Все опубликованные версии статьи' })
  @ApiOkResponse({ type: [ArticleVersionDto] })
  versions(@Param('id', uuid) id: string) {
    return this.articles.versions(id);
  }

  @Post('articles/:id/render')
  @ApiOperation({
    summary: 'Текст шаблона или ответа на частый вопрос для проекта ответа (подстановки заполнены)',
  })
  @ApiCreatedResponse({ type: RenderedDto })
  render(@Param('id', uuid) id: string, @Body() body: RenderDto, @Staff() staff: StaffContext) {
    return this.articles.renderForAppeal(id, body.appealId, knowledgeActorOf(staff));
  }

  @Get('gaps/repeated')
  @ApiOperation({ summary: 'Повторяющиеся вопросы без статьи в базе знаний (из потока обращений)' })
  @ApiOkResponse({ type: [RepeatedQuestionDto] })
  async repeated(@Query() query: RepeatedQuery, @Staff() staff: StaffContext) {
    const found = await this.gaps.repeatedQuestions(knowledgeActorOf(staff), query);
    if (staff.user.role !== Role.Admin) return found;
    // The samples are appeals' subjects: an administrator gets them with the applicants' names, phones and
    // e-mails masked, as in the inbox.
    const names = await this.appeals.applicantNames([...new Set(found.flatMap((g) => g.appealIds))]);
    return redactStrings(found.map((group) => withoutNames(group, names)));
  }
}

/** Change requests and their approval on the agreed terms (S0 annex 2). */
@StaffController('api/v1/knowledge/requests', 'knowledge')
export class KnowledgeRequestsController {
  constructor(
    private readonly requests: KnowledgeRequests,
    private readonly appeals: AppealQueries,
  ) {}

  private readable<T extends { appealIds: string[] }>(staff: StaffContext, found: Promise<T[]>) {
    return found.then((views) => readableRequests(this.appeals, staff, views));
  }

  private readableOne<T extends { appealIds: string[] }>(staff: StaffContext, found: Promise<T>) {
    return found.then(async (view) => (await readableRequests(this.appeals, staff, [view]))[0]);
  }

  @Get()
  @ApiOperation({ summary: 'Запросы на изменение базы знаний в моей области видимости' })
  @ApiOkResponse({ type: [KnowledgeRequestDto] })
  list(@Query() query: RequestListQuery, @Staff() staff: StaffContext) {
    return this.readable(
      staff,
      this.requests.list(knowledgeActorOf(staff), {
        status: query.status as ChangeRequestStatus[] | undefined,
        origin: query.origin as ChangeRequestOrigin | undefined,
        organisationId: query.organisationId,
        appealId: query.appealId,
        limit: query.limit,
      }),
    );
  }

  @Post()
  @ApiOperation({
    summary: 'Запрос на изменение: от организации или от ЦУР; сразу направляется ответственному лицу',
    description:
      'Сроки: направить в день формирования; согласовать за 3 рабочих дня (классификатор — 5); внести за 2 (классификатор — 5).',
  })
  @ApiCreatedResponse({ type: KnowledgeRequestDetailDto })
  create(@Body() body: CreateRequestDto, @Staff() staff: StaffContext) {
    return this.readableOne(
      staff,
      this.requests.create(knowledgeActorOf(staff), {
        ...body,
        proposed: body.kind === 'topic-set' ? { topics: body.topics } : body.proposed,
      }),
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'Запрос: предложенный текст, сроки, история, отметки о рисках и просрочках' })
  @ApiOkResponse({ type: KnowledgeRequestDetailDto })
  get(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    return this.readableOne(staff, this.requests.get(knowledgeActorOf(staff), id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Доработать формируемый или возвращённый запрос' })
  @ApiOkResponse({ type: KnowledgeRequestDetailDto })
  update(@Param('id', uuid) id: string, @Body() body: UpdateRequestDto, @Staff() staff: StaffContext) {
    const { topics, proposed, ...rest } = body;
    return this.readableOne(
      staff,
      this.requests.update(knowledgeActorOf(staff), id, {
        ...rest,
        ...(topics ? { proposed: { topics } } : proposed ? { proposed } : {}),
      }),
    );
  }

  @Post(':id/send')
  @ApiOperation({ summary: 'Направить ответственному лицу на согласование' })
  @ApiCreatedResponse({ type: KnowledgeRequestDetailDto })
  send(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    return this.readableOne(staff, this.requests.send(knowledgeActorOf(staff), id));
  }

  @Post(':id/approve')
  @ApiOperation({ summary: 'Согласовать (ответственное лицо организации)' })
  @ApiCreatedResponse({ type: KnowledgeRequestDetailDto })
  approve(@Param('id', uuid) id: string, @Body() body: ApproveRequestDto, @Staff() staff: StaffContext) {
    return this.readableOne(staff, this.requests.approve(knowledgeActorOf(staff), id, body));
  }

  @Post(':id/return')
  @ApiOperation({ summary: 'Вернуть на доработку с причиной' })
  @ApiCreatedResponse({ type: KnowledgeRequestDetailDto })
  return(@Param('id', uuid) id: string, @Body() body: CommentDto, @Staff() staff: StaffContext) {
    return this.readableOne(staff, this.requests.return(knowledgeActorOf(staff), id, body.comment));
  }

  @Post(':id/publish')
  @ApiOperation({ summary: 'Внести согласованные изменения в базу знаний (ЦУР): новая версия статьи' })
  @ApiCreatedResponse({ type: KnowledgeRequestDetailDto })
  publish(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    return this.readableOne(staff, this.requests.publish(knowledgeActorOf(staff), id));
  }

  @Post(':id/cancel')
  @ApiOperation({ summary: 'Отозвать запрос' })
  @ApiCreatedResponse({ type: KnowledgeRequestDetailDto })
  cancel(@Param('id', uuid) id: string, @Body() body: OptionalCommentDto, @Staff() staff: StaffContext) {
    return this.readableOne(staff, this.requests.cancel(knowledgeActorOf(staff), id, body.comment));
  }
}

/** Sections, their quarterly review, the organisations' settings, attachments and the dashboard figures. */
@StaffController('api/v1/knowledge', 'knowledge')
export class KnowledgeSectionsController {
  constructor(private readonly sections: KnowledgeSections) {}

  @Get('sections')
  @ApiOperation({ summary: 'Разделы и их актуализация (не реже раза в квартал)' })
  @ApiOkResponse({ type: [SectionDto] })
  list(@Query() query: SectionListQuery, @Staff() staff: StaffContext) {
    return this.sections.list(knowledgeActorOf(staff), query);
  }

  @Post('sections')
  @ApiOperation({ summary: 'Новый раздел своей организации' })
  @ApiCreatedResponse({ type: SectionDto })
  create(@Body() body: CreateSectionDto, @Staff() staff: StaffContext) {
    return this.sections.create(knowledgeActorOf(staff), body);
  }

  @Get('sections/:id')
  @ApiOperation({ summary: 'Раздел' })
  @ApiOkResponse({ type: SectionDto })
  get(@Param('id', uuid) id: string) {
    return this.sections.get(id);
  }

  @Patch('sections/:id')
  @ApiOperation({ summary: 'Изменить раздел своей организации' })
  @ApiOkResponse({ type: SectionDto })
  update(@Param('id', uuid) id: string, @Body() body: UpdateSectionDto, @Staff() staff: StaffContext) {
    return this.sections.update(knowledgeActorOf(staff), id, body);
  }

  @Post('sections/:id/reviewed')
  @ApiOperation({ summary: 'Раздел актуализирован: следующий срок — через квартал' })
  @ApiCreatedResponse({ type: SectionDto })
  reviewed(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    return this.sections.markReviewed(knowledgeActorOf(staff), id);
  }

  @Get('organisations/:id/settings')
  @ApiOperation({ summary: 'Ответственное лицо организации и публикация частых вопросов' })
  @ApiOkResponse({ type: KnowledgeSettingsDto })
  settings(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    return this.sections.settings(knowledgeActorOf(staff), id);
  }

  @Put('organisations/:id/settings')
  @ApiOperation({ summary: 'Назначить ответственное лицо; разрешить публикацию частых вопросов гражданам' })
  @ApiOkResponse({ type: KnowledgeSettingsDto })
  saveSettings(@Param('id', uuid) id: string, @Body() body: SettingsDto, @Staff() staff: StaffContext) {
    return this.sections.saveSettings(knowledgeActorOf(staff), id, body);
  }

  @Post('attachments')
  @ApiOperation({ summary: 'Вложение для статьи (PDF, Word, Excel, RTF, текст, изображение; до 10 МБ)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        file: { type: 'string', format: 'binary' },
        organisationId: { type: 'string', format: 'uuid' },
      },
      required: ['file'],
    },
  })
  // Multer's own refusal of a file over the limit in Russian, with the size, like an answer's file.
  @UseInterceptors(AnswerFileInterceptor)
  @ApiCreatedResponse({ type: KnowledgeAttachmentDto })
  upload(
    @UploadedFile() file: Express.Multer.File | undefined,
    @Body('organisationId') organisationId: string | undefined,
    @Staff() staff: StaffContext,
  ) {
    if (!file) throw invalidInput('Приложите файл', { file: 'Нет файла' });
    return this.sections.upload(knowledgeActorOf(staff), {
      organisationId: organisationId || undefined,
      fileName: Buffer.from(file.originalname, 'latin1').toString('utf8'),
      contentType: file.mimetype,
      content: file.buffer,
    });
  }

  @Get('attachments/:id')
  @ApiOperation({ summary: 'Содержимое вложения статьи' })
  @ApiProduces('application/octet-stream')
  async attachment(
    @Param('id', uuid) id: string,
    @Staff() staff: StaffContext,
    @Res() res: Response,
  ): Promise<void> {
    // Served as every stored file is: by what its bytes are, not the type the uploader's browser claimed (a page
    // uploaded as a PDF is not shown as one), sandboxed.
    await sendFile(res, await this.sections.attachment(knowledgeActorOf(staff), id));
  }

  @Get('dashboard')
  @ApiOperation({
    summary: 'Панель руководителя: сроки запросов и актуализации по организациям, полезные статьи',
  })
  @ApiOkResponse({ type: KnowledgeDashboardDto })
  dashboard(@Staff() staff: StaffContext) {
    return this.sections.dashboard(knowledgeActorOf(staff));
  }
}
