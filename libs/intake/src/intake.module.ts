import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { INTAKE_ENTITIES } from './intake.entities';
import { InboundStore } from './inbound-store.service';

@Module({
  imports: [TypeOrmModule.forFeature(INTAKE_ENTITIES)],
  providers: [InboundStore],
  exports: [InboundStore],
})
export class IntakeModule {}
