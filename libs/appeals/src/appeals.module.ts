import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganisationsModule } from '@inbox/organisations';
import { APPEAL_ENTITIES } from './appeal.entities';
import { AppealRegistrar } from './appeal-registrar.service';
import { AppealQueries } from './appeal-queries.service';
import { AppealWorkflow } from './workflow/appeal-workflow.service';

@Module({
  imports: [TypeOrmModule.forFeature(APPEAL_ENTITIES), OrganisationsModule],
  providers: [AppealRegistrar, AppealQueries, AppealWorkflow],
  exports: [AppealRegistrar, AppealQueries, AppealWorkflow],
})
export class AppealsModule {}
