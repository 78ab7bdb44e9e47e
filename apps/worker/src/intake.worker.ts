import { InjectQueue } from '@nestjs/bull';
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Job, type Queue } from 'bull';
import { AppealRegistrar } from '@inbox/appeals';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { InboundStore } from '@inbox/intake';
import { InvalidJobPayloadError, JobName, parseJobPayload, QueueName, processJobs } from '@inbox/queue';

/**
 * Intake processors. Thin: validate the payload, call the domain service, log ids only. Concurrency comes
 * from config, so processors are registered here rather than with decorators.
 */
@Injectable()
export class IntakeWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly log = rootLogger.child('intake-worker');

  constructor(
    @InjectQueue(QueueName.Intake) private readonly queue: Queue,
    private readonly config: AppConfig,
    private readonly registrar: AppealRegistrar,
    private readonly store: InboundStore,
  ) {}

  async onModuleInit(): Promise<void> {
    processJobs(this.queue, JobName.NormaliseInboundItem, this.config.workerConcurrency, (job) =>
      this.normalise(job),
    );
    processJobs(this.queue, JobName.SweepPendingItems, 1, (job) => this.sweep(job));
    this.queue.on('failed', (job, error) => this.onFailed(job, error));
    // A repeatable job is keyed by name + interval, so every worker adding it still makes one schedule.
    await this.queue.add(
      JobName.SweepPendingItems,
      { olderThanMs: this.config.pendingSweepMs },
      { repeat: { every: this.config.pendingSweepMs }, removeOnComplete: true, removeOnFail: 100 },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }

  private async normalise(job: Job): Promise<unknown> {
    const { inboundItemId } = parseJobPayload(JobName.NormaliseInboundItem, job.data);
    const outcome = await this.registrar.registerInboundItem(inboundItemId);
    if (outcome.kind === 'quarantined') {
      this.log.warn('inbound item quarantined', { inboundItemId, reason: outcome.reason });
      return { kind: outcome.kind };
    }
    return { kind: outcome.kind, appealId: outcome.appealId };
  }

  private async sweep(job: Job): Promise<{ requeued: number }> {
    const { olderThanMs } = parseJobPayload(JobName.SweepPendingItems, job.data);
    const ids = await this.store.pendingOlderThan(olderThanMs);
    await this.store.enqueue(ids);
    if (ids.length > 0) this.log.info('re-enqueued pending inbound items', { count: ids.length });
    return { requeued: ids.length };
  }

  /** After the last attempt the item is marked failed with the reason: kept and visible, never dropped. */
  private onFailed(job: Job, error: Error): void {
    const final = error instanceof InvalidJobPayloadError || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.log.warn('job failed', {
      job: job.name,
      jobId: job.id,
      attempt: job.attemptsMade,
      final,
      reason: error,
    });
    if (final && job.name === JobName.NormaliseInboundItem && typeof job.data?.inboundItemId === 'string') {
      void this.store.markFailed(job.data.inboundItemId, error.message).catch(() => undefined);
    }
  }
}
