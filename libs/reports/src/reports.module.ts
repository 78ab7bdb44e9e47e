import { Module } from '@nestjs/common';
import { ReportsRepository } from './reports.repository';
import { Reports } from './reports.service';

/** The dashboard and reports read model. Needs the global DatabaseModule. */
@Module({
  providers: [ReportsRepository, Reports],
  exports: [Reports],
})
export class ReportsModule {}
