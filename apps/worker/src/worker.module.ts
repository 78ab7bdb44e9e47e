import { Module } from '@nestjs/common';
import { AccessModule } from '@inbox/access';
import { AppealsModule } from '@inbox/appeals';
import { BotModule } from '@inbox/bot';
import { ChannelsModule } from '@inbox/channels';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { DeliveryModule } from '@inbox/delivery';
import { IntakeModule } from '@inbox/intake';
import { FeedsModule } from '@inbox/feeds';
import { CONNECTORS } from '@inbox/integrations/catalog';
import { QueueModule } from '@inbox/queue';
import { ReportsModule } from '@inbox/reports';
import { RetentionModule } from '@inbox/retention';
import { ClassificationWorkerModule } from './classification.worker';
import { ClocksWorkerModule } from './clocks.worker';
import { CountsFoldWorker } from './counts-fold.worker';
import { KnowledgeWorkerModule } from './knowledge.worker';
import { ChannelPullWorker } from './channel-pull.worker';
import { DeliveryWorker } from './delivery.worker';
import { EventOutboxWorker } from './event-outbox.worker';
import { IntakeWorker } from './intake.worker';
import { RetentionWorker } from './retention.worker';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.forRoot(),
    QueueModule.forRoot(),
    AccessModule,
    // The connectors are wired here, not in the libraries: they know channels only through the contract.
    ChannelsModule.forRoot(CONNECTORS),
    AppealsModule,
    IntakeModule,
    DeliveryModule,
    ClocksWorkerModule,
    FeedsModule,
    BotModule,
    ClassificationWorkerModule,
    KnowledgeWorkerModule,
    RetentionModule,
    ReportsModule,
  ],
  providers: [
    IntakeWorker,
    DeliveryWorker,
    ChannelPullWorker,
    EventOutboxWorker,
    RetentionWorker,
    CountsFoldWorker,
  ],
})
export class WorkerModule {}
