import { Injectable } from '@nestjs/common';
import { AppealStatus } from '../../appeal-status';
import { AnswersRepository } from '../../repositories/answers.repository';
import { AppealPartsRepository } from '../../repositories/appeal-parts.repository';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { WorkflowReferencesRepository } from '../../repositories/workflow-references.repository';
import { type Actor } from '../actor';
import { AnswerRelease } from '../answer-release';
import { AppealChange, type ChangeContext } from '../appeal-change';
import { assertTransition, WorkflowRules } from '../rules';
import { WorkflowError } from '../workflow-error';

/**
 * Approved → sent: the part is answered (its clock stops), and the appeal with its last part. The citizen gets
 * the answer through the channel the appeal came from at once, unless the responsible organisation answers
 * combined and other parts are still owed: then it is held, and goes with theirs in one message when the last
 * part is answered or closed.
 */
@Injectable()
export class SendAnswerCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
    private readonly answers: AnswersRepository,
    private readonly rules: WorkflowRules,
    private readonly references: WorkflowReferencesRepository,
    private readonly release: AnswerRelease,
  ) {}

  async execute(appealId: string, answerId: string, actor: Actor, now = new Date()): Promise<void> {
    const messageId = await this.change.run(appealId, actor, 'send-answer', (context) =>
      this.apply(context, answerId, now),
    );
    if (messageId) await this.change.enqueueDelivery(messageId);
  }

  /**
   * The send in the caller's change (ApproveAndSendCommand: with the approval, in one transaction); the message
   * released to the citizen, for the caller to enqueue once committed.
   */
  async apply(context: ChangeContext, answerId: string, now: Date): Promise<string | undefined> {
    const { tx, appeal: a, actor, record } = context;
    const answer = await this.rules.answer(tx, a.id, answerId);
    this.rules.assertMayDeliver(answer, actor);
    if (answer.status !== 'approved') {
      throw new WorkflowError('conflict', 'Отправить можно только согласованный ответ');
    }
    await this.rules.assertNotLeftBehind(tx, a.id, answer);
    await this.answers.markSent(tx, answerId, now);
    await this.parts.markAnswered(tx, a.id, answer.organisation_id, now);
    // The appeal is answered when no part is still owed (active, or returned and not re-routed).
    const pending = await this.parts.countPendingLine2(tx, a.id);
    if (pending === 0 && a.status !== AppealStatus.Answered) {
      assertTransition(a.status, AppealStatus.Answered);
      await this.appeals.update(tx, a.id, { status: AppealStatus.Answered, answeredAt: now });
    }
    // Whose choice: the organisation responsible for the appeal (line 1, which escalated it to the parts, or
    // the superior it was reopened at). The citizen wrote to it and it owns the reply as a whole; the parts'
    // organisations answer their share and may choose differently from one another.
    const held = pending > 0 && (await this.references.answerDelivery(tx, a.organisation_id)) === 'combined';
    const released = held ? undefined : await this.release.release(context, answerId);
    await record('answered', {
      answerId,
      organisationId: answer.organisation_id,
      ...(pending > 0 ? { partsPending: pending } : {}),
      ...(held ? { heldForCombinedAnswer: true } : {}),
      // Sent together with answers held for a combined answer.
      ...(released && released.answerIds.length > 1 ? { combinedAnswerIds: released.answerIds } : {}),
    });
    return released?.messageId;
  }
}
