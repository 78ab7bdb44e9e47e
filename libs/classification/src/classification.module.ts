import { Module } from '@nestjs/common';
import { AppealsModule } from '@inbox/appeals';
import { RoutingModule } from '@inbox/routing';
import { FastTrackRules } from './fast-track/fast-track-rules.service';
import { LegalFlags } from './flags/legal-flags.service';
import { Incidents } from './incidents/incidents.service';
import { ClassificationPipeline } from './pipeline/classification-pipeline.service';
import { ClerkFeedback } from './pipeline/clerk-feedback.service';
import { TopicCatalogue } from './pipeline/topic-catalogue.service';
import { RoutingSuggestions } from './routing/routing-suggestions.service';
import { Rubricator } from './rubricator/rubricator.service';
import { ModelRegistry } from './training/model-registry.service';
import { Retrainer } from './training/retrainer.service';
import { TrainingExamples } from './training/training-examples.service';
import { TrainingSet } from './training/training-set.service';

const SERVICES = [
  Rubricator,
  TopicCatalogue,
  ModelRegistry,
  TrainingSet,
  TrainingExamples,
  Retrainer,
  FastTrackRules,
  LegalFlags,
  RoutingSuggestions,
  Incidents,
  ClassificationPipeline,
  ClerkFeedback,
];

/** Classification and routing intelligence: the api uses the editing services, the worker the pipeline. */
@Module({
  imports: [AppealsModule, RoutingModule],
  providers: SERVICES,
  exports: SERVICES,
})
export class ClassificationModule {}
