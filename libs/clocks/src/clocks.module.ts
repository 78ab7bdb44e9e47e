import { Module } from '@nestjs/common';
import { ClockWatcher } from './clock-watcher.service';

/** Deadline clocks. Needs the global ConfigModule and DatabaseModule. */
@Module({
  providers: [ClockWatcher],
  exports: [ClockWatcher],
})
export class ClocksModule {}
