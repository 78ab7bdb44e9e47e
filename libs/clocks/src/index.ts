export * from './clock-names';
export * from './clock-marks.repository';
export * from './clock-watcher.service';
export * from './clocks.module';
