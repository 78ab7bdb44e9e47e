import { Injectable } from '@nestjs/common';
import { WorkflowReferencesRepository } from '../../repositories/workflow-references.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { WorkflowRules } from '../rules';
import { WorkflowError } from '../workflow-error';

export type HandoverMedium = 'phone' | 'in-person' | 'post';

/**
 * The answer to a call, a visit or a paper letter given to the applicant by staff: read out by phone,
 * handed over in person or posted — recorded with who and when, as the answer's delivery.
 */
@Injectable()
export class HandOverAnswerCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly references: WorkflowReferencesRepository,
    private readonly rules: WorkflowRules,
  ) {}

  async execute(
    appealId: string,
    answerId: string,
    actor: Actor,
    input: { medium: HandoverMedium; note?: string },
    now = new Date(),
  ): Promise<void> {
    await this.change.run(appealId, actor, 'hand-over-answer', async ({ tx, appeal: a, record }) => {
      // The answer must be this appeal's: the appeal in the path was checked against the scope, the answer id
      // was not (any answer of any organisation was marked handed over through an appeal of one's own).
      const answer = await this.rules.answer(tx, a.id, answerId);
      this.rules.assertMayDeliver(answer, actor);
      // Nor is what an organisation left behind when it returned the appeal (or had its part closed) given to the
      // applicant this way: refused as its approval and its sending are.
      await this.rules.assertNotLeftBehind(tx, a.id, answer);
      if (
        !(await this.references.markHandedOver(tx, answerId, {
          medium: input.medium,
          by: actor.userId,
          at: now,
        }))
      ) {
        throw new WorkflowError('conflict', 'Этот ответ не ожидает передачи заявителю');
      }
      await record('answer-handed-over', {
        answerId,
        medium: input.medium,
        by: actor.userId,
        at: now,
        ...(input.note ? { note: input.note } : {}),
      });
    });
  }
}
