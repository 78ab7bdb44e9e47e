import { Injectable } from '@nestjs/common';
import { AppealStatus } from '../../appeal-status';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { assertTransition } from '../rules';

/**
 * Consideration is over, with the reason when staff give one (an appeal its author withdrew, closed before an
 * answer: the status model lets a registered appeal close, as well as an answered or redirected one).
 */
@Injectable()
export class CloseCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
  ) {}

  async execute(appealId: string, actor: Actor, reason?: string, now = new Date()): Promise<void> {
    await this.change.run(appealId, actor, 'close', async ({ tx, appeal: a, record }) => {
      assertTransition(a.status, AppealStatus.Closed);
      await this.appeals.update(tx, a.id, { status: AppealStatus.Closed, closedAt: now });
      await record('closed', reason ? { reason } : {});
    });
  }
}
