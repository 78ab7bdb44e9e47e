import { Module } from '@nestjs/common';
import { Rubricator } from './rubricator.service';
import { TopicCatalogue } from './topic-catalogue.service';

/** The region's rubricator (topics, subtopics, typical needs, versions) and its channel-category mapping. */
@Module({ providers: [Rubricator, TopicCatalogue], exports: [Rubricator, TopicCatalogue] })
export class RubricatorModule {}
