import { Body, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation } from '@nestjs/swagger';
import { AuditLog, Staff, type StaffContext } from '@inbox/access';
import { DomainError } from '@inbox/common';
import { RoutingSuggestions } from '@inbox/classification';
import { LegalFlags } from '@inbox/legal-flags';
import { FlagDecisionDto } from './classification.dto';
import { StaffController } from '../staff-controller';
import { staffDenied } from '../staff-action';

const ID = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiNotFoundResponse({ description: 'Обращение не найдено (или вне вашей области доступа)' })
@StaffController('api/v1/appeals', 'classification')
export class AppealClassificationController {
  constructor(
    private readonly routing: RoutingSuggestions,
    private readonly flags: LegalFlags,
    private readonly audit: AuditLog,
  ) {}

  /** An appeal out of scope (or none) is a 404 like any other, and the attempt is in the audit log. */
  private async denialAudited<T>(action: string, id: string, staff: StaffContext, work: () => Promise<T>) {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not-found') {
        await this.audit.record(staffDenied(staff, action, 'appeal', id));
      }
      throw error;
    }
  }

  @Get(':id/routing-suggestion')
  @ApiOperation({
    summary: 'Куда направить: по правилам (они главнее), иначе по истории ответов на эту тему и территорию',
  })
  routingSuggestion(@Param('id', ID) id: string, @Staff() staff: StaffContext) {
    return this.denialAudited('read-routing-suggestion', id, staff, () =>
      this.routing.forAppeal(id, staff.scope),
    );
  }

  @Get(':id/flags')
  @ApiOperation({ summary: 'Признаки по 59-ФЗ, предложенные для решения сотрудника' })
  list(@Param('id', ID) id: string, @Staff() staff: StaffContext) {
    return this.denialAudited('list-flags', id, staff, () => this.flags.list(id, staff.scope));
  }

  @Post(':id/flags/:flagId/confirm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Подтвердить признак (решение записывается в историю и журнал аудита)' })
  confirm(
    @Param('id', ID) id: string,
    @Param('flagId', ID) flagId: string,
    @Body() body: FlagDecisionDto,
    @Staff() staff: StaffContext,
  ) {
    return this.denialAudited('confirm-flag', id, staff, () =>
      this.flags.decide(id, flagId, 'confirmed', { userId: staff.user.id, scope: staff.scope }, body.comment),
    );
  }

  @Post(':id/flags/:flagId/dismiss')
  @HttpCode(200)
  @ApiOperation({ summary: 'Отклонить признак' })
  dismiss(
    @Param('id', ID) id: string,
    @Param('flagId', ID) flagId: string,
    @Body() body: FlagDecisionDto,
    @Staff() staff: StaffContext,
  ) {
    return this.denialAudited('dismiss-flag', id, staff, () =>
      this.flags.decide(id, flagId, 'dismissed', { userId: staff.user.id, scope: staff.scope }, body.comment),
    );
  }
}
