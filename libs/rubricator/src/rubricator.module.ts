import { Module } from '@nestjs/common';
import { RubricatorRepository } from './rubricator.repository';
import { Rubricator } from './rubricator.service';
import { TopicCatalogue } from './topic-catalogue.service';

/** The region's rubricator (topics, subtopics, typical needs, versions) and its channel-category mapping. */
@Module({
  providers: [RubricatorRepository, Rubricator, TopicCatalogue],
  exports: [Rubricator, TopicCatalogue],
})
export class RubricatorModule {}
