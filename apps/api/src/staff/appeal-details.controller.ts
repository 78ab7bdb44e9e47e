import { Controller, Get, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { AuditLog, Role, Staff, type StaffContext } from '@inbox/access';
import { AppealQueries } from '@inbox/appeals';
import { forbiddenError, notFoundError } from '@inbox/common';
import { sendFile } from '../files/send-file';
import { AnswerDto, NoteViewDto } from './appeal.responses';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });
const ADMIN_HIDDEN = 'Текст скрыт: администратор не видит персональных данных';

/** Parts of the appeal card loaded on demand: attachment contents and the answers with their states. */
@ApiTags('appeals')
@ApiBearerAuth()
@Controller('api/v1/appeals')
export class AppealDetailsController {
  constructor(
    private readonly queries: AppealQueries,
    private readonly audit: AuditLog,
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
    if (staff.user.role === Role.Admin) {
      // Administrators run the system, not appeals: a citizen's files are personal data they never get.
      await this.audit.record({
        userId: staff.user.id,
        action: 'read-attachment',
        entityType: 'appeal',
        entityId: id,
        outcome: 'denied',
        details: { attachmentId, reason: 'administrator' },
      });
      throw forbiddenError('Администратор не просматривает вложения обращений');
    }
    const file = await this.queries.attachmentContent(id, attachmentId, staff.scope);
    await this.audit.record({
      userId: staff.user.id,
      action: 'read-attachment',
      entityType: 'appeal',
      entityId: id,
      outcome: file ? 'ok' : 'denied',
      details: { attachmentId },
    });
    if (!file) throw notFoundError('Вложение не найдено');
    await sendFile(res, file);
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
    if (staff.user.role === Role.Admin) {
      // As with the citizen's own files: an answer's files speak of the applicant.
      await this.audit.record({
        userId: staff.user.id,
        action: 'read-answer-file',
        entityType: 'appeal',
        entityId: id,
        outcome: 'denied',
        details: { answerId, fileId, reason: 'administrator' },
      });
      throw forbiddenError('Администратор не просматривает файлы ответов');
    }
    const file = await this.queries.answerFileContent(id, answerId, fileId, staff.scope);
    await this.audit.record({
      userId: staff.user.id,
      action: 'read-answer-file',
      entityType: 'appeal',
      entityId: id,
      outcome: file ? 'ok' : 'denied',
      details: { answerId, fileId },
    });
    if (!file) throw notFoundError('Файл не найден');
    await sendFile(res, file);
  }

  @Get(':id/answers')
  @ApiOperation({ summary: 'Ответы по обращению: черновики, согласованные и отправленные' })
  @ApiOkResponse({ type: [AnswerDto] })
  async answers(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    const answers = await this.queries.answers(id, staff.scope);
    if (!answers) {
      await this.audit.record({
        userId: staff.user.id,
        action: 'list-answers',
        entityType: 'appeal',
        entityId: id,
        outcome: 'denied',
      });
      throw notFoundError('Обращение не найдено');
    }
    // Answers address the applicant by name: an administrator sees that they exist and their state, not the text.
    if (staff.user.role === Role.Admin) return answers.map((a) => ({ ...a, text: ADMIN_HIDDEN }));
    return answers;
  }

  @Get(':id/notes')
  @ApiOperation({ summary: 'Внутренние заметки по обращению' })
  @ApiOkResponse({ type: [NoteViewDto] })
  async notes(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    const notes = await this.queries.notes(id, staff.scope);
    if (!notes) {
      await this.audit.record({
        userId: staff.user.id,
        action: 'list-notes',
        entityType: 'appeal',
        entityId: id,
        outcome: 'denied',
      });
      throw notFoundError('Обращение не найдено');
    }
    // Staff write down what the applicant told them (names, numbers, where they live): an administrator sees that
    // notes exist, who wrote them and when, not the text.
    if (staff.user.role === Role.Admin) return notes.map((n) => ({ ...n, text: ADMIN_HIDDEN }));
    return notes;
  }
}
