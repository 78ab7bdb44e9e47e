import { Injectable } from '@nestjs/common';
import { AppealStatus } from '../../appeal-status';
import { AnswersRepository } from '../../repositories/answers.repository';
import { AppealPartsRepository } from '../../repositories/appeal-parts.repository';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { WorkflowReferencesRepository } from '../../repositories/workflow-references.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { assertTransition, WorkflowRules } from '../rules';
import { WorkflowError } from '../workflow-error';

/** Channels whose only way back to the applicant is an e-mail address they may have given. */
const NO_RETURN_PATH = ['website', 'operator', 'import'];

/** Approved → sent through the channel the appeal came from; the part is answered, and the appeal with its last part. */
@Injectable()
export class SendAnswerCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
    private readonly answers: AnswersRepository,
    private readonly rules: WorkflowRules,
    private readonly references: WorkflowReferencesRepository,
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
        await this.answers.markSent(tx, answerId, now);
        await this.parts.markAnswered(tx, a.id, answer.organisation_id, now);
        // The appeal is answered when no part is still owed (active, or returned and not re-routed); until
        // then each organisation's answer goes to the citizen as it comes.
        const pending = await this.parts.countPendingLine2(tx, a.id);
        if (pending === 0 && a.status !== AppealStatus.Answered) {
          assertTransition(a.status, AppealStatus.Answered);
          await this.appeals.update(tx, a.id, { status: AppealStatus.Answered, answeredAt: now });
        }
        await record('answered', {
          answerId,
          organisationId: answer.organisation_id,
          ...(pending > 0 ? { partsPending: pending } : {}),
        });
        // A form, a call, a visit or a letter has no way back but the applicant's e-mail: without one, the
        // form's answer is published on the status page, and staff give the others by phone, in person or
        // by post (a delivery state, not a failure).
        const withoutReturnPath =
          NO_RETURN_PATH.includes(a.channel) && !(await this.references.applicantEmail(tx, a.id));
        const deliveryState = withoutReturnPath
          ? a.channel === 'website'
            ? ('published' as const)
            : ('awaiting-handover' as const)
          : undefined;
        const id = await notifyApplicant('answer', answerId, answer.text, { enqueue: false, deliveryState });
        return deliveryState ? undefined : id;
      },
    );
    if (messageId) await this.change.enqueueDelivery(messageId);
  }
}
