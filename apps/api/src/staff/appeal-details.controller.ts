import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { type AccessScope, AuditLog, Staff, type StaffContext } from '@inbox/access';
import { AnswerDto } from './appeal.responses';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

/** Types a browser may show inline; anything else is offered as a download, never rendered. */
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']);

/** The same visibility rule as the list and the card: an organisation that holds or held the appeal. */
function scopeSql(scope: AccessScope, param: number): string {
  return scope.organisationIds === null
    ? 'TRUE'
    : `EXISTS (SELECT 1 FROM appeal_organisations so WHERE so.appeal_id = a.id AND so.organisation_id = ANY($${param}))`;
}

/** Parts of the appeal card loaded on demand: attachment contents and the answers with their states. */
@ApiTags('appeals')
@ApiBearerAuth()
@Controller('api/v1/appeals')
export class AppealDetailsController {
  constructor(
    private readonly dataSource: DataSource,
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
    const params: unknown[] = [id, attachmentId];
    if (staff.scope.organisationIds !== null) params.push(staff.scope.organisationIds);
    const [row] = (await this.dataSource.query(
      `SELECT t.file_name, t.content_type, c.content
         FROM appeals a JOIN attachments t ON t.appeal_id = a.id
         JOIN attachment_contents c ON c.sha256 = t.sha256
        WHERE a.id = $1 AND t.id = $2 AND t.status = 'stored' AND ${scopeSql(staff.scope, 3)}`,
      params,
    )) as { file_name: string; content_type: string; content: Buffer }[];
    await this.audit.record({
      userId: staff.user.id,
      action: 'read-attachment',
      entityType: 'appeal',
      entityId: id,
      outcome: row ? 'ok' : 'denied',
      details: { attachmentId },
    });
    if (!row) throw new NotFoundException({ statusCode: 404, message: 'Вложение не найдено' });
    const type = row.content_type.toLowerCase().split(';')[0].trim();
    const inline = INLINE_TYPES.has(type);
    res.setHeader('Content-Type', inline ? type : 'application/octet-stream');
    res.setHeader(
      'Content-Disposition',
      `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(row.file_name)}`,
    );
    res.setHeader('Content-Length', String(row.content.length));
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
    res.end(row.content);
  }

  @Get(':id/answers')
  @ApiOperation({ summary: 'Ответы по обращению: черновики, согласованные и отправленные' })
  @ApiOkResponse({ type: [AnswerDto] })
  async answers(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    const params: unknown[] = [id];
    if (staff.scope.organisationIds !== null) params.push(staff.scope.organisationIds);
    const [appeal] = (await this.dataSource.query(
      `SELECT a.id FROM appeals a WHERE a.id = $1 AND ${scopeSql(staff.scope, 2)}`,
      params,
    )) as { id: string }[];
    if (!appeal) throw new NotFoundException({ statusCode: 404, message: 'Обращение не найдено' });
    return this.dataSource.query(
      `SELECT n.id, n.status, n.text, n.organisation_id AS "organisationId", o.short_name AS "organisationName",
              n.author_id AS "authorId", au.full_name AS "authorName", n.template_id AS "templateId",
              n.approved_by AS "approvedBy", ap.full_name AS "approvedByName", n.approved_at AS "approvedAt",
              n.sent_at AS "sentAt", n.created_at AS "createdAt"
         FROM answers n JOIN organisations o ON o.id = n.organisation_id
         JOIN users au ON au.id = n.author_id LEFT JOIN users ap ON ap.id = n.approved_by
        WHERE n.appeal_id = $1 ORDER BY n.created_at`,
      [id],
    );
  }
}
