import { Injectable } from '@nestjs/common';
import { AppealStatus, OPEN_STATUSES } from '../../appeal-status';
import { AppealPartsRepository } from '../../repositories/appeal-parts.repository';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { refused, requireCaseworker } from '../rules';

/**
 * Assignee := the actor. A line-2 clerk takes their organisation's part (one assignee per part); line 1
 * takes the appeal, and a new, returned or reopened appeal goes into work.
 */
@Injectable()
export class TakeCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
  ) {}

  async execute(appealId: string, actor: Actor): Promise<void> {
    await this.change.run(appealId, actor, 'take', async ({ tx, appeal: a, record }) => {
      requireCaseworker(actor);
      if (!OPEN_STATUSES.includes(a.status)) throw refused(a.status, AppealStatus.InWork);
      if (
        actor.scope.organisationIds !== null &&
        (await this.parts.activeLine2(tx, a.id, actor.organisationId))
      ) {
        await this.parts.setAssignee(tx, a.id, actor.organisationId, actor.userId);
        await record('taken', { assigneeId: actor.userId, organisationId: actor.organisationId });
        return;
      }
      const to = [AppealStatus.Registered, AppealStatus.Returned, AppealStatus.Reopened].includes(a.status)
        ? AppealStatus.InWork
        : a.status;
      await this.appeals.update(tx, a.id, { assigneeId: actor.userId, status: to });
      await record('taken', { assigneeId: actor.userId, from: a.status, to });
    });
  }
}
