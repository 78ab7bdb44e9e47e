export * from './clock-names';
export * from './clock-watcher.service';
export * from './clocks.module';
