import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { JobProducer } from './job-producer';
import { QueueName } from './queues';
import { clearSocketTimeoutOnClose } from './redis-options';

/**
 * Closes Bull in order, before anything else shuts down. First every queue stops taking jobs and its running
 * jobs finish (a delivery job may still route to a channel's queue, or wait out a chat's pacing), then every
 * queue closes, clearing its timers (the rate limiter's delay timer among them; each connection's socket timeout,
 * clearSocketTimeoutOnClose) and its connections. Nest's own per-queue close runs later, in onApplicationShutdown,
 * and finds them closed. Timers of our own (pulls, the outbox) stop earlier, in onModuleDestroy. So nothing touches
 * Redis once the process has shut down, with the production rate limits on, and nothing holds the process then.
 */
@Injectable()
export class QueueShutdown implements BeforeApplicationShutdown {
  private readonly log = rootLogger.child('queue');

  constructor(
    private readonly jobs: JobProducer,
    private readonly config: AppConfig,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    const queues = Object.values(QueueName).map((name) => this.jobs.queue(name));
    let timer: NodeJS.Timeout | undefined;
    const paused = Promise.allSettled(queues.map((q) => q.pause(true)));
    // A job that never ends would hold the shutdown for ever: after a lock's time it is left to another worker.
    const outcome = await Promise.race([
      paused.then(() => 'paused' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.config.queueLockMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.log.warn('jobs still running at shutdown; their locks will expire');
    // Closed with a command unanswered (the blocking fetch of the next job), a connection left a timer running.
    for (const client of queues.flatMap((q) => q.clients)) clearSocketTimeoutOnClose(client);
    await Promise.allSettled(queues.map((q) => q.close()));
  }
}
