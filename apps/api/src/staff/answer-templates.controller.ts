import { Body, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
} from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { AnswerTemplates } from '@inbox/appeals';
import { actorOf } from './actor-of';
import { AnswerTemplateDto, CreatedDto } from './appeal.responses';
import { OptionalId } from '../query-fields';
import { StaffController } from '../staff-controller';

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
  @MinLength(10, { message: 'Текст типового ответа — от 10 символов' })
  @MaxLength(20000)
  body!: string;

  @OptionalId('темы') topicId?: string;
  @OptionalId('организации', 'По умолчанию — организация автора')
  organisationId?: string;
}

class UpdateTemplateDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(3, { message: 'Название — от 3 символов' })
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(10, { message: 'Текст типового ответа — от 10 символов' })
  @MaxLength(20000)
  body?: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'null — для любой темы' })
  @ValidateIf((_, v) => v !== undefined && v !== null)
  @IsUUID('all', { message: 'topicId: UUID темы' })
  topicId?: string | null;

  @ApiPropertyOptional({
    description: 'false — типовой ответ больше не предлагается (ответы по нему остаются)',
  })
  @IsOptional()
  @IsBoolean({ message: 'active: true или false' })
  active?: boolean;
}

/** Answer templates per organisation and topic (the knowledge base grows from here). */
@StaffController('api/v1/answer-templates', 'answer-templates')
export class AnswerTemplatesController {
  constructor(private readonly templates: AnswerTemplates) {}

  @Get()
  @ApiOperation({
    summary:
      'Типовые ответы моей организации (и общие), по теме; администратор может выбрать организацию (organisationId)',
  })
  @ApiQuery({ name: 'topicId', required: false, type: String })
  @ApiQuery({
    name: 'organisationId',
    required: false,
    type: String,
    description: 'Только для администратора',
  })
  @ApiQuery({
    name: 'includeInactive',
    required: false,
    type: Boolean,
    description: 'true — и отключённые (для ведения типовых ответов)',
  })
  @ApiOkResponse({ type: [AnswerTemplateDto] })
  list(
    @Staff() staff: StaffContext,
    @Query('topicId') topicId?: string,
    @Query('organisationId') organisationId?: string,
    @Query('includeInactive') includeInactive?: string,
  ) {
    return this.templates.list(actorOf(staff), topicId, organisationId, includeInactive === 'true');
  }

  @Post()
  @Roles(Role.Clerk, Role.Head, Role.Supervisor, Role.Admin)
  @ApiOperation({ summary: 'Новый типовой ответ' })
  @ApiCreatedResponse({ type: CreatedDto })
  create(@Body() body: CreateTemplateDto, @Staff() staff: StaffContext) {
    return this.templates.create(actorOf(staff), body);
  }

  @Patch(':id')
  @Roles(Role.Clerk, Role.Head, Role.Supervisor, Role.Admin)
  @ApiOperation({
    summary:
      'Изменить типовой ответ или отключить его (active: false): свой организации, администратор — любой и общие',
  })
  @ApiOkResponse({ type: AnswerTemplateDto })
  update(@Param('id') id: string, @Body() body: UpdateTemplateDto, @Staff() staff: StaffContext) {
    return this.templates.update(actorOf(staff), id, body);
  }
}
