import { Module } from '@nestjs/common';
import { ClockMarksRepository } from './clock-marks.repository';
import { ClockWatcher } from './clock-watcher.service';

/** Deadline clocks. Needs the global ConfigModule and DatabaseModule. */
@Module({
  providers: [ClockMarksRepository, ClockWatcher],
  exports: [ClockWatcher],
})
export class ClocksModule {}
