import { Injectable } from '@nestjs/common';
import { type Actor, type RatingInput } from './actor';
import { type WithinChange } from './appeal-change';
import { AddNoteCommand } from './commands/add-note.command';
import { ApproveAndSendCommand, type SendHooks } from './commands/approve-and-send.command';
import { ApproveAnswerCommand } from './commands/approve-answer.command';
import { AssignCommand } from './commands/assign.command';
import { AttachFileCommand } from './commands/attach-file.command';
import { ClassifyCommand } from './commands/classify.command';
import { CloseCommand } from './commands/close.command';
import { ClosePartCommand } from './commands/close-part.command';
import { DraftAnswerCommand } from './commands/draft-answer.command';
import { DraftReviewCommand } from './commands/draft-review.command';
import { EscalateCommand, type EscalateInput } from './commands/escalate.command';
import { ExtendCommand, type ExtendInput } from './commands/extend.command';
import { FastTrackCommand } from './commands/fast-track.command';
import { HandOverAnswerCommand, type HandoverMedium } from './commands/hand-over-answer.command';
import { JoinCommand, type JoinInput } from './commands/join.command';
import { RateCommand, type RatingOutcome } from './commands/rate.command';
import { RedirectCommand } from './commands/redirect.command';
import {
  RegisterCommand,
  type OperatorAppealInput,
  type OperatorRegistration,
} from './commands/register.command';
import { ReturnCommand } from './commands/return.command';
import { SendAnswerCommand } from './commands/send-answer.command';
import { TakeCommand } from './commands/take.command';
import { UpdateCardCommand } from './commands/update-card.command';
import { type CardChanges } from './card-editor';
import { type UploadedFile } from './uploaded-file';

/**
 * Everything staff do to an appeal, one command per file (./commands), each in one transaction of
 * {@link AppealChange}: lock the appeal within the actor's scope, check the status machine and the rule,
 * change, append the history event and the audit record. This facade is what controllers, workers and
 * other libs call; processors and controllers stay thin.
 */
@Injectable()
export class AppealWorkflow {
  constructor(
    private readonly takeCommand: TakeCommand,
    private readonly assignCommand: AssignCommand,
    private readonly classifyCommand: ClassifyCommand,
    private readonly escalateCommand: EscalateCommand,
    private readonly returnCommand: ReturnCommand,
    private readonly redirectCommand: RedirectCommand,
    private readonly extendCommand: ExtendCommand,
    private readonly fastTrackCommand: FastTrackCommand,
    private readonly draftCommand: DraftAnswerCommand,
    private readonly approveCommand: ApproveAnswerCommand,
    private readonly sendCommand: SendAnswerCommand,
    private readonly approveAndSendCommand: ApproveAndSendCommand,
    private readonly closeCommand: CloseCommand,
    private readonly rateCommand: RateCommand,
    private readonly registerCommand: RegisterCommand,
    private readonly updateCardCommand: UpdateCardCommand,
    private readonly closePartCommand: ClosePartCommand,
    private readonly handOverCommand: HandOverAnswerCommand,
    private readonly drafts: DraftReviewCommand,
    private readonly noteCommand: AddNoteCommand,
    private readonly attachFileCommand: AttachFileCommand,
    private readonly joinCommand: JoinCommand,
  ) {}

  registerByOperator(input: OperatorAppealInput, actor: Actor): Promise<OperatorRegistration> {
    return this.registerCommand.execute(input, actor);
  }

  updateCard(appealId: string, actor: Actor, changes: CardChanges): Promise<{ fields: string[] }> {
    return this.updateCardCommand.execute(appealId, actor, changes);
  }

  closePart(appealId: string, actor: Actor, organisationId: string, reason: string): Promise<void> {
    return this.closePartCommand.execute(appealId, actor, organisationId, reason);
  }

  handOverAnswer(
    appealId: string,
    answerId: string,
    actor: Actor,
    input: { medium: HandoverMedium; note?: string },
  ): Promise<void> {
    return this.handOverCommand.execute(appealId, answerId, actor, input);
  }

  editDraft(appealId: string, answerId: string, actor: Actor, text: string): Promise<void> {
    return this.drafts.edit(appealId, answerId, actor, text);
  }

