import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { Incidents } from '@inbox/incidents';
import { IncidentAnswerDto, IncidentListQueryDto } from './classification.dto';
import { IncidentPageDto } from './classification.responses';

const ID = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiTags('incidents')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Недостаточно прав для этого действия' })
@Controller('api/v1/incidents')
export class IncidentsController {
  constructor(private readonly incidents: Incidents) {}

  @Get()
  @Roles(Role.Operator, Role.Supervisor, Role.Admin)
  @ApiOperation({ summary: 'Инциденты: много сообщений об одной проблеме из разных каналов' })
  @ApiOkResponse({ type: IncidentPageDto })
  list(@Query() query: IncidentListQueryDto, @Staff() staff: StaffContext) {
    return this.incidents.list(query, staff.scope);
  }

  @Get(':id')
  @Roles(Role.Operator, Role.Supervisor, Role.Admin)
  @ApiOperation({ summary: 'Инцидент и его обращения' })
  get(@Param('id', ID) id: string, @Staff() staff: StaffContext) {
    return this.incidents.get(id, staff.scope);
  }

  @Post(':id/answer')
  @Roles(Role.Supervisor, Role.Admin)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Один ответ на весь инцидент: по каждому обращению ответ составляется, согласуется и отправляется по каналу заявителя',
  })
  answer(@Param('id', ID) id: string, @Body() body: IncidentAnswerDto, @Staff() staff: StaffContext) {
    return this.incidents.answer(id, body.text, {
      userId: staff.user.id,
      role: staff.user.role,
      organisationId: staff.user.organisationId,
      scope: staff.scope,
    });
  }
}
