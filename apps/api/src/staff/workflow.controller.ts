import { randomUUID } from 'node:crypto';
import {
  Body,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  UploadedFile,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AuditLog, Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { AppealQueries, AppealWorkflow } from '@inbox/appeals';
import { invalidInput, notFoundError } from '@inbox/common';
import { staffDenied } from '../staff-action';
import { actorOf } from './actor-of';
import { FileUpload, uploadedFile } from './answer-file.interceptor';
import {
  AssignDto,
  ClassifyDto,
  CloseDto,
  DraftAnswerDto,
  EditDraftDto,
  NoteDto,
  SendBackDto,
  EscalateDto,
  ExtendDto,
  ExtensionPreviewQueryDto,
  HandOverDto,
  JoinDto,
  JoinPreviewQueryDto,
  OperatorAppealDto,
  RatingDto,
  ReasonDto,
  RedirectDto,
  UpdateCardDto,
} from './workflow.dto';
import {
  CardUpdatedDto,
  CreatedDto,
  ExtensionPreviewDto,
  JoinCandidateDto,
  JoinedDto,
  JoinPreviewDto,
  RegisteredAppealDto,
} from './appeal.responses';
import { StaffController } from '../staff-controller';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@StaffController('api/v1/appeals', 'workflow')
export class WorkflowController {
  constructor(
    private readonly workflow: AppealWorkflow,
    private readonly audit: AuditLog,
    private readonly queries: AppealQueries,
  ) {}

  @Post()
  @Roles(Role.Operator, Role.Supervisor)
  @ApiOperation({ summary: 'Регистрация оператором: звонок, личный приём, письмо по почте (карточка S0/S4)' })
  @ApiCreatedResponse({ type: RegisteredAppealDto })
  registerByOperator(@Body() body: OperatorAppealDto, @Staff() staff: StaffContext) {
    return this.workflow.registerByOperator(body, actorOf(staff));
  }

  @Patch(':id/card')
  @ApiOperation({
    summary:
      'Дополнить или исправить карточку: данные заявителя (ФИО, телефон, e-mail, почтовый адрес) и суть вопроса',
  })
  @ApiOkResponse({ type: CardUpdatedDto })
  updateCard(@Param('id', uuid) id: string, @Body() body: UpdateCardDto, @Staff() staff: StaffContext) {
    return this.workflow.updateCard(id, actorOf(staff), body);
  }

  @Post(':id/parts/:organisationId/close')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Закрыть поручение организации (1-я линия): не требуется или возвращено без переадресации',
  })
  async closePart(
    @Param('id', uuid) id: string,
    @Param('organisationId', uuid) organisationId: string,
    @Body() body: ReasonDto,
    @Staff() staff: StaffContext,
  ) {
    await this.workflow.closePart(id, actorOf(staff), organisationId, body.reason);
  }

  @Post(':id/take')
  @HttpCode(204)
  @ApiOperation({ summary: 'Взять в работу' })
  async take(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    await this.workflow.take(id, actorOf(staff));
  }

  @Post(':id/assign')
  @HttpCode(204)
  @Roles(Role.Operator, Role.Supervisor, Role.Clerk, Role.Head)
  @ApiOperation({ summary: 'Назначить исполнителя' })
  async assign(@Param('id', uuid) id: string, @Body() body: AssignDto, @Staff() staff: StaffContext) {
    await this.workflow.assign(id, actorOf(staff), body.userId);
  }

  @Post(':id/classify')
  @HttpCode(204)
  @ApiOperation({ summary: 'Указать или исправить тему' })
  async classify(@Param('id', uuid) id: string, @Body() body: ClassifyDto, @Staff() staff: StaffContext) {
    await this.workflow.classify(id, actorOf(staff), body.topicId, body.subtopicId);
  }

  @Post(':id/escalate')
  @HttpCode(204)
  @ApiOperation({ summary: 'Передать на 2-ю линию в одну или несколько организаций' })
  async escalate(@Param('id', uuid) id: string, @Body() body: EscalateDto, @Staff() staff: StaffContext) {
    await this.workflow.escalate(id, actorOf(staff), body);
  }

  @Post(':id/fast-track')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Назначить ускоренное рассмотрение (срок — 10 дней с регистрации); 1-я линия или руководитель',
  })
  async fastTrack(@Param('id', uuid) id: string, @Body() body: ReasonDto, @Staff() staff: StaffContext) {
    await this.workflow.fastTrack(id, actorOf(staff), body.reason);
  }

  @Get(':id/join-candidates')
  @Roles(Role.Operator, Role.Supervisor)
  @ApiOperation({
    summary:
      'С чем объединить обращение: названное признаком «Повторное обращение» и более ранние обращения того же заявителя в работе',
  })
  @ApiOkResponse({ type: [JoinCandidateDto] })
  async joinCandidates(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    const candidates = await this.queries.joinCandidates(id, staff.scope);
    if (!candidates) {
      await this.audit.record(staffDenied(staff, 'list-join-candidates', 'appeal', id));
      throw notFoundError('Обращение не найдено');
    }
    return candidates;
  }

  @Get(':id/join-preview')
  @Roles(Role.Operator, Role.Supervisor)
  @ApiOperation({
    summary:
      'Заявители обоих обращений рядом перед объединением и совпадает ли что-то у них (ничего не меняет; чтение персональных данных записывается в журнал)',
  })
  @ApiOkResponse({ type: JoinPreviewDto })
  async joinPreview(
    @Param('id', uuid) id: string,
    @Query() query: JoinPreviewQueryDto,
    @Staff() staff: StaffContext,
  ) {
    const preview = await this.queries.joinPreview(id, query.intoNumber, staff.scope);
    if (!preview) {
      await this.audit.record(staffDenied(staff, 'preview-join', 'appeal', id));
      throw notFoundError('Обращение не найдено');
    }
    await this.audit.record({
      userId: staff.user.id,
      action: 'preview-join',
      entityType: 'appeal',
      entityId: id,
      details: {
        personalData: ['applicant'],
        intoRegistrationNumber: preview.into?.registrationNumber ?? null,
      },
    });
    return preview;
  }

  @Post(':id/join')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Объединить с более ранним обращением того же заявителя (по номеру): текст и файлы становятся дополнением к нему, это обращение закрывается, заявитель уведомляется; 1-я линия или руководитель',
  })
  @ApiOkResponse({ type: JoinedDto })
  join(@Param('id', uuid) id: string, @Body() body: JoinDto, @Staff() staff: StaffContext) {
    return this.workflow.join(id, actorOf(staff), body);
  }

  @Post(':id/return')
  @HttpCode(204)
  @ApiOperation({ summary: 'Вернуть на 1-ю линию как направленное не по адресу' })
  async returnMisrouted(
    @Param('id', uuid) id: string,
    @Body() body: ReasonDto,
    @Staff() staff: StaffContext,
  ) {
    await this.workflow.returnMisrouted(id, actorOf(staff), body.reason);
  }

  @Post(':id/redirect')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Направить по компетенции в другой орган (ч. 3 ст. 8 59-ФЗ) с уведомлением заявителя',
  })
  async redirect(@Param('id', uuid) id: string, @Body() body: RedirectDto, @Staff() staff: StaffContext) {
    await this.workflow.redirect(id, actorOf(staff), body);
  }

  @Get(':id/extension')
  @ApiOperation({
    summary: 'Какой срок ответа даст продление по 59-ФЗ на указанное число дней (ничего не меняет)',
  })
  @ApiOkResponse({ type: ExtensionPreviewDto })
  async extensionPreview(
    @Param('id', uuid) id: string,
    @Query() query: ExtensionPreviewQueryDto,
    @Staff() staff: StaffContext,
  ) {
    const preview = await this.workflow.extensionPreview(id, actorOf(staff), query.days ?? 30);
    if (!preview) {
      // Read-only, but an attempt on another organisation's appeal is on record as every other one is.
      await this.audit.record(staffDenied(staff, 'preview-extension', 'appeal', id));
      throw notFoundError('Обращение не найдено');
    }
    return preview;
  }

  @Post(':id/extend')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Продлить срок: по 59-ФЗ (один раз, до 30 дней) или запрос 2-й линии (до 5 рабочих дней)',
  })
  async extend(@Param('id', uuid) id: string, @Body() body: ExtendDto, @Staff() staff: StaffContext) {
    if (body.kind === 'appeal' && !body.days) {
      throw invalidInput('Укажите число дней', { days: 'Укажите' });
    }
    if (body.kind === 'line2' && !body.until) {
      throw invalidInput('Укажите новый срок', { until: 'Укажите' });
    }
    await this.workflow.extend(
      id,
      actorOf(staff),
      body.kind === 'appeal'
        ? { kind: 'appeal', days: body.days!, reason: body.reason }
        : { kind: 'line2', until: body.until!, reason: body.reason },
    );
  }

  @Post(':id/answers')
  @ApiOperation({ summary: 'Черновик ответа (из шаблона с подстановками или текстом)' })
  @ApiCreatedResponse({ type: CreatedDto })
  async draft(@Param('id', uuid) id: string, @Body() body: DraftAnswerDto, @Staff() staff: StaffContext) {
    return { id: await this.workflow.draftAnswer(id, actorOf(staff), body) };
  }

  @Patch(':id/answers/:answerId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Исправить проект ответа (автор или руководитель подразделения)' })
  async editDraft(
    @Param('id', uuid) id: string,
    @Param('answerId', uuid) answerId: string,
    @Body() body: EditDraftDto,
    @Staff() staff: StaffContext,
  ) {
    await this.workflow.editDraft(id, answerId, actorOf(staff), body.text);
  }

  @Post(':id/attachments')
  @Roles(Role.Operator, Role.Clerk, Role.Head, Role.Supervisor)
  @ApiOperation({
    summary: 'Приложить файл к обращению (скан письма, документ с приёма): кто может работать с обращением',
  })
  @FileUpload()
  async attachToAppeal(
    @Param('id', uuid) id: string,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Staff() staff: StaffContext,
  ) {
    return this.workflow.attachFile(id, actorOf(staff), await uploadedFile(file));
  }

  @Post(':id/answers/:answerId/attachments')
  @ApiOperation({ summary: 'Приложить файл к проекту ответа (автор или руководитель подразделения)' })
  @FileUpload()
  async attachToDraft(
    @Param('id', uuid) id: string,
    @Param('answerId', uuid) answerId: string,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Staff() staff: StaffContext,
  ) {
    return this.workflow.attachToDraft(id, answerId, actorOf(staff), await uploadedFile(file));
  }

  @Delete(':id/answers/:answerId/attachments/:fileId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Убрать файл из проекта ответа (автор или руководитель подразделения)' })
  async detachFromDraft(
    @Param('id', uuid) id: string,
    @Param('answerId', uuid) answerId: string,
    @Param('fileId', uuid) fileId: string,
    @Staff() staff: StaffContext,
  ) {
    await this.workflow.detachFromDraft(id, answerId, fileId, actorOf(staff));
  }

  @Post(':id/answers/:answerId/discard')
  @HttpCode(204)
  @ApiOperation({ summary: 'Отменить проект ответа' })
  async discardDraft(
    @Param('id', uuid) id: string,
    @Param('answerId', uuid) answerId: string,
    @Staff() staff: StaffContext,
  ) {
    await this.workflow.discardDraft(id, answerId, actorOf(staff));
  }

  @Post(':id/answers/:answerId/send-back')
  @HttpCode(204)
  @ApiOperation({ summary: 'Вернуть проект ответа автору на доработку с комментарием' })
  async sendBackDraft(
    @Param('id', uuid) id: string,
    @Param('answerId', uuid) answerId: string,
    @Body() body: SendBackDto,
    @Staff() staff: StaffContext,
  ) {
    await this.workflow.sendBackDraft(id, answerId, actorOf(staff), body.comment);
  }

  @Post(':id/notes')
  @ApiOperation({ summary: 'Внутренняя заметка по обращению (заявителю не видна)' })
  @ApiCreatedResponse({ type: CreatedDto })
  addNote(@Param('id', uuid) id: string, @Body() body: NoteDto, @Staff() staff: StaffContext) {
    return this.workflow.addNote(id, actorOf(staff), body.text);
  }

  @Post(':id/answers/:answerId/approve')
  @HttpCode(204)
  @ApiOperation({ summary: 'Согласовать ответ' })
  async approve(
    @Param('id', uuid) id: string,
    @Param('answerId', uuid) answerId: string,
    @Staff() staff: StaffContext,
  ) {
    await this.workflow.approveAnswer(id, answerId, actorOf(staff));
  }

  @Post(':id/answers/:answerId/send')
  @HttpCode(204)
  @ApiOperation({ summary: 'Отправить согласованный ответ по каналу поступления' })
  async send(
    @Param('id', uuid) id: string,
    @Param('answerId', uuid) answerId: string,
    @Staff() staff: StaffContext,
  ) {
    await this.workflow.sendAnswer(id, answerId, actorOf(staff));
  }

  @Post(':id/answers/:answerId/handed-over')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Ответ на звонок, личный приём или письмо передан заявителю (по телефону, лично, почтой): отметка о вручении',
  })
  async handedOver(
    @Param('id', uuid) id: string,
    @Param('answerId', uuid) answerId: string,
    @Body() body: HandOverDto,
    @Staff() staff: StaffContext,
  ) {
    await this.workflow.handOverAnswer(id, answerId, actorOf(staff), body);
  }

  @Post(':id/close')
  @HttpCode(204)
  @ApiOperation({ summary: 'Завершить рассмотрение (с причиной, например: заявитель отозвал обращение)' })
  async close(@Param('id', uuid) id: string, @Body() body: CloseDto, @Staff() staff: StaffContext) {
    await this.workflow.close(id, actorOf(staff), body.reason?.trim() || undefined);
  }

  @Post(':id/ratings')
  @ApiOperation({ summary: 'Оценка ответа, полученная сотрудником (например, по телефону)' })
  async rate(@Param('id', uuid) id: string, @Body() body: RatingDto, @Staff() staff: StaffContext) {
    if (body.answered === undefined && body.satisfaction === undefined) {
      throw invalidInput('Укажите оценку', { satisfaction: 'Укажите' });
    }
    return this.workflow.rate(
      id,
      { channel: 'operator', externalId: `staff:${randomUUID()}`, via: 'staff', ...body },
      actorOf(staff),
    );
  }
}
