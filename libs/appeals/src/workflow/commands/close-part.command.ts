import { Injectable } from '@nestjs/common';
import { AppealStatus, canTransition } from '../../appeal-status';
import { AppealPartsRepository } from '../../repositories/appeal-parts.repository';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { type Actor } from '../actor';
import { AnswerRelease } from '../answer-release';
import { AppealChange } from '../appeal-change';
import { requireLine1 } from '../rules';
import { WorkflowError } from '../workflow-error';

/**
 * Line 1 closes an organisation's part that is no longer needed (or was returned and will not be re-routed).
 * When no part is owed any more and one was answered, the appeal is answered, and answers held for a combined
 * answer go to the citizen (every other part closed without an answer loses none of them).
 */
@Injectable()
export class ClosePartCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
    private readonly release: AnswerRelease,
  ) {}

  async execute(appealId: string, actor: Actor, organisationId: string, reason: string, now = new Date()) {
    requireLine1(actor);
    const messageId = await this.change.run(appealId, actor, 'close-part', async (context) => {
      const { tx, appeal: a, record } = context;
      if (!(await this.parts.close(tx, a.id, organisationId, now))) {
        throw new WorkflowError('conflict', 'У этой организации нет открытого поручения по обращению');
      }
      const pending = await this.parts.countPendingLine2(tx, a.id);
      // On the command's transaction: it holds the appeal's lock, and a second connection may never come.
      const answered = await this.parts.anyAnswered(tx, a.id);
      const complete = pending === 0 && answered && canTransition(a.status, AppealStatus.Answered);
      if (complete) await this.appeals.update(tx, a.id, { status: AppealStatus.Answered, answeredAt: now });
      await record('part-closed', { organisationId, reason, appealAnswered: complete });
      return pending === 0 ? (await this.release.release(context)).messageId : undefined;
    });
    if (messageId) await this.change.enqueueDelivery(messageId);
  }
}
