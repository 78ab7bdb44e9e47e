import { ApproveAndSendCommand } from './approve-and-send.command';
import { ApproveAnswerCommand } from './approve-answer.command';
import { AddNoteCommand } from './add-note.command';
import { AssignCommand } from './assign.command';
import { AttachFileCommand } from './attach-file.command';
import { DraftReviewCommand } from './draft-review.command';
import { ClassifyCommand } from './classify.command';
import { CloseCommand } from './close.command';
import { ClosePartCommand } from './close-part.command';
import { DraftAnswerCommand } from './draft-answer.command';
import { EscalateCommand } from './escalate.command';
import { HandOverAnswerCommand } from './hand-over-answer.command';
import { JoinCommand } from './join.command';
import { ExtendCommand } from './extend.command';
import { FastTrackCommand } from './fast-track.command';
import { RateCommand } from './rate.command';
import { RedirectCommand } from './redirect.command';
import { RegisterCommand } from './register.command';
import { ReturnCommand } from './return.command';
import { SendAnswerCommand } from './send-answer.command';
import { TakeCommand } from './take.command';
import { UpdateCardCommand } from './update-card.command';

export type { EscalateInput } from './escalate.command';
export type { ExtendInput } from './extend.command';
export type { RatingOutcome } from './rate.command';
export type { HandoverMedium } from './hand-over-answer.command';
export type { JoinInput } from './join.command';
export type { OperatorAppealInput, OperatorRegistration } from './register.command';

/** Every workflow command, one file each: the module provides them, the AppealWorkflow facade calls them. */
export const WORKFLOW_COMMANDS = [
  TakeCommand,
  AssignCommand,
  ClassifyCommand,
  EscalateCommand,
  ReturnCommand,
  RedirectCommand,
  ExtendCommand,
  FastTrackCommand,
  DraftAnswerCommand,
  ApproveAnswerCommand,
  SendAnswerCommand,
  ApproveAndSendCommand,
  CloseCommand,
  RateCommand,
  RegisterCommand,
  UpdateCardCommand,
  ClosePartCommand,
  HandOverAnswerCommand,
  DraftReviewCommand,
  AddNoteCommand,
  AttachFileCommand,
  JoinCommand,
];
