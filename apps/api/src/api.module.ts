import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessModule, StaffAuthGuard } from '@inbox/access';
import { MulterModule } from '@nestjs/platform-express';
import {
  MULTIPART_FIELD_BYTES,
  MULTIPART_FIELDS,
  MULTIPART_FILES,
} from './public/form-attachments.interceptor';
import { AppealEventFeed, AppealsModule } from '@inbox/appeals';
import { ChannelsModule } from '@inbox/channels';
import { CONNECTORS } from '@inbox/integrations/catalog';
import { AppConfig, ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { FailedDeliveriesModule } from '@inbox/delivery';
import { IntakeModule } from '@inbox/intake';
import { OrganisationsModule } from '@inbox/organisations';
import { QueueModule } from '@inbox/queue';
import { ReportsModule } from '@inbox/reports';
import { RoutingModule } from '@inbox/routing';
import { AuthController } from './auth/auth.controller';
import { WebhooksController } from './webhooks/webhooks.controller';
import { HealthController } from './health/health.controller';
import { SystemHealth } from './health/system-health.service';
import { OrganisationsController } from './organisations/organisations.controller';
import { PublicAppealsController } from './public/public-appeals.controller';
import {
  PublicAnswerFilesController,
  PublicRatingLinksController,
} from './public/public-answer-links.controller';
import { RoutingRulesController } from './routing/routing-rules.controller';
import { RoutingSuggestController } from './routing/routing-suggest.controller';
import { AppealsController } from './staff/appeals.controller';
import { WorkflowController } from './staff/workflow.controller';
import { AnswerTemplatesController } from './staff/answer-templates.controller';
import { AppealStreamController } from './staff/appeal-stream.controller';
import { AppealDetailsController } from './staff/appeal-details.controller';
import { NotificationsController } from './staff/notifications.controller';
import { DeliveriesController } from './staff/deliveries.controller';
import { ReportsController } from './reports/reports.controller';
import { UsersController } from './users/users.controller';
import { PasswordResets } from './users/password-resets.service';
import { DirectoryController } from './directory/directory.controller';
import { ClassificationModule } from '@inbox/classification';
import { AppealClassificationController } from './classification/appeal-classification.controller';
import { ClassificationController } from './classification/classification.controller';
import { FastTrackRulesController } from './classification/fast-track-rules.controller';
import { AppealIncidentController, IncidentsController } from './classification/incidents.controller';
import { RubricatorController } from './classification/rubricator.controller';
import { KnowledgeModule } from '@inbox/knowledge';
import {
  KnowledgeArticlesController,
  KnowledgeRequestsController,
  KnowledgeSectionsController,
} from './knowledge/knowledge.controller';
import { PublicFaqController } from './knowledge/public-faq.controller';
import { EventOutboxController } from './outbox/event-outbox.controller';
import { RateLimitGuard, RateLimitsModule, RateLimitStoreModule } from './rate-limits/rate-limits';
import { ChannelAccountsController } from './channels/channel-accounts.controller';
import { ChannelQuarantineController } from './channels/channel-quarantine.controller';
import { StreamTickets } from './staff/stream-tickets';

@Module({
  imports: [
    ConfigModule,
    AccessModule,
    DatabaseModule.forRoot({ pool: 'api' }),
    QueueModule.forRoot(),
    OrganisationsModule,
    AppealsModule,
    IntakeModule,
    RoutingModule,
    ReportsModule,
    ChannelsModule.forRoot(CONNECTORS),
    ClassificationModule,
    KnowledgeModule,
    RateLimitStoreModule,
    RateLimitsModule,
    FailedDeliveriesModule,
    MulterModule.registerAsync({
      inject: [AppConfig],
      // In memory: files are hashed and stored in Postgres right away; the caps bound the memory. Fields are
      // counted too: the form sends ten, and each up to the field cap was kept however many came (2 000 of
      // 16 KiB, 64 MB held per anonymous request, before the form's validation refused them).
      useFactory: (config: AppConfig) => ({
        limits: {
          fileSize: config.attachmentMaxBytes + 1,
          fieldSize: MULTIPART_FIELD_BYTES,
          fields: MULTIPART_FIELDS,
          parts: MULTIPART_FIELDS + MULTIPART_FILES,
        },
      }),
    }),
  ],
  controllers: [
    AuthController,
    PublicAppealsController,
    PublicRatingLinksController,
    PublicAnswerFilesController,
    // Before AppealsController: /appeals/stream must not be taken for /appeals/:id.
    AppealStreamController,
    AppealsController,
    AppealDetailsController,
    NotificationsController,
    DeliveriesController,
    WorkflowController,
    AnswerTemplatesController,
    HealthController,
    OrganisationsController,
    RoutingRulesController,
    RoutingSuggestController,
    WebhooksController,
    ReportsController,
    UsersController,
    DirectoryController,
    RubricatorController,
    ClassificationController,
    FastTrackRulesController,
    AppealClassificationController,
    IncidentsController,
    AppealIncidentController,
    KnowledgeArticlesController,
    KnowledgeRequestsController,
    KnowledgeSectionsController,
    PublicFaqController,
    EventOutboxController,
    ChannelQuarantineController,
    ChannelAccountsController,
  ],
  // Anonymous endpoints marked @RateLimited are limited per address first; every endpoint needs a signed-in
  // staff member unless marked @PublicEndpoint() (a whole controller: PublicController).
  providers: [
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: StaffAuthGuard },
    AppealEventFeed,
    SystemHealth,
    StreamTickets,
    PasswordResets,
  ],
})
export class ApiModule {}
