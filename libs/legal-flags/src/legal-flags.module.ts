import { Module } from '@nestjs/common';
import { AppealsModule } from '@inbox/appeals';
import { LegalFlagsRepository } from './legal-flags.repository';
import { LegalFlags } from './legal-flags.service';

/** 59-ФЗ flags raised for a person to confirm or dismiss. */
@Module({
  imports: [AppealsModule],
  providers: [LegalFlagsRepository, LegalFlags],
  exports: [LegalFlags],
})
export class LegalFlagsModule {}
