import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessModule, StaffAuthGuard } from '@inbox/access';
import { MulterModule } from '@nestjs/platform-express';
import { AppealsModule } from '@inbox/appeals';
import { AppConfig, ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { IntakeModule } from '@inbox/intake';
import { OrganisationsModule } from '@inbox/organisations';
import { QueueModule } from '@inbox/queue';
import { AuthController } from './auth/auth.controller';
import { HealthController } from './health/health.controller';
import { PublicAppealsController } from './public/public-appeals.controller';
import { AppealsController } from './staff/appeals.controller';

@Module({
  imports: [
    ConfigModule,
    AccessModule,
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
  controllers: [AuthController, PublicAppealsController, AppealsController, HealthController],
  // Every endpoint needs a signed-in staff member unless marked @PublicEndpoint().
  providers: [{ provide: APP_GUARD, useClass: StaffAuthGuard }],
})
export class ApiModule {}
