import { Injectable } from '@nestjs/common';
import { AppConfig } from '@inbox/config';
import { canSeeOrganisation, Role } from '@inbox/access';
import { AnswersRepository, type LockedAnswer } from '../../repositories/answers.repository';
import { NotificationsRepository } from '../../repositories/notifications.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { WorkflowRules } from '../rules';
import { checkedUpload, type UploadedFile } from '../uploaded-file';
import { WorkflowError } from '../workflow-error';

/** Who may change a draft: its author, or the head of its organisation, or a supervisor whose scope holds it. */
function mayHandleDraft(answer: LockedAnswer, actor: Actor): boolean {
  return (
    answer.author_id === actor.userId ||
    (actor.role === Role.Supervisor && canSeeOrganisation(actor.scope, answer.organisation_id)) ||
    (actor.role === Role.Head && answer.organisation_id === actor.organisationId)
  );
}

/** A draft's files change only while it is a draft, and only by whoever may change it. */
function assertDraftFilesMayChange(
  answer: LockedAnswer,
  actor: Actor,
  refusals: { sent: string; approved: string; forbidden: string },
): void {
  if (answer.status !== 'draft') {
    const message = answer.status === 'sent' ? refusals.sent : refusals.approved;
    throw new WorkflowError('conflict', message, { file: message });
  }
  if (!mayHandleDraft(answer, actor)) throw new WorkflowError('forbidden', refusals.forbidden);
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
    private readonly config: AppConfig,
  ) {}

  /**
   * A file added to a draft by whoever may change it: sent with the answer through the channel that can carry
   * files, and offered on the status page with the access code. At most ATTACHMENT_MAX_COUNT per answer.
   */
  async attach(
    appealId: string,
    answerId: string,
    actor: Actor,
    file: UploadedFile,
  ): Promise<{ id: string }> {
    return this.change.run(appealId, actor, 'attach-to-answer', async ({ tx, appeal: a, record }) => {
      const answer = await this.rules.answer(tx, a.id, answerId);
      assertDraftFilesMayChange(answer, actor, {
        sent: 'Ответ уже отправлен заявителю: приложить к нему файл нельзя',
        approved: 'Ответ уже согласован: файлы прикладывают к проекту до согласования',
        forbidden: 'Приложить файл может автор проекта или руководитель подразделения',
      });
      const upload = checkedUpload(file, this.config.attachmentMaxBytes);
      if ((await this.answers.filesOf([answerId], tx)).length >= this.config.attachmentMaxCount) {
        const message = `К ответу можно приложить не больше ${this.config.attachmentMaxCount} файлов`;
        throw new WorkflowError('invalid-input', message, { file: message });
      }
      const id = await this.answers.addFile(tx, { answerId, ...upload });
      await record('answer-file-attached', { answerId, attachmentId: id });
      return { id };
    });
  }

  /** A file taken off a draft by whoever may change it, before the draft is approved. */
  async detach(appealId: string, answerId: string, fileId: string, actor: Actor): Promise<void> {
    await this.change.run(appealId, actor, 'detach-from-answer', async ({ tx, appeal: a, record }) => {
      const answer = await this.rules.answer(tx, a.id, answerId);
      assertDraftFilesMayChange(answer, actor, {
        sent: 'Ответ уже отправлен заявителю: убрать из него файл нельзя',
        approved: 'Ответ уже согласован: убрать файл можно только из проекта до согласования',
        forbidden: 'Убрать файл может автор проекта или руководитель подразделения',
      });
      const removed = await this.answers.removeFile(tx, answerId, fileId);
      if (!removed) throw new WorkflowError('not-found', 'Файл не найден');
      await record('answer-file-removed', { answerId, attachmentId: fileId });
    });
  }

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
      await this.rules.assertMayApprove(tx, a.id, answer, actor);
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
