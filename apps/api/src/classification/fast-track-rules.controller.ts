import { Body, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { FastTrackRules } from '@inbox/classification';
import { FastTrackRuleDto } from './classification.dto';
import { FastTrackRuleResponseDto } from './classification.responses';
import { StaffController } from '../staff-controller';

const ID = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@StaffController('api/v1/fast-track-rules', 'fast-track', { forbidden: true })
export class FastTrackRulesController {
  constructor(private readonly rules: FastTrackRules) {}

  @Get()
  @Roles(Role.Admin, Role.Supervisor, Role.Operator)
  @ApiOperation({ summary: 'Правила фаст-трека региона: тема, ключевые фразы, каналы, месяцы' })
  @ApiOkResponse({ type: [FastTrackRuleResponseDto] })
  list() {
    return this.rules.list();
  }

  @Get(':id')
  @Roles(Role.Admin, Role.Supervisor, Role.Operator)
  @ApiOperation({ summary: 'Правило фаст-трека' })
  @ApiOkResponse({ type: FastTrackRuleResponseDto })
  get(@Param('id', ID) id: string) {
    return this.rules.get(id);
  }

  @Post()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Создать правило: сработавшее правило даёт обращению срок 10 дней с регистрации' })
  @ApiCreatedResponse({ type: FastTrackRuleResponseDto })
  create(@Body() body: FastTrackRuleDto, @Staff() staff: StaffContext) {
    return this.rules.create(body, { userId: staff.user.id });
  }

  @Put(':id')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Изменить правило (все поля; не указанные получают значения по умолчанию)' })
  @ApiOkResponse({ type: FastTrackRuleResponseDto })
  update(@Param('id', ID) id: string, @Body() body: FastTrackRuleDto, @Staff() staff: StaffContext) {
    return this.rules.update(id, body, { userId: staff.user.id });
  }

  @Delete(':id')
  @Roles(Role.Admin)
  @HttpCode(204)
  @ApiOperation({ summary: 'Удалить правило' })
  async remove(@Param('id', ID) id: string, @Staff() staff: StaffContext): Promise<void> {
    await this.rules.delete(id, { userId: staff.user.id });
  }
}
