import { Module } from '@nestjs/common';
import { AppealsModule } from '@inbox/appeals';
import { Incidents } from './incidents.service';

/** Many appeals about one problem grouped into an incident, answered once. */
@Module({ imports: [AppealsModule], providers: [Incidents], exports: [Incidents] })
export class IncidentsModule {}
