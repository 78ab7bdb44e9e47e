import { Injectable } from '@nestjs/common';
import { type Actor } from '../actor';
import { AppealChange, type WithinChange } from '../appeal-change';
import { ApproveAnswerCommand } from './approve-answer.command';
import { SendAnswerCommand } from './send-answer.command';

/** Another lib's steps in the approval's transaction: `guard` before it (may refuse), `then` after the send. */
export interface SendHooks {
  guard?: WithinChange;
  then?: WithinChange;
}

/**
 * Draft → approved → sent in one transaction, for an answer approved to go out at once (an incident's answer):
 * either the citizen's answer is approved and sent, or nothing changed — never an answer approved and left unsent.
 * `guard` runs first, the appeal locked, and may refuse (another lib's condition: the appeal is still in the
 * incident whose answer this is); `then` runs last, in the same transaction.
 */
@Injectable()
export class ApproveAndSendCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly approve: ApproveAnswerCommand,
    private readonly send: SendAnswerCommand,
  ) {}

  async execute(
    appealId: string,
    answerId: string,
    actor: Actor,
    hooks: SendHooks = {},
    now = new Date(),
  ): Promise<void> {
    const messageId = await this.change.run(appealId, actor, 'approve-and-send-answer', async (context) => {
      await hooks.guard?.(context.tx, context.appeal);
      await this.approve.apply(context, answerId);
      const released = await this.send.apply(context, answerId, now);
      await hooks.then?.(context.tx, context.appeal);
      return released;
    });
    if (messageId) await this.change.enqueueDelivery(messageId);
  }
}
