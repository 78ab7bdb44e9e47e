import { BullModule } from '@nestjs/bull';
import { type DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@inbox/config';
import { queueLimiter, RETRY_AFTER_BACKOFF, retryAfterBackoff } from './delivery-limits';
import { QueueName } from './queues';
import { JobProducer } from './job-producer';
import { QueueShutdown } from './queue-shutdown';
import { bullRedisOptions } from './redis-options';
import { RepeatableJobs } from './repeatable-jobs';

/**
 * Bull over Redis. Failed jobs are kept (removeOnFail: false) so that nothing is dropped silently: they
 * show on /health and can be retried; completed jobs are trimmed to keep Redis small.
 */
@Module({})
export class QueueModule {
  static forRoot(): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            redis: bullRedisOptions(config.redisUrl),
            prefix: config.queuePrefix,
            settings: {
              backoffStrategies: { [RETRY_AFTER_BACKOFF]: retryAfterBackoff },
              lockDuration: config.queueLockMs,
              stalledInterval: Math.max(1000, config.queueLockMs / 2),
              // A job whose worker died is handed to another; a few deaths in a row still don't fail it.
              maxStalledCount: 5,
            },
            defaultJobOptions: {
              attempts: config.jobAttempts,
              backoff: { type: 'exponential', delay: 1000 },
              removeOnComplete: 1000,
              removeOnFail: false,
            },
          }),
        }),
        BullModule.registerQueueAsync(
          ...Object.values(QueueName).map((name) => ({
            name,
            inject: [AppConfig],
            // Per-channel send rates (delivery-limits.ts); on in production and in the tests alike.
            useFactory: (config: AppConfig) => ({
              limiter: config.deliveryRateLimits ? queueLimiter(name) : undefined,
            }),
          })),
        ),
      ],
      providers: [JobProducer, QueueShutdown, RepeatableJobs],
      exports: [BullModule, JobProducer, RepeatableJobs],
    };
  }
}
