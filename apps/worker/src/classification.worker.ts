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
import { Incidents } from '@inbox/incidents';
import { JobName, parseJobPayload, processJobs, QueueName, RepeatableJobs } from '@inbox/queue';
import { PassRunner } from './pass-runner';
import { RepeatingTimer } from './repeating-timer';

/** The bootstrap retraining's job id: while it waits or runs, unclassified items wait for its model. */
export const BOOTSTRAP_JOB_ID = 'classifier-bootstrap';

/**
 * Classification in the pipeline, in passes over batches: each pass claims up to CLASSIFY_BATCH appeals the
 * pipeline has not been through (their rows locked, skipped by any other pass, so no appeal is taken twice)
 * and classifies, fast-tracks, routes, flags and groups them set-based in one transaction. The pending rows
 * are the queue: this process's registrations wake its passes at once (IntakeWorker calls `registered`; a
 * running pass looks again, see PassRunner), a full batch starts another pass (up to CLASSIFY_PASSES), and an
 * idle worker looks every CLASSIFY_POLL_MS for appeals another process registered (the api's form, an
 * import); the sweep wakes the passes too. A pass takes what is there — it never waits to fill a batch.
 * (Issue 18: the wake was a history consumer, an outbox row for every registered appeal — inserted, leased
 * and deleted, its index entries and its claims — for a signal the poll gives within CLASSIFY_POLL_MS.)
 * Incidents are grouped after, by one grouping pass at a time per worker (up to CLUSTER_BATCH appeals each,
 * woken by every classification pass and by the poll), so routing never waits on an incident's buckets.
 * A clerk's 'classified', 'escalated' or 'returned' is recorded as feedback. Retraining runs on a cron
 * schedule, when an administrator asks, and once at first start when there is no model.
 */
@Injectable()
export class ClassificationWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly log = rootLogger.child('classification-worker');
  private bootstrapCheck?: { pending: Promise<boolean>; at: number };
  private scheduling?: Promise<void>;
  private readonly passes: PassRunner;
  /** The grouping pass running, if any, and whether it is to look again once done. */
  private grouping?: Promise<void>;
  private groupAgain = false;
  /** An idle worker looks for appeals another process registered (and keys waiting to be grouped). */
  private readonly poll = new RepeatingTimer(
    async () => {
      if (this.passes.size === 0) this.passes.wake();
      this.wakeGrouping();
    },
    (error) => this.log.warn('classification poll failed', { reason: error }),
  );
  private stopping = false;

  constructor(
    @InjectQueue(QueueName.Classification) private readonly queue: Queue,
    private readonly config: AppConfig,
    private readonly hooks: AppealEventHooks,
    private readonly pipeline: ClassificationPipeline,
    private readonly feedback: ClerkFeedback,
    private readonly retrainer: Retrainer,
    private readonly registry: ModelRegistry,
    private readonly repeatables: RepeatableJobs,
    private readonly incidents: Incidents,
  ) {
    this.passes = new PassRunner((batch) => this.pass(batch), {
      batch: config.classifyBatch,
      maxPasses: config.classifyPasses,
      onError: (error) => this.log.warn('classification pass failed', { reason: error }),
    });
  }

  onModuleInit(): void {
    this.hooks.on('classification-feedback', '*', ['classified', 'escalated', 'returned'], (e) =>
      this.feedback.handle(e),
    );
    processJobs(this.queue, JobName.ClassifyAppeal, this.config.workerConcurrency, (job) =>
      this.classify(job),
    );
    processJobs(this.queue, JobName.SweepUnclassified, 1, (job) => this.sweep(job));
    this.poll.start(this.config.classifyPollMs);
    this.passes.wake();
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
    this.stopping = true;
    await this.poll.stop();
    await Promise.all([this.scheduling, this.passes.stop()]);
    await this.grouping;
  }

  /** Appeals were registered in this process: a pass looks for them now, not at the next poll. */
  registered(): void {
    this.passes.wake();
  }

  /** One pass (PassRunner): how many appeals it took, or 'stop' while the bootstrap model is awaited. */
  private async pass(batch: number): Promise<number | 'stop'> {
    if (!(await this.registry.promoted()) && (await this.bootstrapPending())) return 'stop';
    const outcomes = await this.pipeline.processPending(batch, {
      deferWithoutModel: () => this.bootstrapPending(),
    });
    if (outcomes.size > 0) this.wakeGrouping();
    return [...outcomes.values()].some((o) => o.kind === 'deferred') ? 'stop' : outcomes.size;
  }

  /** Starts the grouping pass, or has the running one look again when it is done. */
  private wakeGrouping(): void {
    if (this.stopping) return;
    if (this.grouping) {
      this.groupAgain = true;
      return;
    }
    const run: Promise<void> = this.group()
      .catch((error: unknown) => this.log.warn('incident grouping pass failed', { reason: error }))
      .finally(() => {
        if (this.grouping === run) this.grouping = undefined;
      });
    this.grouping = run;
  }

  /** Grouping passes one after another while keys wait (a full batch means more may be waiting). */
  private async group(): Promise<void> {
    const batch = this.config.clusterBatch;
    do {
      this.groupAgain = false;
      while (!this.stopping) {
        const { claimed } = await this.incidents.clusterPending(batch);
        if (claimed < batch) break;
      }
    } while (this.groupAgain && !this.stopping);
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

  /** A classify job of one appeal (queued by an earlier version, or by hand): one pass over it. */
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
    // The passes take the oldest pending appeals first: waking them is enough.
    const ids = await this.pipeline.stalePending(olderThanMs);
    if (ids.length > 0) this.log.info('unclassified appeals left over: passes woken', { count: ids.length });
    this.passes.wake();
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
@Module({
  imports: [ClassificationModule],
  providers: [ClassificationWorker],
  exports: [ClassificationWorker],
})
export class ClassificationWorkerModule {}
