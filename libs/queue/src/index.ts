export * from './queues';
export * from './queue.module';
export * from './job-producer';
export * from './delivery-limits';
export * from './process-jobs';
export * from './queue-shutdown';
export * from './repeatable-jobs';
export * from './redis-options';
