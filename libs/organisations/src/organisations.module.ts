import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganisationEntity, TopicEntity } from './organisation.entity';
import { OrganisationDirectory } from './organisation-directory.service';

@Module({
  imports: [TypeOrmModule.forFeature([OrganisationEntity, TopicEntity])],
  providers: [OrganisationDirectory],
  exports: [OrganisationDirectory, TypeOrmModule],
})
export class OrganisationsModule {}
