import { Body, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { AuditLog, Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { type Actor, AppealQueries } from '@inbox/appeals';
import { maskPersonNames, notFoundError, redactStrings } from '@inbox/common';
import { IncidentMembership, Incidents } from '@inbox/incidents';
import {
  AddToIncidentDto,
  ExcludeFromIncidentDto,
  IncidentAnswerDto,
  IncidentCandidatesQueryDto,
  IncidentListQueryDto,
} from './classification.dto';
import {
  AddedToIncidentDto,
  ExcludedFromIncidentDto,
  IncidentAnswerResultDto,
  IncidentCandidateDto,
  IncidentDetailDto,
  IncidentDraftResultDto,
  IncidentPageDto,
} from './classification.responses';
import { staffDenied } from '../staff-action';
import { StaffController } from '../staff-controller';

const ID = new ParseUUIDPipe({ errorHttpStatusCode: 404 });
/** How an incident's title ends when its first appeal had an address (incidents.service, incidentTitle). */
const ADDRESS_SUFFIX = / — [^]*$/;

/**
 * An incident as an administrator sees it: administrators run the system, not appeals, and never get personal
 * data (as on the appeal card: no address, phones and e-mails masked). The title loses the address it ends
 * with, the address key goes, the appeals' subjects and excerpts and the draft are masked.
 */
function forAdministrator<T extends { title: string; addressKey?: string | null }>(incident: T): T {
  const masked = redactStrings({ ...incident, title: incident.title.replace(ADDRESS_SUFFIX, '') });
  return 'addressKey' in incident ? { ...masked, addressKey: null } : masked;
}

function actorOf(staff: StaffContext): Actor {
  return {
    userId: staff.user.id,
    role: staff.user.role,
    organisationId: staff.user.organisationId,
    scope: staff.scope,
  };
}

/**
 * Incidents and their one answer, in two steps by two people: line 1 or a head drafts it, a head, a
 * supervisor or an administrator other than the author approves and sends it to every citizen.
 */
@StaffController('api/v1/incidents', 'incidents', { forbidden: true })
export class IncidentsController {
  constructor(
    private readonly incidents: Incidents,
    private readonly appeals: AppealQueries,
  ) {}

  @Get()
  @Roles(Role.Operator, Role.Head, Role.Supervisor, Role.Admin)
  @ApiOperation({ summary: 'Инциденты: много сообщений об одной проблеме из разных каналов' })
  @ApiOkResponse({ type: IncidentPageDto })
  async list(@Query() query: IncidentListQueryDto, @Staff() staff: StaffContext) {
    const page = await this.incidents.list(query, staff.scope);
    return staff.user.role === Role.Admin ? { ...page, items: page.items.map(forAdministrator) } : page;
  }

  @Get(':id')
  @Roles(Role.Operator, Role.Head, Role.Supervisor, Role.Admin)
  @ApiOperation({ summary: 'Инцидент, его проект ответа и его обращения' })
  @ApiOkResponse({ type: IncidentDetailDto })
  @ApiNotFoundResponse({ description: 'Инцидент не найден' })
  async get(@Param('id', ID) id: string, @Staff() staff: StaffContext) {
    const incident = await this.incidents.get(id, staff.scope);
    if (staff.user.role !== Role.Admin) return incident;
    // Each appeal's subject and excerpt without its applicant's names either, as in the inbox.
    const names = await this.appeals.applicantNames(incident.appeals.map((a) => a.id));
    const appeals = incident.appeals.map((a) => maskPersonNames(a, names.get(a.id) ?? {}));
    return forAdministrator({ ...incident, appeals });
  }

  @Post(':id/draft')
  @Roles(Role.Operator, Role.Head, Role.Supervisor)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Проект одного ответа на весь инцидент: по каждому открытому обращению составляется проект от вашего имени; согласует другой сотрудник',
  })
  @ApiOkResponse({ type: IncidentDraftResultDto })
  @ApiNotFoundResponse({ description: 'Инцидент не найден' })
  @ApiConflictResponse({
    description: 'Проект уже подготовлен, на инцидент уже дан ответ, или отвечать некому',
  })
  draft(@Param('id', ID) id: string, @Body() body: IncidentAnswerDto, @Staff() staff: StaffContext) {
    return this.incidents.draft(id, body.text, actorOf(staff));
  }

  @Post(':id/approve')
  @Roles(Role.Head, Role.Supervisor)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Согласовать проект ответа на инцидент (не свой): каждый проект согласуется и отправляется заявителю по его каналу',
  })
  @ApiOkResponse({ type: IncidentAnswerResultDto })
  @ApiForbiddenResponse({ description: 'Собственный проект согласовать нельзя' })
  @ApiNotFoundResponse({ description: 'Инцидент не найден' })
  @ApiConflictResponse({ description: 'Проект ещё не подготовлен, или на инцидент уже дан ответ' })
  approve(@Param('id', ID) id: string, @Staff() staff: StaffContext) {
    return this.incidents.approve(id, actorOf(staff));
  }
}

