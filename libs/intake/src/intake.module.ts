import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { INTAKE_ENTITIES } from './intake.entities';
import { InboundRetentionRepository } from './inbound-retention.repository';
import { InboundStore } from './inbound-store.service';
import { IntakeRepository } from './intake.repository';

@Module({
  imports: [TypeOrmModule.forFeature(INTAKE_ENTITIES)],
  providers: [IntakeRepository, InboundStore, InboundRetentionRepository],
  exports: [InboundStore, InboundRetentionRepository],
})
export class IntakeModule {}
