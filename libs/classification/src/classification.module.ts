import { Module } from '@nestjs/common';
import { AppealsModule } from '@inbox/appeals';
import { IncidentsModule } from '@inbox/incidents';
import { LegalFlagsModule } from '@inbox/legal-flags';
import { RoutingModule } from '@inbox/routing';
import { RubricatorModule } from '@inbox/rubricator';
import { FastTrackRules } from './fast-track/fast-track-rules.service';
import { ClassificationPipeline } from './pipeline/classification-pipeline.service';
import { ClerkFeedback } from './pipeline/clerk-feedback.service';
import { ClassificationCorrectionsRepository } from './repositories/classification-corrections.repository';
import { ClassificationExamplesRepository } from './repositories/classification-examples.repository';
import { ClassifierModelsRepository } from './repositories/classifier-models.repository';
import { FastTrackRulesRepository } from './repositories/fast-track-rules.repository';
import { PipelineAppealsRepository } from './repositories/pipeline-appeals.repository';
import { RoutingHistoryRepository } from './repositories/routing-history.repository';
import { TrainingSourcesRepository } from './repositories/training-sources.repository';
import { RoutingSuggestions } from './routing/routing-suggestions.service';
import { ModelRegistry } from './training/model-registry.service';
import { Retrainer } from './training/retrainer.service';
import { TrainingExamples } from './training/training-examples.service';
import { TrainingSet } from './training/training-set.service';

const SERVICES = [
  ClassificationCorrectionsRepository,
  ClassifierModelsRepository,
  ClassificationExamplesRepository,
  FastTrackRulesRepository,
  PipelineAppealsRepository,
  RoutingHistoryRepository,
  TrainingSourcesRepository,
  ModelRegistry,
  TrainingSet,
  TrainingExamples,
  Retrainer,
  FastTrackRules,
  RoutingSuggestions,
  ClassificationPipeline,
  ClerkFeedback,
];

/**
 * The pipeline around the text classifier: models in the database, training and retraining, fast-track
 * rules, routing suggestions, clerks' feedback. The api uses the editing services, the worker the pipeline;
 * the rubricator, 59-ФЗ flags and incidents are their own modules, re-exported for both.
 */
@Module({
  imports: [AppealsModule, RoutingModule, RubricatorModule, LegalFlagsModule, IncidentsModule],
  providers: SERVICES,
  exports: [...SERVICES, RubricatorModule, LegalFlagsModule, IncidentsModule],
})
export class ClassificationModule {}
