import { InjectQueue } from '@nestjs/bull';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type Job, type Queue } from 'bull';
import { ChannelIntake, ChannelRegistry, type ConnectorKind, InboundEvents } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { JobName, parseJobPayload, processJobs, QueueName, RepeatableJobs } from '@inbox/queue';
import { DialogueAdmission } from './admission.service';
import { AttachmentFetcher, FetchLaterError } from './attachment-fetcher.service';

export const SWEEP_DIALOGUE = 'sweep-dialogue';

/**
 * The messengers' jobs in the worker: webhook events (button presses, ratings), the bot's admission of
 * dialogue items, media downloads, and a sweep that picks up what a crash left behind.
 */
@Injectable()
export class BotWorker implements OnModuleInit {
  private readonly log = rootLogger.child('bot-worker');

  constructor(
    @InjectQueue(QueueName.Messengers) private readonly queue: Queue,
    private readonly config: AppConfig,
    private readonly registry: ChannelRegistry,
    private readonly events: InboundEvents,
    private readonly intake: ChannelIntake,
    private readonly admission: DialogueAdmission,
    private readonly fetcher: AttachmentFetcher,
    private readonly repeatables: RepeatableJobs,
  ) {}

  onModuleInit(): void {
    // Every processing slot of a Bull queue is a loop on the queue's one blocking connection: keep them few.
    const concurrency = Math.max(1, Math.floor(this.config.workerConcurrency / 2));
    processJobs(this.queue, JobName.HandleInboundEvents, concurrency, (job) => this.handleEvents(job));
    processJobs(this.queue, JobName.AdmitDialogueItem, concurrency, async (job) => {
      const { inboundItemId } = parseJobPayload(JobName.AdmitDialogueItem, job.data);
      return { admission: await this.admission.admit(inboundItemId) };
    });
    // Downloads are slow and large: a few at a time per worker.
    processJobs(this.queue, JobName.FetchAttachment, Math.min(2, concurrency), async (job) => {
      const { attachmentId } = parseJobPayload(JobName.FetchAttachment, job.data);
      return { outcome: await this.fetcher.fetch(attachmentId) };
    });
    this.queue.on('failed', (job, error) => this.onFailed(job, error));
    // Kept in Redis even after a flush (RepeatableJobs): the sweep admits what the flush lost.
    this.repeatables.sweep(this.queue, SWEEP_DIALOGUE, this.config.pendingSweepMs, async () => ({
      ...(await this.admission.sweep()),
      media: await this.fetcher.sweep(),
      events: await this.intake.requeueDeferredEvents(this.config.pendingSweepMs),
    }));
  }

  private async handleEvents(job: Job): Promise<{ events: number }> {
    const { kind, accountId, events, deferredId } = parseJobPayload(JobName.HandleInboundEvents, job.data);
    // Answered through the account the events came to (an older job names none: the kind's default).
    const entry = await this.registry.accountOf(kind as ConnectorKind, accountId);
    // The channel or the account was switched off since: the events cannot be answered; the job retries, then
    // stays failed and visible.
    if (!entry)
      throw new Error(
        this.registry.notWorking(accountId) ?? `channel ${kind} is not configured in this worker`,
      );
    // The kept copy is whole: a rating's comment stays out of Redis (keptInDatabase).
    const kept = deferredId ? await this.intake.deferredEvents(deferredId) : undefined;
    await this.events.handle(kept ?? events, entry, { retry: true });
    if (deferredId) await this.intake.deferredEventsHandled(deferredId);
    return { events: events.length };
  }

  private onFailed(job: Job, error: Error): void {
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final && job.name === JobName.FetchAttachment && typeof job.data?.attachmentId === 'string') {
      // Neither the channel's hiccup (down, rate-limited) nor our own failure to keep the file (the database out
      // of disk or away) gives the citizen's photo up at once: the sweep fetches it again, a bounded number of
      // rounds further and further apart. The reason is the error's message only: a database error's detail may
      // quote the row (the file's bytes).
      const side = error instanceof FetchLaterError || error.name === 'FetchLaterError' ? 'channel' : 'ours';
      void this.fetcher
        .roundFailed(job.data.attachmentId, error.message.slice(0, 200), side)
        .catch((e: unknown) =>
          this.log.warn('failed attachment round not counted; the sweep tries again', {
            jobId: job.id,
            reason: e instanceof Error ? e.message.slice(0, 200) : 'unknown',
          }),
        );
    }
    if (final && job.name === JobName.AdmitDialogueItem) {
      this.log.warn('dialogue item not admitted; the sweep retries it', { jobId: job.id });
    }
  }
}
