import { InjectQueue } from '@nestjs/bull';
import { Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Job, type Queue } from 'bull';
import { AppealEventHooks } from '@inbox/channels';
import {
  ClassificationModule,
  ClassificationPipeline,
  ClerkFeedback,
  ModelRegistry,
  Retrainer,
} from '@inbox/classification';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { JobName, JobProducer, parseJobPayload, processJobs, QueueName, RepeatableJobs } from '@inbox/queue';

/** The bootstrap retraining's job id: while it waits or runs, unclassified items wait for its model. */
export const BOOTSTRAP_JOB_ID = 'classifier-bootstrap';
const CLASSIFY_JOB_PREFIX = 'classify:';

/**
 * Classification in the pipeline. A hook on the appeals' history turns each 'registered' event into a
 * classify job (the model runs in-process: a prediction takes well under a millisecond, the rest is a few
 * statements); a clerk's 'classified', 'escalated' or 'returned' is recorded as feedback. A sweep
 * re-enqueues appeals left pending (a lost job, items registered before the hooks started). Retraining
 * runs on a cron schedule, when an administrator asks, and once at first start when there is no model.
 */
@Injectable()
export class ClassificationWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly log = rootLogger.child('classification-worker');
  private bootstrapCheck?: { pending: Promise<boolean>; at: number };
  private scheduling?: Promise<void>;

  constructor(
    @InjectQueue(QueueName.Classification) private readonly queue: Queue,
    private readonly config: AppConfig,
    private readonly jobs: JobProducer,
    private readonly hooks: AppealEventHooks,
    private readonly pipeline: ClassificationPipeline,
    private readonly feedback: ClerkFeedback,
    private readonly retrainer: Retrainer,
    private readonly registry: ModelRegistry,
    private readonly repeatables: RepeatableJobs,
  ) {}

  onModuleInit(): void {
    this.hooks.on('classification', '*', ['registered'], (e) => this.enqueue([e.appealId]));
    this.hooks.on('classification-feedback', '*', ['classified', 'escalated', 'returned'], (e) =>
      this.feedback.handle(e),
    );
    processJobs(this.queue, JobName.ClassifyAppeal, this.config.workerConcurrency, (job) =>
      this.classify(job),
    );
    processJobs(this.queue, JobName.SweepUnclassified, 1, (job) => this.sweep(job));
    // Training is CPU-bound and exclusive (an advisory lock): one at a time per worker.
    processJobs(this.queue, JobName.RetrainClassifier, 1, (job) => this.retrain(job));
    this.queue.on('failed', (job, error) => {
      this.log.warn('classification job failed', {
        job: job.name,
        jobId: job.id,
        attempt: job.attemptsMade,
        final: job.attemptsMade >= (job.opts.attempts ?? 1),
        reason: error,
      });
    });
    // Schedules are set up in the background: the worker's start does not wait on them (nor on Redis).
    this.scheduling = this.schedule().catch((error: unknown) =>
      this.log.warn('classification schedules not set up', { reason: error }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.scheduling;
  }

  /** The sweep, the retraining cron, and a bootstrap retraining when there is no model yet. */
  private async schedule(): Promise<void> {
    for (const r of await this.queue.getRepeatableJobs()) {
      const stale =
        (r.name === JobName.SweepUnclassified && Number(r.every) !== this.config.pendingSweepMs) ||
        (r.name === JobName.RetrainClassifier && r.cron !== this.config.classifierRetrainCron);
      if (stale) await this.queue.removeRepeatableByKey(r.key);
    }
    this.repeatables.keep(
      this.queue,
      JobName.SweepUnclassified,
      { olderThanMs: this.config.pendingSweepMs },
      {
        repeat: { every: this.config.pendingSweepMs },
        attempts: 1,
        removeOnComplete: true,
        removeOnFail: 100,
      },
    );
    if (this.config.classifierRetrainCron !== 'off') {
      this.repeatables.keep(
        this.queue,
        JobName.RetrainClassifier,
        { reason: 'schedule' },
        {
          repeat: { cron: this.config.classifierRetrainCron },
          attempts: 1,
          removeOnComplete: 50,
          removeOnFail: 50,
        },
      );
    }
    if (
      this.config.classifierBootstrap &&
      !(await this.registry.promoted()) &&
      (await this.retrainer.canBootstrap())
    ) {
      await this.queue.add(
        JobName.RetrainClassifier,
        { reason: 'bootstrap' },
        { jobId: BOOTSTRAP_JOB_ID, attempts: 1, removeOnComplete: true, removeOnFail: true },
      );
      this.log.info('no promoted topic model: bootstrap training queued');
    }
  }

  /** `again`: the sweep's, past a finished job or a flush's husk holding the id (JobProducer.requeue). */
  private async enqueue(appealIds: string[], again = false): Promise<void> {
    await this.jobs[again ? 'requeue' : 'addBulk'](
      JobName.ClassifyAppeal,
      appealIds.map((appealId) => ({
        payload: { appealId },
        // Completed jobs go away, so that the sweep can enqueue an appeal again if it is still pending.
        options: { jobId: `${CLASSIFY_JOB_PREFIX}${appealId}`, removeOnComplete: true },
      })),
    );
  }

  private async classify(job: Job): Promise<unknown> {
    const { appealId } = parseJobPayload(JobName.ClassifyAppeal, job.data);
    const outcome = await this.pipeline.process(appealId, {
      deferWithoutModel: () => this.bootstrapPending(),
    });
    return outcome.kind === 'done'
      ? {
          kind: outcome.kind,
          classification: outcome.classification,
          fastTracked: outcome.fastTracked,
          flags: outcome.flags,
          incidentId: outcome.incidentId ?? null,
        }
      : { kind: outcome.kind };
  }

  private async sweep(job: Job): Promise<{ requeued: number }> {
    const { olderThanMs } = parseJobPayload(JobName.SweepUnclassified, job.data);
    if (!(await this.registry.promoted()) && (await this.bootstrapPending())) return { requeued: 0 };
    const ids = await this.pipeline.stalePending(olderThanMs);
    await this.enqueue(ids, true);
    if (ids.length > 0) this.log.info('re-enqueued unclassified appeals', { count: ids.length });
    return { requeued: ids.length };
  }

  private async retrain(job: Job): Promise<unknown> {
    const { reason, requestedBy } = parseJobPayload(JobName.RetrainClassifier, job.data);
    if (reason === 'bootstrap' && (await this.registry.promoted())) return { outcome: 'skipped' };
    const outcome = await this.retrainer.retrain(reason, {
      requestedBy,
      onProgress: (percent) => void job.progress(percent).catch(() => undefined),
    });
    this.bootstrapCheck = undefined;
    return outcome.outcome === 'promoted' || outcome.outcome === 'rejected'
      ? { outcome: outcome.outcome, modelId: outcome.modelId }
      : { outcome: outcome.outcome };
  }

  /** Whether the bootstrap model is still waiting or training (checked at most once a second). */
  private bootstrapPending(): Promise<boolean> {
    if (!this.bootstrapCheck || Date.now() - this.bootstrapCheck.at > 1000) {
      const pending = (async () => {
        const job = await this.queue.getJob(BOOTSTRAP_JOB_ID);
        if (!job) return false;
        return ['waiting', 'active', 'delayed', 'paused'].includes(await job.getState());
      })();
      this.bootstrapCheck = { pending, at: Date.now() };
    }
    return this.bootstrapCheck.pending;
  }
}

/** What the worker imports: the classification library plus this processor. */
@Module({ imports: [ClassificationModule], providers: [ClassificationWorker] })
export class ClassificationWorkerModule {}
