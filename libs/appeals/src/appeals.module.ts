import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IntakeModule } from '@inbox/intake';
import { OrganisationsModule } from '@inbox/organisations';
import { APPEAL_ENTITIES } from './appeal.entities';
import { AppealRegistrar } from './appeal-registrar.service';
import { AppealQueries } from './appeal-queries.service';
import { AnswerTemplates } from './answer-templates.service';
import { StaffNotifications } from './staff-notifications.service';
import { APPEAL_REPOSITORIES } from './repositories';
import { AppealChange } from './workflow/appeal-change';
import { AnswerRelease } from './workflow/answer-release';
import { AppealWorkflow } from './workflow/appeal-workflow.service';
import { WORKFLOW_COMMANDS } from './workflow/commands';
import { WorkflowRules } from './workflow/rules';
import { CardEditor } from './workflow/card-editor';
import { PublicAnswerLinks } from './public-answer-links.service';

/** What the lib offers the rest of the house; the workflow's parts below stay inside it. */
const EXPORTED = [
  ...APPEAL_REPOSITORIES,
  AppealRegistrar,
  AppealQueries,
  AppealWorkflow,
  AnswerTemplates,
  StaffNotifications,
  PublicAnswerLinks,
  // Commands of other libs that change an appeal (libs/incidents: its membership) run in the one transaction.
  AppealChange,
];

@Module({
  imports: [TypeOrmModule.forFeature(APPEAL_ENTITIES), OrganisationsModule, IntakeModule],
  providers: [...EXPORTED, AnswerRelease, WorkflowRules, CardEditor, ...WORKFLOW_COMMANDS],
  exports: EXPORTED,
})
export class AppealsModule {}
