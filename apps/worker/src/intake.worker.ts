import { InjectQueue } from '@nestjs/bull';
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Job, type Queue } from 'bull';
import { AppealRegistrar } from '@inbox/appeals';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { InboundStore } from '@inbox/intake';
import {
  InvalidJobPayloadError,
  JobName,
  parseJobPayload,
  QueueName,
  processJobs,
  RepeatableJobs,
} from '@inbox/queue';
import { ClassificationWorker } from './classification.worker';

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
    private readonly repeatables: RepeatableJobs,
    private readonly classification: ClassificationWorker,
  ) {}

  async onModuleInit(): Promise<void> {
    // Single-item jobs are the exception now (released dialogue items); batches carry the volume.
    processJobs(this.queue, JobName.NormaliseInboundItem, 2, (job) => this.normalise(job));
    processJobs(this.queue, JobName.NormaliseInboundBatch, this.config.workerConcurrency, (job) =>
      this.normaliseBatch(job),
    );
    processJobs(this.queue, JobName.SweepPendingItems, 1, (job) => this.sweep(job));
    this.queue.on('failed', (job, error) => this.onFailed(job, error));
    // Kept in Redis even after a flush (RepeatableJobs): the sweep re-enqueues what the flush lost.
    this.repeatables.keep(
      this.queue,
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
    if (outcome.kind === 'registered') this.wakeClassification();
    if (outcome.kind === 'quarantined') {
      this.log.warn('inbound item quarantined', { inboundItemId, reason: outcome.reason });
      return { kind: outcome.kind };
    }
    return { kind: outcome.kind, appealId: outcome.appealId };
  }

  /**
   * The batch's plain new appeals are registered together, the rest one by one (AppealRegistrar.registerBatch):
   * one item's failure doesn't hold the others, and the batch is retried for the failed ones only in effect (the
   * rest are found already processed).
   */
  private async normaliseBatch(job: Job): Promise<unknown> {
    const { inboundItemIds } = parseJobPayload(JobName.NormaliseInboundBatch, job.data);
    const counts: Record<string, number> = {};
    const failures: string[] = [];
    for (const [id, outcome] of await this.registrar.registerBatch(inboundItemIds)) {
      if (outcome instanceof Error) {
        failures.push(`${id}: ${outcome.message}`);
        continue;
      }
      counts[outcome.kind] = (counts[outcome.kind] ?? 0) + 1;
      if (outcome.kind === 'quarantined')
        this.log.warn('inbound item quarantined', { inboundItemId: id, reason: outcome.reason });
    }
    if (counts.registered) this.wakeClassification();
    if (failures.length > 0)
      throw new Error(`${failures.length} of ${inboundItemIds.length} items failed: ${failures[0]}`);
    return counts;
  }

  /** New appeals: this process's classification passes look for them now (CLASSIFY_ON_REGISTRATION). */
  private wakeClassification(): void {
    if (this.config.classifyOnRegistration) this.classification.registered();
  }

  private async sweep(job: Job): Promise<{ requeued: number }> {
    const { olderThanMs } = parseJobPayload(JobName.SweepPendingItems, job.data);
    const ids = await this.store.pendingOlderThan(olderThanMs);
    await this.store.enqueue(ids, { again: true });
    if (ids.length > 0) this.log.info('re-enqueued pending inbound items', { count: ids.length });
    // Failed on an outage that outlasted their jobs' retries: registered when it is over.
    const retried = await this.store.retryDueFailed();
    if (retried > 0) this.log.info('failed inbound items queued again', { count: retried });
    return { requeued: ids.length + retried };
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
    if (!final) return;
    const ids: unknown[] =
      job.name === JobName.NormaliseInboundItem
        ? [job.data?.inboundItemId]
        : job.name === JobName.NormaliseInboundBatch && Array.isArray(job.data?.inboundItemIds)
          ? job.data.inboundItemIds
          : [];
    // Only items still pending are marked: the batch's processed items stay processed.
    // An invalid payload is failed for good; anything else (an outage outlasting the retries) for now.
    const permanent = error instanceof InvalidJobPayloadError;
    for (const id of ids.filter((x): x is string => typeof x === 'string')) {
      void this.store.markFailed(id, error.message, { permanent }).catch(() => undefined);
    }
  }
}
