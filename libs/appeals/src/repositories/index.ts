export * from './db';
export * from './appeals.repository';
export * from './appeal-parts.repository';
export * from './answers.repository';
export * from './answer-templates.repository';
export * from './attachments.repository';
export * from './history.repository';
export * from './ratings.repository';
export * from './public-answer-links.repository';
export * from './registration.repository';
export * from './workflow-references.repository';
export * from './notes.repository';
export * from './notifications.repository';

import { AnswerTemplatesRepository } from './answer-templates.repository';
import { AnswersRepository } from './answers.repository';
import { AppealPartsRepository } from './appeal-parts.repository';
import { AppealsRepository } from './appeals.repository';
import { AttachmentsRepository } from './attachments.repository';
import { AppealHistoryRepository } from './history.repository';
import { RatingsRepository } from './ratings.repository';
import { PublicAnswerLinksRepository } from './public-answer-links.repository';
import { RegistrationRepository } from './registration.repository';
import { WorkflowReferencesRepository } from './workflow-references.repository';
import { AppealNotesRepository } from './notes.repository';
import { NotificationsRepository } from './notifications.repository';
import { RetentionRepository } from './retention.repository';

/** The repositories of the tables libs/appeals owns; SQL of appeals lives only in them. */
export const APPEAL_REPOSITORIES = [
  AppealsRepository,
  AppealPartsRepository,
  AnswersRepository,
  AnswerTemplatesRepository,
  AttachmentsRepository,
  AppealHistoryRepository,
  RatingsRepository,
  PublicAnswerLinksRepository,
  RegistrationRepository,
  WorkflowReferencesRepository,
  AppealNotesRepository,
  NotificationsRepository,
  RetentionRepository,
];
export * from './retention.repository';
export * from './notification-digests.sql';
