import { Injectable } from '@nestjs/common';
import { type Actor, type RatingInput } from './actor';
import {
  ApproveAnswerCommand,
  AssignCommand,
  ClassifyCommand,
  CloseCommand,
  DraftAnswerCommand,
  EscalateCommand,
  type EscalateInput,
  ExtendCommand,
  type ExtendInput,
  type OperatorAppealInput,
  type OperatorRegistration,
  RateCommand,
  type RatingOutcome,
  RedirectCommand,
  RegisterCommand,
  ReturnCommand,
  SendAnswerCommand,
  TakeCommand,
  UpdateCardCommand,
  ClosePartCommand,
  HandOverAnswerCommand,
  type HandoverMedium,
  DraftReviewCommand,
  AddNoteCommand,
  AttachFileCommand,
} from './commands';
import { type CardChanges } from './card-editor';

/**
 * Everything staff do to an appeal, one command per file (./commands), each in one transaction of
 * {@link AppealChange}: lock the appeal within the actor's scope, check the status machine and the rule,
 * change, append the history event and the audit record. This facade is what controllers, workers and
 * other libs call; processors and controllers stay thin.
 */
@Injectable()
export class AppealWorkflow {
  private readonly commands: {
    take: TakeCommand;
    assign: AssignCommand;
    classify: ClassifyCommand;
    escalate: EscalateCommand;
    return: ReturnCommand;
    redirect: RedirectCommand;
    extend: ExtendCommand;
    draft: DraftAnswerCommand;
    approve: ApproveAnswerCommand;
    send: SendAnswerCommand;
    close: CloseCommand;
    rate: RateCommand;
    register: RegisterCommand;
    updateCard: UpdateCardCommand;
    closePart: ClosePartCommand;
    handOver: HandOverAnswerCommand;
    drafts: DraftReviewCommand;
    note: AddNoteCommand;
    attachFile: AttachFileCommand;
  };

  constructor(
    take: TakeCommand,
    assign: AssignCommand,
    classify: ClassifyCommand,
    escalate: EscalateCommand,
    returnMisrouted: ReturnCommand,
    redirect: RedirectCommand,
    extend: ExtendCommand,
    draft: DraftAnswerCommand,
    approve: ApproveAnswerCommand,
    send: SendAnswerCommand,
    close: CloseCommand,
    rate: RateCommand,
    register: RegisterCommand,
    updateCard: UpdateCardCommand,
    closePart: ClosePartCommand,
    handOver: HandOverAnswerCommand,
    drafts: DraftReviewCommand,
    note: AddNoteCommand,
    attachFile: AttachFileCommand,
  ) {
    this.commands = {
      take,
      assign,
      classify,
      escalate,
      return: returnMisrouted,
      redirect,
      extend,
      draft,
      approve,
      send,
      close,
      rate,
      register,
      updateCard,
      closePart,
      handOver,
      drafts,
      note,
      attachFile,
    };
  }

  registerByOperator(input: OperatorAppealInput, actor: Actor): Promise<OperatorRegistration> {
    return this.commands.register.execute(input, actor);
  }

  updateCard(appealId: string, actor: Actor, changes: CardChanges): Promise<{ fields: string[] }> {
    return this.commands.updateCard.execute(appealId, actor, changes);
  }

  closePart(appealId: string, actor: Actor, organisationId: string, reason: string): Promise<void> {
    return this.commands.closePart.execute(appealId, actor, organisationId, reason);
  }

  handOverAnswer(
    appealId: string,
    answerId: string,
    actor: Actor,
    input: { medium: HandoverMedium; note?: string },
  ): Promise<void> {
    return this.commands.handOver.execute(appealId, answerId, actor, input);
  }

  editDraft(appealId: string, answerId: string, actor: Actor, text: string): Promise<void> {
    return this.commands.drafts.edit(appealId, answerId, actor, text);
  }

  attachToDraft(
    appealId: string,
    answerId: string,
    actor: Actor,
    file: { fileName: string; contentType: string; content: Buffer },
  ): Promise<{ id: string }> {
    return this.commands.drafts.attach(appealId, answerId, actor, file);
  }

  detachFromDraft(appealId: string, answerId: string, fileId: string, actor: Actor): Promise<void> {
    return this.commands.drafts.detach(appealId, answerId, fileId, actor);
  }

  discardDraft(appealId: string, answerId: string, actor: Actor): Promise<void> {
    return this.commands.drafts.discard(appealId, answerId, actor);
  }

  sendBackDraft(appealId: string, answerId: string, actor: Actor, comment: string): Promise<void> {
    return this.commands.drafts.sendBack(appealId, answerId, actor, comment);
  }

  /** A file of the appeal itself (a scanned letter) added by staff who may work it. */
  attachFile(
    appealId: string,
    actor: Actor,
    file: { fileName: string; contentType: string; content: Buffer },
  ): Promise<{ id: string }> {
    return this.commands.attachFile.execute(appealId, actor, file);
  }

  addNote(appealId: string, actor: Actor, text: string): Promise<{ id: string }> {
    return this.commands.note.execute(appealId, actor, text);
  }

  take(appealId: string, actor: Actor): Promise<void> {
    return this.commands.take.execute(appealId, actor);
  }

  assign(appealId: string, actor: Actor, userId: string): Promise<void> {
    return this.commands.assign.execute(appealId, actor, userId);
  }

  classify(appealId: string, actor: Actor, topicId: string, subtopicId?: string): Promise<void> {
    return this.commands.classify.execute(appealId, actor, topicId, subtopicId);
  }

  escalate(appealId: string, actor: Actor, input: EscalateInput, now = new Date()): Promise<void> {
    return this.commands.escalate.execute(appealId, actor, input, now);
  }

  returnMisrouted(appealId: string, actor: Actor, reason: string, now = new Date()): Promise<void> {
    return this.commands.return.execute(appealId, actor, reason, now);
  }

  redirect(appealId: string, actor: Actor, input: { body: string; reason: string }, now = new Date()) {
    return this.commands.redirect.execute(appealId, actor, input, now);
  }

  extend(appealId: string, actor: Actor, input: ExtendInput): Promise<void> {
    return this.commands.extend.execute(appealId, actor, input);
  }

  draftAnswer(
    appealId: string,
    actor: Actor,
    input: { templateId?: string; text?: string },
  ): Promise<string> {
    return this.commands.draft.execute(appealId, actor, input);
  }

  approveAnswer(appealId: string, answerId: string, actor: Actor): Promise<void> {
    return this.commands.approve.execute(appealId, answerId, actor);
  }

  sendAnswer(appealId: string, answerId: string, actor: Actor, now = new Date()): Promise<void> {
    return this.commands.send.execute(appealId, answerId, actor, now);
  }

  close(appealId: string, actor: Actor, now = new Date()): Promise<void> {
    return this.commands.close.execute(appealId, actor, now);
  }

  rate(appealId: string, rating: RatingInput, actor: Actor, now = new Date()): Promise<RatingOutcome> {
    return this.commands.rate.execute(appealId, rating, actor, now);
  }
}
