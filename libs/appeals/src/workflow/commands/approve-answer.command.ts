import { Injectable } from '@nestjs/common';
import { AnswersRepository } from '../../repositories/answers.repository';
import { type Actor } from '../actor';
import { AppealChange, type ChangeContext } from '../appeal-change';
import { WorkflowRules } from '../rules';
import { WorkflowError } from '../workflow-error';

/** Draft → approved by the department head (or a supervisor; a colleague where there is no head), never the author. */
@Injectable()
export class ApproveAnswerCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly answers: AnswersRepository,
    private readonly rules: WorkflowRules,
  ) {}

  async execute(appealId: string, answerId: string, actor: Actor): Promise<void> {
    await this.change.run(appealId, actor, 'approve-answer', (context) => this.apply(context, answerId));
  }

  /** The approval in the caller's change (ApproveAndSendCommand: with the send, in one transaction). */
  async apply({ tx, appeal: a, actor, record }: ChangeContext, answerId: string): Promise<void> {
    const answer = await this.rules.answer(tx, a.id, answerId);
    if (answer.status !== 'draft') throw new WorkflowError('conflict', 'Ответ уже согласован или отправлен');
    await this.rules.assertMayApprove(tx, a.id, answer, actor);
    await this.answers.approve(tx, answerId, actor.userId);
    await record('answer-approved', { answerId });
  }
}
