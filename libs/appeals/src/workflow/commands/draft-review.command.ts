import { Injectable } from '@nestjs/common';
import { Role } from '@inbox/access';
import { AnswersRepository, type LockedAnswer } from '../../repositories/answers.repository';
import { NotificationsRepository } from '../../repositories/notifications.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { WorkflowRules } from '../rules';
import { WorkflowError } from '../workflow-error';

/** Who may change a draft: its author, or the head of its organisation, or a supervisor. */
function mayHandleDraft(answer: LockedAnswer, actor: Actor): boolean {
  return (
    answer.author_id === actor.userId ||
    actor.role === Role.Supervisor ||
    (actor.role === Role.Head && answer.organisation_id === actor.organisationId)
  );
}

function draftOnly(answer: LockedAnswer): void {
  if (answer.status !== 'draft') throw new WorkflowError('conflict', 'Изменить можно только проект ответа');
}

/** Drafts are edited, discarded, or sent back to their author with a comment by whoever approves them. */
@Injectable()
export class DraftReviewCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly answers: AnswersRepository,
    private readonly notifications: NotificationsRepository,
    private readonly rules: WorkflowRules,
  ) {}

  async edit(
    appealId: string,
    answerId: string,
    actor: Actor,
    text: string,
    now = new Date(),
  ): Promise<void> {
    await this.change.run(appealId, actor, 'edit-answer', async ({ tx, appeal: a, record }) => {
      const answer = await this.rules.answer(tx, a.id, answerId);
      draftOnly(answer);
      if (!mayHandleDraft(answer, actor)) {
        throw new WorkflowError('forbidden', 'Править проект может его автор или руководитель подразделения');
      }
      const clean = text.trim();
      if (!clean) throw new WorkflowError('invalid-input', 'Пустой ответ', { text: 'Пустой ответ' });
      await this.answers.editDraft(tx, answerId, clean, now);
      await record('answer-edited', { answerId });
    });
  }

  async discard(appealId: string, answerId: string, actor: Actor): Promise<void> {
    await this.change.run(appealId, actor, 'discard-answer', async ({ tx, appeal: a, record }) => {
      const answer = await this.rules.answer(tx, a.id, answerId);
      draftOnly(answer);
      if (!mayHandleDraft(answer, actor)) {
        throw new WorkflowError(
          'forbidden',
          'Отменить проект может его автор или руководитель подразделения',
        );
      }
      await this.answers.discard(tx, answerId);
      await record('answer-discarded', { answerId });
    });
  }

  /** Back to the author with what to change; the author is notified. */
  async sendBack(appealId: string, answerId: string, actor: Actor, comment: string, now = new Date()) {
    await this.change.run(appealId, actor, 'send-back-answer', async ({ tx, appeal: a, record }) => {
      const answer = await this.rules.answer(tx, a.id, answerId);
      draftOnly(answer);
      await this.rules.assertMayApprove(tx, answer, actor);
      await this.answers.sendBack(tx, answerId, actor.userId, comment, now);
      await this.notifications.notify(tx, [answer.author_id], {
        kind: 'answer-sent-back',
        appealId: a.id,
        text: `Проект ответа по обращению № ${a.registration_number} возвращён на доработку: ${comment}`,
      });
      await record('answer-sent-back', { answerId, comment });
    });
  }
}
