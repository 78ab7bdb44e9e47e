import { Injectable } from '@nestjs/common';
import { WorkflowReferencesRepository } from '../../repositories/workflow-references.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
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
  ) {}

  async execute(
    appealId: string,
    answerId: string,
    actor: Actor,
    input: { medium: HandoverMedium; note?: string },
    now = new Date(),
  ): Promise<void> {
    await this.change.run(appealId, actor, 'hand-over-answer', async ({ tx, record }) => {
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
