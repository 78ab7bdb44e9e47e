import { Module } from '@nestjs/common';
import { AccessModule } from '@inbox/access';
import { AppealsModule } from '@inbox/appeals';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { IntakeModule } from '@inbox/intake';
import { QueueModule } from '@inbox/queue';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.forRoot(),
    QueueModule.forRoot(),
    AccessModule,
    AppealsModule,
    IntakeModule,
  ],
})
export class CliModule {}
