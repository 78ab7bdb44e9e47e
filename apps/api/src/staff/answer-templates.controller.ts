import { Body, Controller, ForbiddenException, Get, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { AuditLog, Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { AnswerTemplateDto, CreatedDto } from './appeal.responses';

class CreateTemplateDto {
  @ApiProperty()
  @IsString()
  @MinLength(3, { message: 'Название — от 3 символов' })
  @MaxLength(200)
  title!: string;

  @ApiProperty({
    description:
      'Подстановки: {{applicantName}}, {{registrationNumber}}, {{registrationDate}}, {{organisation}}, {{answerDueDate}}',
  })
  @IsString()
  @MinLength(10, { message: 'Текст шаблона — от 10 символов' })
  @MaxLength(20000)
  body!: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID('all', { message: 'topicId: UUID темы' }) topicId?: string;
  @ApiPropertyOptional({ description: 'По умолчанию — организация автора' })
  @IsOptional()
  @IsUUID('all', { message: 'organisationId: UUID организации' })
  organisationId?: string;
}

/** Answer templates per organisation and topic (the knowledge base grows from here). */
@ApiTags('answer-templates')
@ApiBearerAuth()
@Controller('api/v1/answer-templates')
export class AnswerTemplatesController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Шаблоны ответов моей организации (и общие), по теме' })
  @ApiOkResponse({ type: [AnswerTemplateDto] })
  async list(@Staff() staff: StaffContext, @Query('topicId') topicId?: string) {
    return this.dataSource.query(
      `SELECT id, organisation_id AS "organisationId", topic_id AS "topicId", title, body FROM answer_templates
        WHERE active AND (organisation_id IS NULL OR organisation_id = $1)
          AND ($2::uuid IS NULL OR topic_id IS NULL OR topic_id = $2::uuid)
        ORDER BY topic_id NULLS LAST, title`,
      [staff.user.organisationId, topicId && /^[0-9a-f-]{36}$/i.test(topicId) ? topicId : null],
    );
  }

  @Post()
  @Roles(Role.Clerk, Role.Supervisor, Role.Admin)
  @ApiOperation({ summary: 'Новый шаблон ответа' })
  @ApiCreatedResponse({ type: CreatedDto })
  async create(@Body() body: CreateTemplateDto, @Staff() staff: StaffContext) {
    const organisationId = body.organisationId ?? staff.user.organisationId;
    if (staff.user.role !== Role.Admin && organisationId !== staff.user.organisationId) {
      throw new ForbiddenException({ statusCode: 403, message: 'Шаблоны другой организации ведёт она сама' });
    }
    const [row] = (await this.dataSource.query(
      `INSERT INTO answer_templates (organisation_id, topic_id, title, body) VALUES ($1, $2, $3, $4) RETURNING id`,
      [organisationId, body.topicId ?? null, body.title, body.body],
    )) as { id: string }[];
    await this.audit.record({
      userId: staff.user.id,
      action: 'create-template',
      entityType: 'answer-template',
      entityId: row.id,
    });
    return { id: row.id };
  }
}
