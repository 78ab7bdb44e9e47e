import { Module } from '@nestjs/common';
import { LegalFlags } from './legal-flags.service';

/** 59-ФЗ flags raised for a person to confirm or dismiss. */
@Module({ providers: [LegalFlags], exports: [LegalFlags] })
export class LegalFlagsModule {}
