import { Module } from '@nestjs/common';
import { AccessModule } from '@inbox/access';
import { OrganisationTreeService } from './organisation-tree';
import { RoutingEngine, RoutingRules } from './routing-rules.service';

@Module({
  imports: [AccessModule],
  providers: [RoutingEngine, RoutingRules, OrganisationTreeService],
  exports: [RoutingEngine, RoutingRules, OrganisationTreeService],
})
export class RoutingModule {}
