import { Injectable } from '@nestjs/common';
import { Role } from '@inbox/access';
import { AppealStatus, canTransition, OPEN_STATUSES } from '../../appeal-status';
import { AppealPartsRepository } from '../../repositories/appeal-parts.repository';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { AppealHistoryRepository } from '../../repositories/history.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { assertTransition, requireCaseworker } from '../rules';
import { WorkflowError } from '../workflow-error';

/**
 * Consideration is over, with the reason when staff give one. The status model closes a registered appeal, and an
 * answered or redirected one. An appeal its author withdrew (deleted what they had sent) closes from any open
 * status, without an answer: 59-ФЗ ст. 5 п. 5 gives the citizen the right to ask that consideration stop. Line 1
 * does it (it closes every line-2 part still open), and only with the reason, which stays in the history.
 */
@Injectable()
export class CloseCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
    private readonly history: AppealHistoryRepository,
  ) {}

  async execute(appealId: string, actor: Actor, reason?: string, now = new Date()): Promise<void> {
    await this.change.run(appealId, actor, 'close', async ({ tx, appeal: a, record }) => {
      requireCaseworker(actor);
      if (
        canTransition(a.status, AppealStatus.Closed) ||
        !OPEN_STATUSES.includes(a.status) ||
        !(await this.history.withdrawnByAuthor(tx, a.id))
      ) {
        assertTransition(a.status, AppealStatus.Closed);
        await this.appeals.update(tx, a.id, { status: AppealStatus.Closed, closedAt: now });
        await record('closed', reason ? { reason } : {});
        return;
      }
      if (actor.role === Role.Clerk)
        throw new WorkflowError(
          'forbidden',
          'Отозванное обращение в работе закрывает без ответа 1-я линия (оператор или руководитель)',
        );
      if (!reason)
        throw new WorkflowError('invalid-input', 'Укажите причину закрытия', { reason: 'Укажите причину' });
      const partsClosed = await this.parts.closeAllOpen(tx, a.id, now);
      await this.appeals.update(tx, a.id, { status: AppealStatus.Closed, closedAt: now });
      await record('closed', { reason, withdrawn: true, from: a.status, partsClosed });
    });
  }
}
