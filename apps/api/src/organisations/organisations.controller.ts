import { Body, Get, Inject, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  getSchemaPath,
} from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { notFoundError } from '@inbox/common';
import { AuditLog, Role, Roles, Staff, type StaffContext } from '@inbox/access';
import {
  ANSWER_DELIVERIES,
  type AnswerDelivery,
  OrganisationDirectory,
  type OrganisationNode,
  OrganisationTreeService,
} from '@inbox/organisations';
import {
  DayHoursDto,
  OrganisationCardDto,
  OrganisationDto,
  type OrganisationSummaryDto,
  OrganisationTreeNodeDto,
} from './organisations.dto';
import { StaffController } from '../staff-controller';
import { staffAction } from '../staff-action';

class OrganisationListQueryDto {
  @ApiPropertyOptional({
    enum: ['flat', 'tree'],
    default: 'flat',
    description: 'flat — список с parentId (вышестоящие раньше подчинённых); tree — вложенное дерево',
  })
  @IsOptional()
  @IsIn(['flat', 'tree'], { message: 'view: flat или tree' })
  view?: 'flat' | 'tree';
}

class UpdateOrganisationDto {
  @ApiProperty({
    enum: ANSWER_DELIVERIES,
    description:
      'Как заявитель получает ответы организаций 2-й линии по обращениям, за которые отвечает эта организация: ' +
      'each — каждый ответ отдельно, как только он отправлен; combined — один общий ответ, когда ответили ' +
      'или закрыты все поручения',
  })
  @IsIn(ANSWER_DELIVERIES, { message: 'answerDelivery: each или combined' })
  answerDelivery!: AnswerDelivery;
}

const NOT_FOUND = () => notFoundError('Организация не найдена');

function summary(org: OrganisationNode): OrganisationSummaryDto {
  return { id: org.id, code: org.code, shortName: org.shortName, kind: org.kind };
}

/** The organisation directory, for every signed-in staff member. */
@ApiExtraModels(DayHoursDto, OrganisationDto, OrganisationTreeNodeDto)
@StaffController('api/v1/organisations', 'organisations')
export class OrganisationsController {
  constructor(
    @Inject(OrganisationTreeService) private readonly organisations: OrganisationTreeService,
    @Inject(OrganisationDirectory) private readonly directory: OrganisationDirectory,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Справочник организаций: списком с parentId или деревом' })
  @ApiOkResponse({
    schema: {
      oneOf: [
        { type: 'array', items: { $ref: getSchemaPath(OrganisationDto) } },
        { type: 'array', items: { $ref: getSchemaPath(OrganisationTreeNodeDto) } },
      ],
    },
  })
  async list(
    @Query() query: OrganisationListQueryDto,
  ): Promise<OrganisationDto[] | OrganisationTreeNodeDto[]> {
    const tree = await this.organisations.tree();
    return query.view === 'tree' ? tree.toNested() : tree.all();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Организация: реквизиты, вышестоящая и подчинённые' })
  @ApiOkResponse({ type: OrganisationCardDto })
  @ApiNotFoundResponse({ description: 'Организация не найдена' })
  async get(
    @Param('id', new ParseUUIDPipe({ exceptionFactory: NOT_FOUND })) id: string,
  ): Promise<OrganisationCardDto> {
    let tree = await this.organisations.tree();
    if (!tree.has(id)) {
      // Perhaps added since the tree was cached: look once more.
      this.organisations.invalidate();
      tree = await this.organisations.tree();
    }
    const org = tree.get(id);
    if (!org) throw NOT_FOUND();
    const superior = tree.superiorOf(id);
    return {
      ...org,
      superior: superior ? summary(superior) : null,
      children: tree.childrenOfNode(id).map(summary),
      subordinateIds: tree.subordinatesOf(id).map((o) => o.id),
    };
  }

  @Patch(':id')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Изменить настройки организации: как заявитель получает ответы (администратор)' })
  @ApiOkResponse({ type: OrganisationCardDto })
  @ApiNotFoundResponse({ description: 'Организация не найдена' })
  async update(
    @Param('id', new ParseUUIDPipe({ exceptionFactory: NOT_FOUND })) id: string,
    @Body() body: UpdateOrganisationDto,
    @Staff() staff: StaffContext,
  ): Promise<OrganisationCardDto> {
    await this.directory.setAnswerDelivery(id, body.answerDelivery);
    await this.audit.record(
      staffAction(staff, 'update-organisation', 'organisation', id, { answerDelivery: body.answerDelivery }),
    );
    this.organisations.invalidate();
    return this.get(id);
  }
}
