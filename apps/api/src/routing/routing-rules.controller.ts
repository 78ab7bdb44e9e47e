import { Body, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
} from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { notFoundError } from '@inbox/common';
import { RoutingRules } from '@inbox/routing';
import { RoutingRuleDto, RoutingRuleResponseDto } from './routing.dto';
import { OptionalBool } from '../query-fields';
import { StaffController } from '../staff-controller';

/** Declared here, beside its only user: Nest reads the query's class from the handler's metadata. */
class RoutingRuleListQueryDto {
  @OptionalBool('Только активные (true) или только отключённые (false)') active?: boolean;

  @ApiPropertyOptional({ format: 'uuid', description: 'Правила одной темы' })
  @IsOptional()
  @IsUUID('all', { message: 'Тема указана неверно: нужен идентификатор темы' })
  topicId?: string;
}

/** A malformed id names no rule: 404, like an unknown one. */
export const RULE_ID_PIPE = new ParseUUIDPipe({
  exceptionFactory: () => notFoundError('Правило маршрутизации не найдено'),
});

@StaffController('api/v1/routing-rules', 'routing', { forbidden: true })
export class RoutingRulesController {
  constructor(@Inject(RoutingRules) private readonly rules: RoutingRules) {}

  @Get()
  @Roles(Role.Admin, Role.Supervisor)
  @ApiOperation({ summary: 'Правила маршрутизации (администратор, руководитель)' })
  @ApiOkResponse({ type: [RoutingRuleResponseDto] })
  list(@Query() query: RoutingRuleListQueryDto) {
    return this.rules.list(query);
  }

  @Get(':id')
  @Roles(Role.Admin, Role.Supervisor)
  @ApiOperation({ summary: 'Правило маршрутизации' })
  @ApiOkResponse({ type: RoutingRuleResponseDto })
  @ApiNotFoundResponse({ description: 'Правило маршрутизации не найдено' })
  get(@Param('id', RULE_ID_PIPE) id: string) {
    return this.rules.get(id);
  }

  @Post()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Создать правило: тема и/или территория → одна или несколько организаций' })
  @ApiBody({ type: RoutingRuleDto })
  @ApiCreatedResponse({ type: RoutingRuleResponseDto })
  @ApiBadRequestResponse({ description: 'Ошибки по полям: { statusCode, message, errors }' })
  create(@Body() body: RoutingRuleDto, @Staff() staff: StaffContext) {
    return this.rules.create(body, { userId: staff.user.id });
  }

  @Put(':id')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Изменить правило (все поля; не указанные получают значения по умолчанию)' })
  @ApiBody({ type: RoutingRuleDto })
  @ApiOkResponse({ type: RoutingRuleResponseDto })
  @ApiBadRequestResponse({ description: 'Ошибки по полям: { statusCode, message, errors }' })
  @ApiNotFoundResponse({ description: 'Правило маршрутизации не найдено' })
  update(@Param('id', RULE_ID_PIPE) id: string, @Body() body: RoutingRuleDto, @Staff() staff: StaffContext) {
    return this.rules.update(id, body, { userId: staff.user.id });
  }

  @Post(':id/deactivate')
  @Roles(Role.Admin)
  @HttpCode(200)
  @ApiOperation({ summary: 'Отключить правило, сохранив его' })
  @ApiOkResponse({ type: RoutingRuleResponseDto })
  @ApiNotFoundResponse({ description: 'Правило маршрутизации не найдено' })
  deactivate(@Param('id', RULE_ID_PIPE) id: string, @Staff() staff: StaffContext) {
    return this.rules.deactivate(id, { userId: staff.user.id });
  }

  @Delete(':id')
  @Roles(Role.Admin)
  @HttpCode(204)
  @ApiOperation({ summary: 'Удалить правило' })
  @ApiNoContentResponse({ description: 'Удалено' })
  @ApiNotFoundResponse({ description: 'Правило маршрутизации не найдено' })
  async remove(@Param('id', RULE_ID_PIPE) id: string, @Staff() staff: StaffContext): Promise<void> {
    await this.rules.delete(id, { userId: staff.user.id });
  }
}
