import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { AnswerTemplates } from '@inbox/appeals';
import { actorOf } from './actor-of';
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
  constructor(private readonly templates: AnswerTemplates) {}

  @Get()
  @ApiOperation({
    summary:
      'Шаблоны ответов моей организации (и общие), по теме; администратор может выбрать организацию (organisationId)',
  })
  @ApiQuery({ name: 'topicId', required: false, type: String })
  @ApiQuery({
    name: 'organisationId',
    required: false,
    type: String,
    description: 'Только для администратора',
  })
  @ApiOkResponse({ type: [AnswerTemplateDto] })
  list(
    @Staff() staff: StaffContext,
    @Query('topicId') topicId?: string,
    @Query('organisationId') organisationId?: string,
  ) {
    return this.templates.list(actorOf(staff), topicId, organisationId);
  }

  @Post()
  @Roles(Role.Clerk, Role.Head, Role.Supervisor, Role.Admin)
  @ApiOperation({ summary: 'Новый шаблон ответа' })
  @ApiCreatedResponse({ type: CreatedDto })
  create(@Body() body: CreateTemplateDto, @Staff() staff: StaffContext) {
    return this.templates.create(actorOf(staff), body);
  }
}
