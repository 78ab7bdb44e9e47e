import { Injectable } from '@nestjs/common';
import { AppealStatus, OPEN_STATUSES } from '../../appeal-status';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { refused } from '../rules';

/** Assignee := the actor; a new, returned or reopened appeal goes into work. */
@Injectable()
export class TakeCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
  ) {}

  async execute(appealId: string, actor: Actor): Promise<void> {
    await this.change.run(appealId, actor, 'take', async ({ tx, appeal: a, record }) => {
      if (!OPEN_STATUSES.includes(a.status)) throw refused(a.status, AppealStatus.InWork);
      const to = [AppealStatus.Registered, AppealStatus.Returned, AppealStatus.Reopened].includes(a.status)
        ? AppealStatus.InWork
        : a.status;
      await this.appeals.update(tx, a.id, { assigneeId: actor.userId, status: to });
      await record('taken', { assigneeId: actor.userId, from: a.status, to });
    });
  }
}
