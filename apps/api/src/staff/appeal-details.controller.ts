import { Get, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
import { type Response } from 'express';
import { AuditLog, Role, Staff, type StaffContext } from '@inbox/access';
import { AnswerTemplates, AppealQueries } from '@inbox/appeals';
import { forbiddenError, notFoundError } from '@inbox/common';
import { sendFile } from '../files/send-file';
import { actorOf } from './actor-of';
import { AnswerDto, AppealAnswerTemplateDto, NoteViewDto } from './appeal.responses';
import { StaffController } from '../staff-controller';
import { staffDenied } from '../staff-action';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });
const ADMIN_HIDDEN = 'Текст скрыт: администратор не видит персональных данных';
/** As the card, which shows such an organisation no applicant: an answer or a note speaks of them. */
const RETURNED_HIDDEN =
  'Текст скрыт: ваша организация вернула обращение (или её поручение закрыто) и не видит данных заявителя';

/** Parts of the appeal card loaded on demand: attachment contents and the answers with their states. */
@StaffController('api/v1/appeals', 'appeals')
export class AppealDetailsController {
  constructor(
    private readonly queries: AppealQueries,
    private readonly audit: AuditLog,
    private readonly templates: AnswerTemplates,
  ) {}

  @Get(':id/attachments/:attachmentId')
  @ApiOperation({ summary: 'Содержимое вложения (чтение записывается в журнал)' })
  @ApiProduces('application/octet-stream')
  async attachment(
    @Param('id', uuid) id: string,
    @Param('attachmentId', uuid) attachmentId: string,
    @Staff() staff: StaffContext,
    @Res() res: Response,
  ): Promise<void> {
    await this.sendAudited(res, staff, id, {
      action: 'read-attachment',
      details: { attachmentId },
      // Administrators run the system, not appeals: a citizen's files are personal data they never get.
      adminRefusal: 'Администратор не просматривает вложения обращений',
      missing: 'Вложение не найдено',
      load: () => this.queries.attachmentContent(id, attachmentId, staff.scope),
    });
  }

  @Get(':id/answers/:answerId/attachments/:fileId')
  @ApiOperation({ summary: 'Файл, приложенный к ответу (чтение записывается в журнал)' })
  @ApiProduces('application/octet-stream')
  async answerFile(
    @Param('id', uuid) id: string,
    @Param('answerId', uuid) answerId: string,
    @Param('fileId', uuid) fileId: string,
    @Staff() staff: StaffContext,
    @Res() res: Response,
  ): Promise<void> {
    await this.sendAudited(res, staff, id, {
      action: 'read-answer-file',
      details: { answerId, fileId },
      // As with the citizen's own files: an answer's files speak of the applicant.
      adminRefusal: 'Администратор не просматривает файлы ответов',
      missing: 'Файл не найден',
      load: () => this.queries.answerFileContent(id, answerId, fileId, staff.scope),
    });
  }

  /**
   * A file of an appeal, each read in the audit log: refused to an administrator, not found outside the
   * caller's scope (denied), otherwise sent (ok).
   */
  private async sendAudited(
    res: Response,
    staff: StaffContext,
    id: string,
    read: {
      action: string;
      details: Record<string, string>;
      adminRefusal: string;
      missing: string;
      load: () => Promise<Parameters<typeof sendFile>[1] | undefined>;
    },
  ): Promise<void> {
    const record = (outcome: 'ok' | 'denied', details: Record<string, string>) =>
      this.audit.record({
        userId: staff.user.id,
        action: read.action,
        entityType: 'appeal',
        entityId: id,
        outcome,
        details,
      });
    if (staff.user.role === Role.Admin) {
      await record('denied', { ...read.details, reason: 'administrator' });
      throw forbiddenError(read.adminRefusal);
    }
    const file = await read.load();
    await record(file ? 'ok' : 'denied', read.details);
    if (!file) throw notFoundError(read.missing);
    await sendFile(res, file);
  }

  @Get(':id/answers')
  @ApiOperation({ summary: 'Ответы по обращению: черновики, согласованные и отправленные' })
  @ApiOkResponse({ type: [AnswerDto] })
  answers(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    // Answers address the applicant by name: an administrator sees that they exist and their state, not the text.
    return this.listInScope(staff, id, 'list-answers', () => this.queries.answers(id, staff.scope));
  }

  @Get(':id/notes')
  @ApiOperation({ summary: 'Внутренние заметки по обращению' })
  @ApiOkResponse({ type: [NoteViewDto] })
  notes(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    // Staff write down what the applicant told them (names, numbers, where they live): an administrator sees that
    // notes exist, who wrote them and when, not the text.
    return this.listInScope(staff, id, 'list-notes', () => this.queries.notes(id, staff.scope));
  }

  @Get(':id/answer-templates')
  @ApiOperation({
    summary:
      'Типовые ответы для обращения: сначала по его теме и по словам его заголовка, затем остальные моей организации и общие',
  })
  @ApiOkResponse({ type: [AppealAnswerTemplateDto] })
  async answerTemplates(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    const templates = await this.templates.forAppeal(actorOf(staff), id);
    if (!templates) {
      await this.audit.record(staffDenied(staff, 'list-templates', 'appeal', id));
      throw notFoundError('Обращение не найдено');
    }
    return templates;
  }

  /**
   * A list of the appeal's texts (answers, notes): outside the caller's scope (undefined) the refusal is audited
   * and the appeal not found; an administrator, or an organisation that returned its part or had it closed, gets
   * each item without its text.
   */
  private async listInScope<T extends { text: string }>(
    staff: StaffContext,
    id: string,
    action: string,
    load: () => Promise<T[] | undefined>,
  ): Promise<T[]> {
    const items = await load();
    if (!items) {
      await this.audit.record(staffDenied(staff, action, 'appeal', id));
      throw notFoundError('Обращение не найдено');
    }
    if (staff.user.role === Role.Admin) return items.map((item) => ({ ...item, text: ADMIN_HIDDEN }));
    if (!(await this.queries.personalDataVisible(id, staff.scope))) {
      return items.map((item) => ({ ...item, text: RETURNED_HIDDEN }));
    }
    return items;
  }
}
