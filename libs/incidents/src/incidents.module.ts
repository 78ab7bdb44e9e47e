import { Module } from '@nestjs/common';
import { AppealsModule } from '@inbox/appeals';
import { IncidentMembership } from './incident-membership.command';
import { IncidentsRepository } from './incidents.repository';
import { Incidents } from './incidents.service';

/** Many appeals about one problem grouped into an incident, answered once. */
@Module({
  imports: [AppealsModule],
  providers: [IncidentsRepository, Incidents, IncidentMembership],
  exports: [Incidents, IncidentsRepository, IncidentMembership],
})
export class IncidentsModule {}
