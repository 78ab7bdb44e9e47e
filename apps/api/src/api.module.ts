import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { AppealsModule } from '@inbox/appeals';
import { AppConfig, ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { IntakeModule } from '@inbox/intake';
import { OrganisationsModule } from '@inbox/organisations';
import { QueueModule } from '@inbox/queue';
import { HealthController } from './health/health.controller';
import { PublicAppealsController } from './public/public-appeals.controller';
import { AppealsController } from './staff/appeals.controller';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.forRoot(),
    QueueModule.forRoot(),
    OrganisationsModule,
    AppealsModule,
    IntakeModule,
    MulterModule.registerAsync({
      inject: [AppConfig],
      // In memory: files are hashed and stored in Postgres right away; the size cap bounds the memory.
      useFactory: (config: AppConfig) => ({ limits: { fileSize: config.attachmentMaxBytes + 1, fieldSize: 64 * 1024 } }),
    }),
  ],
  controllers: [PublicAppealsController, AppealsController, HealthController],
})
export class ApiModule {}