  attachToDraft(
    appealId: string,
    answerId: string,
    actor: Actor,
    file: UploadedFile,
  ): Promise<{ id: string }> {
    return this.drafts.attach(appealId, answerId, actor, file);
  }

  detachFromDraft(appealId: string, answerId: string, fileId: string, actor: Actor): Promise<void> {
    return this.drafts.detach(appealId, answerId, fileId, actor);
  }

  discardDraft(appealId: string, answerId: string, actor: Actor): Promise<void> {
    return this.drafts.discard(appealId, answerId, actor);
  }

  sendBackDraft(appealId: string, answerId: string, actor: Actor, comment: string): Promise<void> {
    return this.drafts.sendBack(appealId, answerId, actor, comment);
  }

  /** A file of the appeal itself (a scanned letter) added by staff who may work it. */
  attachFile(appealId: string, actor: Actor, file: UploadedFile): Promise<{ id: string }> {
    return this.attachFileCommand.execute(appealId, actor, file);
  }

  addNote(appealId: string, actor: Actor, text: string): Promise<{ id: string }> {
    return this.noteCommand.execute(appealId, actor, text);
  }

  take(appealId: string, actor: Actor): Promise<void> {
    return this.takeCommand.execute(appealId, actor);
  }

  assign(appealId: string, actor: Actor, userId: string): Promise<void> {
    return this.assignCommand.execute(appealId, actor, userId);
  }

  classify(appealId: string, actor: Actor, topicId: string, subtopicId?: string): Promise<void> {
    return this.classifyCommand.execute(appealId, actor, topicId, subtopicId);
  }

  escalate(appealId: string, actor: Actor, input: EscalateInput, now = new Date()): Promise<void> {
    return this.escalateCommand.execute(appealId, actor, input, now);
  }

  returnMisrouted(appealId: string, actor: Actor, reason: string, now = new Date()): Promise<void> {
    return this.returnCommand.execute(appealId, actor, reason, now);
  }

  redirect(appealId: string, actor: Actor, input: { body: string; reason: string }, now = new Date()) {
    return this.redirectCommand.execute(appealId, actor, input, now);
  }

  extend(appealId: string, actor: Actor, input: ExtendInput): Promise<void> {
    return this.extendCommand.execute(appealId, actor, input);
  }

  /** Fast-track by line 1: the 10-day term from registration, the reason on record. */
  fastTrack(appealId: string, actor: Actor, reason: string): Promise<void> {
    return this.fastTrackCommand.execute(appealId, actor, reason);
  }

  /** The answer term an extension by `days` would give, before anyone confirms it (nothing is changed). */
  extensionPreview(appealId: string, actor: Actor, days: number) {
    return this.extendCommand.preview(appealId, actor, days);
  }

  /** `then`: another lib's step in the draft's transaction (libs/incidents links it to the incident, or refuses). */
  draftAnswer(
    appealId: string,
    actor: Actor,
    input: { templateId?: string; text?: string },
    then?: WithinChange<string>,
  ): Promise<string> {
    return this.draftCommand.execute(appealId, actor, input, then);
  }

  approveAnswer(appealId: string, answerId: string, actor: Actor): Promise<void> {
    return this.approveCommand.execute(appealId, answerId, actor);
  }

  sendAnswer(appealId: string, answerId: string, actor: Actor, now = new Date()): Promise<void> {
    return this.sendCommand.execute(appealId, answerId, actor, now);
  }

  /** Approves and sends the draft in one transaction (an incident's answer), with another lib's hooks. */
  approveAndSend(appealId: string, answerId: string, actor: Actor, hooks?: SendHooks, now?: Date) {
    return this.approveAndSendCommand.execute(appealId, answerId, actor, hooks, now);
  }

  close(appealId: string, actor: Actor, reason?: string, now = new Date()): Promise<void> {
    return this.closeCommand.execute(appealId, actor, reason, now);
  }

  /** The same appeal sent twice: the later one joins the earlier (by its number) and is closed as joined. */
  join(appealId: string, actor: Actor, input: JoinInput, now = new Date()) {
    return this.joinCommand.execute(appealId, actor, input, now);
  }

  rate(appealId: string, rating: RatingInput, actor: Actor, now = new Date()): Promise<RatingOutcome> {
    return this.rateCommand.execute(appealId, rating, actor, now);
  }
}
