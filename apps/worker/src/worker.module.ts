import { Module } from '@nestjs/common';
import { AccessModule } from '@inbox/access';
import { AppealsModule } from '@inbox/appeals';
import { ChannelsModule } from '@inbox/channels';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { DeliveryModule } from '@inbox/delivery';
import { IntakeModule } from '@inbox/intake';
import { QueueModule } from '@inbox/queue';
// No @inbox/feeds path alias yet (tsconfig.json is shared): a relative import until the lead adds it.
import { FeedsModule } from '../../../libs/feeds/src';
// Likewise no @inbox/bot alias yet.
import { BotModule } from '../../../libs/bot/src';
import { ClassificationWorkerModule } from './classification.worker';
import { ClocksWorkerModule } from './clocks.worker';
import { ChannelPullWorker } from './channel-pull.worker';
import { DeliveryWorker } from './delivery.worker';
import { IntakeWorker } from './intake.worker';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.forRoot(),
    QueueModule.forRoot(),
    AccessModule,
    ChannelsModule,
    AppealsModule,
    IntakeModule,
    DeliveryModule,
    ClocksWorkerModule,
    FeedsModule,
    BotModule,
    ClassificationWorkerModule,
  ],
  providers: [IntakeWorker, DeliveryWorker, ChannelPullWorker],
})
export class WorkerModule {}