/**
 * Line 1 corrects the automatic grouping on an appeal's card: «Исключить из инцидента» (with a reason) and
 * «Добавить к инциденту» (an open one, offered from the incidents of similar appeals, or found by its number or a
 * member's number). Operators and supervisors only.
 */
@StaffController('api/v1/appeals', 'incidents', { forbidden: true })
export class AppealIncidentController {
  constructor(
    private readonly incidents: Incidents,
    private readonly membership: IncidentMembership,
    private readonly audit: AuditLog,
  ) {}

  @Get(':id/incident-candidates')
  @Roles(Role.Operator, Role.Supervisor)
  @ApiOperation({
    summary:
      'Открытые инциденты, к которым можно добавить обращение: сначала инциденты похожих обращений; поиск по номеру инцидента или номеру входящего в него обращения',
  })
  @ApiOkResponse({ type: [IncidentCandidateDto] })
  @ApiNotFoundResponse({ description: 'Обращение не найдено' })
  async candidates(
    @Param('id', ID) id: string,
    @Query() query: IncidentCandidatesQueryDto,
    @Staff() staff: StaffContext,
  ) {
    const candidates = await this.incidents.candidates(id, staff.scope, query.q);
    if (!candidates) {
      await this.audit.record(staffDenied(staff, 'list-incident-candidates', 'appeal', id));
      throw notFoundError('Обращение не найдено');
    }
    return candidates;
  }

  @Post(':id/exclude-from-incident')
  @Roles(Role.Operator, Role.Supervisor)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Исключить обращение из инцидента (с причиной): оно рассматривается отдельно, проект ответа инцидента по нему отменяется, в этот инцидент оно автоматически больше не попадёт',
  })
  @ApiOkResponse({ type: ExcludedFromIncidentDto })
  @ApiNotFoundResponse({ description: 'Обращение не найдено' })
  @ApiConflictResponse({
    description: 'Обращение не входит в инцидент, или ответ инцидента по нему уже согласован или отправлен',
  })
  exclude(@Param('id', ID) id: string, @Body() body: ExcludeFromIncidentDto, @Staff() staff: StaffContext) {
    return this.membership.exclude(id, actorOf(staff), body.reason);
  }

  @Post(':id/add-to-incident')
  @Roles(Role.Operator, Role.Supervisor)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Добавить обращение (в работе, не входящее в инцидент) к открытому инциденту; проект ответа инцидента, ждущий согласования, готовится и по нему',
  })
  @ApiOkResponse({ type: AddedToIncidentDto })
  @ApiNotFoundResponse({ description: 'Обращение или инцидент не найдены' })
  @ApiConflictResponse({
    description: 'Обращение уже в инциденте или не в работе, или на инцидент уже дан ответ',
  })
  add(@Param('id', ID) id: string, @Body() body: AddToIncidentDto, @Staff() staff: StaffContext) {
    return this.membership.add(id, actorOf(staff), body.incidentId);
  }
}
