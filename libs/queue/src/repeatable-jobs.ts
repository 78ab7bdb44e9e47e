import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type JobOptions, type Queue } from 'bull';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { processJobs } from './process-jobs';

interface Schedule {
  queue: Queue;
  name: string;
  data: object;
  options: JobOptions & { repeat: NonNullable<JobOptions['repeat']> };
}

/**
 * The worker's Bull schedules (the sweeps that re-enqueue what is stored in Postgres but has no job, the clock
 * watch…), kept in place. A repeatable job lives in Redis only: a flushed or replaced Redis loses it, and with
 * it the sweep that would re-enqueue everything else the flush lost. So each schedule is added at start without
 * waiting on Redis (a worker boots while Redis is down) and added again every PENDING_SWEEP_MS; Bull keys a
 * repeatable job by name and interval, so adding one that exists changes nothing, and every worker adding it
 * still makes one schedule. The timer stops first at shutdown (onModuleDestroy), before the queues close.
 */
@Injectable()
export class RepeatableJobs implements OnModuleDestroy {
  private readonly log = rootLogger.child('queue');
  private readonly schedules: Schedule[] = [];
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopping = false;

  constructor(private readonly config: AppConfig) {}

  /** Adds the schedule now (in the background) and keeps it there. */
  keep(queue: Queue, name: string, data: object, options: Schedule['options']): void {
    this.schedules.push({ queue, name, data, options });
    this.schedule(0);
  }

  /**
   * A sweep every `everyMs`: its processor (one at a time per worker) and its schedule, kept under its name as the
   * job id, the last 50 failures kept for a look.
   */
  sweep(queue: Queue, name: string, everyMs: number, work: () => Promise<unknown>): void {
    processJobs(queue, name, 1, work);
    this.keep(
      queue,
      name,
      {},
      { repeat: { every: everyMs }, jobId: name, removeOnComplete: true, removeOnFail: 50 },
    );
  }

  /** A round waiting on an unreachable Redis is not waited for longer than a lock's time. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.round,
      new Promise((resolve) => {
        timer = setTimeout(resolve, this.config.queueLockMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.round = this.ensure().finally(() => this.schedule(this.config.pendingSweepMs));
    }, delayMs);
  }

  private async ensure(): Promise<void> {
    await Promise.all(
      this.schedules.map(async (s) => {
        try {
          await s.queue.add(s.name, s.data, s.options);
        } catch (error) {
          this.log.warn('schedule not set; tried again later', {
            queue: s.queue.name,
            job: s.name,
            reason: error,
          });
        }
      }),
    );
  }
}
