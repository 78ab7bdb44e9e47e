import { Module } from '@nestjs/common';
import { AppealsModule } from '@inbox/appeals';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { IntakeModule } from '@inbox/intake';
import { QueueModule } from '@inbox/queue';
import { IntakeWorker } from './intake.worker';

@Module({
  imports: [ConfigModule, DatabaseModule.forRoot(), QueueModule.forRoot(), AppealsModule, IntakeModule],
  providers: [IntakeWorker],
})
export class WorkerModule {}
