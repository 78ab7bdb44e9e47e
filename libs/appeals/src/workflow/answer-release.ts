import { Injectable } from '@nestjs/common';
import { answerMessageText } from '../applicant-texts';
import { AnswersRepository } from '../repositories/answers.repository';
import { WorkflowReferencesRepository } from '../repositories/workflow-references.repository';
import { type ChangeContext } from './appeal-change';

/** Channels whose only way back to the applicant is an e-mail address they may have given. */
const NO_RETURN_PATH = ['website', 'operator', 'import'];

/**
 * Brings the citizen every sent answer no message has carried yet: the one just sent, or, for a responsible
 * organisation that answers combined, all the parts' answers held until no part was owed any more — one message,
 * each answer under its organisation's name, with all their files (to a channel that carries none, OK, delivery
 * adds a personal link to them as the message goes out: PublicAnswerLinks, 'files'). Nothing is held for ever: the command that
 * leaves no part owed (the last answer, or line 1 closing the last open part) releases what was held.
 */
@Injectable()
export class AnswerRelease {
  constructor(
    private readonly answers: AnswersRepository,
    private readonly references: WorkflowReferencesRepository,
  ) {}

  /**
   * Queues the message inside the command's transaction (`justSent`: the answer the command has just sent,
   * if any; anything else it releases was held). Returns the answers it carries, and its id when the worker
   * must deliver it once the transaction has committed (none when nothing was released, or for a message that
   * needs no delivery: published on the status page, or handed over by staff).
   */
  async release(
    { tx, appeal: a, notifyApplicant, record }: ChangeContext,
    justSent?: string,
  ): Promise<{ messageId?: string; answerIds: string[] }> {
    const answers = await this.answers.unreleased(tx, a.id);
    if (answers.length === 0) return { answerIds: [] };
    // A form, a call, a visit or a letter has no way back but the applicant's e-mail: without one, staff give
    // the answer by phone, in person or by post (a delivery state, not a failure). The form's answer is on the
    // status page in any case; it waits for staff to post it only where the citizen gave a postal address for
    // it (the form asks for one «если хотите получить ответ почтой»: published alone, no letter ever went).
    const addresses = NO_RETURN_PATH.includes(a.channel)
      ? await this.references.applicantAddresses(tx, a.id)
      : undefined;
    const deliveryState =
      addresses && !addresses.email
        ? a.channel === 'website' && !addresses.postalAddress
          ? ('published' as const)
          : ('awaiting-handover' as const)
        : undefined;
    const last = answers[answers.length - 1];
    const id = await notifyApplicant('answer', last.id, answerMessageText(answers), {
      enqueue: false,
      deliveryState,
      answerIds: answers.map((x) => x.id),
    });
    // Answers held until another command (line 1 closing the last open part) reach the citizen now: the history
    // says so (the status page: «Дан ответ»). With an answer just sent, its own `answered` event says it.
    if (!justSent) {
      await record('combined-answer-sent', { answerIds: answers.map((x) => x.id), outboundMessageId: id });
    }
    return { messageId: deliveryState ? undefined : id, answerIds: answers.map((x) => x.id) };
  }
}
