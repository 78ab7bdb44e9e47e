import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganisationEntity, TopicEntity } from './organisation.entity';
import { OrganisationDirectory } from './organisation-directory.service';
import { OrganisationTreeService } from './organisation-tree';
import { OrganisationsRepository } from './organisations.repository';

@Module({
  imports: [TypeOrmModule.forFeature([OrganisationEntity, TopicEntity])],
  providers: [OrganisationsRepository, OrganisationDirectory, OrganisationTreeService],
  exports: [OrganisationDirectory, OrganisationTreeService, TypeOrmModule],
})
export class OrganisationsModule {}
