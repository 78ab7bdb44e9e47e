import { Module } from '@nestjs/common';
import { AccessModule } from '@inbox/access';
import { OrganisationsModule } from '@inbox/organisations';
import { RoutingRulesRepository } from './routing-rules.repository';
import { RoutingEngine, RoutingRules } from './routing-rules.service';

@Module({
  imports: [AccessModule, OrganisationsModule],
  providers: [RoutingRulesRepository, RoutingEngine, RoutingRules],
  exports: [RoutingEngine, RoutingRules],
})
export class RoutingModule {}
