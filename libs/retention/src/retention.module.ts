import { Module } from '@nestjs/common';
import { AppealsModule } from '@inbox/appeals';
import { QuarantinedInputsModule } from '@inbox/channels';
import { OutboundMessagesModule } from '@inbox/delivery';
import { IncidentsModule } from '@inbox/incidents';
import { IntakeModule } from '@inbox/intake';
import { PersonalDataRetention } from './personal-data-retention.service';

/** The personal data retention sweep over every lib that keeps a person's data (issue 14). */
@Module({
  imports: [AppealsModule, IncidentsModule, OutboundMessagesModule, IntakeModule, QuarantinedInputsModule],
  providers: [PersonalDataRetention],
  exports: [PersonalDataRetention],
})
export class RetentionModule {}
