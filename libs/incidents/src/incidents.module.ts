import { Module } from '@nestjs/common';
import { AppealsModule } from '@inbox/appeals';
import { IncidentsRepository } from './incidents.repository';
import { Incidents } from './incidents.service';

/** Many appeals about one problem grouped into an incident, answered once. */
@Module({
  imports: [AppealsModule],
  providers: [IncidentsRepository, Incidents],
  exports: [Incidents, IncidentsRepository],
})
export class IncidentsModule {}
