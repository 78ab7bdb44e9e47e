import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Job, type Queue } from 'bull';
import { ClocksModule, ClockWatcher, type SweepResult } from '@inbox/clocks';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { JobName, parseJobPayload, QueueName, processJobs, RepeatableJobs } from '@inbox/queue';

/**
 * Sweeps the deadline clocks every CLOCK_WATCH_MS. Bull keys a repeatable job by name + interval, so every
 * worker adding it still makes one schedule; should two sweeps overlap anyway (a stalled job handed on),
 * the watcher records each mark once.
 */
@Injectable()
export class ClocksWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly log = rootLogger.child('clocks-worker');

  constructor(
    @InjectQueue(QueueName.Deadlines) private readonly queue: Queue,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(ClockWatcher) private readonly watcher: ClockWatcher,
    @Inject(RepeatableJobs) private readonly repeatables: RepeatableJobs,
  ) {}

  onModuleInit(): void {
    // One at a time per worker: a sweep is one set-based statement, parallel ones would only contend.
    processJobs(this.queue, JobName.WatchClocks, 1, (job) => this.watch(job));
    this.queue.on('failed', (job, error) => {
      if (job.name !== JobName.WatchClocks) return;
      this.log.warn('clock sweep failed', { jobId: job.id, attempt: job.attemptsMade, reason: error });
    });
    // A schedule left by an older interval would keep firing next to the new one: drop it (in the background,
    // so that the worker starts while Redis is away).
    this.dropStale().catch((error: unknown) =>
      this.log.warn('old clock schedules not dropped', { reason: error }),
    );
    this.repeatables.keep(
      this.queue,
      JobName.WatchClocks,
      {},
      // The next tick sweeps again, so a failed sweep is not retried.
      { repeat: { every: this.config.clockWatchMs }, attempts: 1, removeOnComplete: true, removeOnFail: 100 },
    );
  }

  private async dropStale(): Promise<void> {
    for (const r of await this.queue.getRepeatableJobs()) {
      if (r.name === JobName.WatchClocks && Number(r.every) !== this.config.clockWatchMs) {
        await this.queue.removeRepeatableByKey(r.key);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }

  private async watch(job: Job): Promise<SweepResult> {
    parseJobPayload(JobName.WatchClocks, job.data);
    // Up to the database's now(): this worker's clock may be skewed from the others' and the api's.
    return this.watcher.sweep();
  }
}

/** What the worker imports: the clocks library plus this processor. */
@Module({ imports: [ClocksModule], providers: [ClocksWorker] })
export class ClocksWorkerModule {}
