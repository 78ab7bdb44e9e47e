import { Injectable } from '@nestjs/common';
import { AppealStatus } from '../../appeal-status';
import { AnswersRepository } from '../../repositories/answers.repository';
import { AppealPartsRepository } from '../../repositories/appeal-parts.repository';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { assertTransition, WorkflowRules } from '../rules';
import { WorkflowError } from '../workflow-error';

/** Approved → sent through the channel the appeal came from; the appeal is answered. */
@Injectable()
export class SendAnswerCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
    private readonly answers: AnswersRepository,
    private readonly rules: WorkflowRules,
  ) {}

  async execute(appealId: string, answerId: string, actor: Actor, now = new Date()): Promise<void> {
    const messageId = await this.change.run(
      appealId,
      actor,
      'send-answer',
      async ({ tx, appeal: a, record, notifyApplicant }) => {
        const answer = await this.rules.answer(tx, a.id, answerId);
        if (answer.status !== 'approved') {
          throw new WorkflowError('conflict', 'Отправить можно только согласованный ответ');
        }
        if (a.status !== AppealStatus.Answered) assertTransition(a.status, AppealStatus.Answered);
        await this.answers.markSent(tx, answerId, now);
        await this.appeals.update(tx, a.id, { status: AppealStatus.Answered, answeredAt: now });
        await this.parts.markAnswered(tx, a.id, answer.organisation_id, now);
        await record('answered', { answerId, organisationId: answer.organisation_id });
        return notifyApplicant('answer', answerId, answer.text, { enqueue: false });
      },
    );
    await this.change.enqueueDelivery(messageId);
  }
}
