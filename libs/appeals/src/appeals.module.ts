import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganisationsModule } from '@inbox/organisations';
import { APPEAL_ENTITIES } from './appeal.entities';
import { AppealRegistrar } from './appeal-registrar.service';
import { AppealQueries } from './appeal-queries.service';

@Module({
  imports: [TypeOrmModule.forFeature(APPEAL_ENTITIES), OrganisationsModule],
  providers: [AppealRegistrar, AppealQueries],
  exports: [AppealRegistrar, AppealQueries],
})
export class AppealsModule {}
