import { InjectQueue } from '@nestjs/bull';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type Job, type Queue } from 'bull';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { DeliveryService } from '@inbox/delivery';
import {
  channelQueueJob,
  DELIVERY_QUEUE,
  deliveryJobId,
  isRateLimitedChannel,
  JobName,
  JobProducer,
  parseJobPayload,
  processJobs,
  QueueName,
  type RateLimitedChannel,
  RepeatableJobs,
} from '@inbox/queue';

const SWEEP = 'sweep-queued-messages';

type Ref = { outboundMessageId?: string; botReplyId?: string };

/**
 * Delivers outbound messages and bot replies. Everything enters the common delivery queue (e-mail, ПОС and
 * МЭДО are sent from there); messenger sends move on to their channel's own queue, whose Bull limiter keeps
 * the channel's published rate per account (the job names it: two communities, two budgets), and whose retries
 * wait at least the channel's retry-after. A message whose job got lost in a crash is picked up by the sweep.
 */
@Injectable()
export class DeliveryWorker implements OnModuleInit {
  private readonly log = rootLogger.child('delivery-worker');

  constructor(
    @InjectQueue(QueueName.Delivery) private readonly queue: Queue,
    private readonly config: AppConfig,
    private readonly delivery: DeliveryService,
    private readonly jobs: JobProducer,
    private readonly repeatables: RepeatableJobs,
  ) {}

  onModuleInit(): void {
    const concurrency = this.config.workerConcurrency;
    // Each slot is a loop on the queue's blocking connection: routing bot replies and the per-channel queues
    // (throttled by their limiters anyway) need fewer than the common queue's sends.
    const few = Math.max(1, Math.floor(concurrency / 4));
    const half = Math.max(1, Math.floor(concurrency / 2));
    processJobs(this.queue, JobName.DeliverOutboundMessage, concurrency, (job) => this.route(job));
    processJobs(this.queue, JobName.DeliverBotReply, few, (job) => this.route(job));
    processJobs(this.queue, SWEEP, 1, () => this.sweep());
    this.queue.on('failed', (job, error) => this.onFailed(job, error));
    for (const channel of Object.keys(DELIVERY_QUEUE) as RateLimitedChannel[]) {
      const queue = this.jobs.queue(DELIVERY_QUEUE[channel]);
      processJobs(queue, JobName.DeliverOutboundMessage, half, (job) => this.send(job));
      processJobs(queue, JobName.DeliverBotReply, half, (job) => this.send(job));
      queue.on('failed', (job, error) => this.onFailed(job, error));
    }
    this.repeatables.keep(
      this.queue,
      SWEEP,
      {},
      { repeat: { every: this.config.pendingSweepMs }, removeOnComplete: true },
    );
  }

  /** Messenger sends go on to their channel's queue (same job id: a repeat is a no-op); others are sent here. */
  private async route(job: Job): Promise<string> {
    const ref = refOf(job);
    const through = await this.delivery.sendsThrough(ref);
    if (through && isRateLimitedChannel(through.kind)) {
      await this.toChannelQueue(through.kind, job.name as JobName, ref, through.accountId, String(job.id));
      return `routed to ${through.kind}`;
    }
    return this.send(job);
  }

  private async send(job: Job): Promise<string> {
    const ref = refOf(job);
    return ref.botReplyId
      ? this.delivery.deliverBotReply(ref.botReplyId)
      : this.delivery.deliver(ref.outboundMessageId!);
  }

  /**
   * On the channel's queue the job names its account, the limiter's group (LIMITER_GROUP_KEY). `again`: the
   * sweep's, past a finished job or a flush's husk holding the id (JobProducer.requeue).
   */
  private async toChannelQueue(
    kind: RateLimitedChannel,
    name: JobName,
    ref: Ref,
    accountId: string,
    jobId: string,
    again = false,
  ) {
    const queue = this.jobs.queue(DELIVERY_QUEUE[kind]);
    const { data, opts } = channelQueueJob(ref, accountId, jobId);
    if (again) await this.jobs.requeueTo(queue, name, data, opts);
    else await queue.add(name, data, opts);
  }

  /** After the last attempt the message is marked failed and shown on the appeal; the job is kept. */
  private onFailed(job: Job, error: Error): void {
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    this.log.warn('delivery attempt failed', {
      queue: job.queue.name,
      jobId: job.id,
      attempt: job.attemptsMade,
      final,
      reason: error,
    });
    if (!final) return;
    const reason = `после ${job.attemptsMade} попыток: ${error.message}`;
    if (job.name === JobName.DeliverOutboundMessage && typeof job.data?.outboundMessageId === 'string') {
      // Every retry failed on a temporary error: failed for now, tried again by itself later.
      void this.delivery.fail(job.data.outboundMessageId, reason, { temporary: true }).catch(() => undefined);
    } else if (job.name === JobName.DeliverBotReply && typeof job.data?.botReplyId === 'string') {
      void this.delivery
        .failBotReply(job.data.botReplyId, reason, { temporary: true })
        .catch(() => undefined);
    }
  }

  /** Straight to the right queue: a routed job may still sit completed in the common one under the same id. */
  private async sweep(): Promise<{ requeued: number; retried: number }> {
    // Queued for longer than a sweep's interval: its job may have been refused or lost by Redis (out of memory,
    // flushed) — the same measure as the intake's. A minute here kept a 20 s outage's notices waiting 40 s more.
    // A job that is there after all (waiting, delayed, active) keeps its id, the row's current one (deliveryJobId:
    // its round and a person's retries), and nothing is added beside it.
    const rows = await this.delivery.stranded(this.config.pendingSweepMs);
    for (const r of rows) {
      const ref: Ref = r.what === 'bot-reply' ? { botReplyId: r.id } : { outboundMessageId: r.id };
      const name = r.what === 'bot-reply' ? JobName.DeliverBotReply : JobName.DeliverOutboundMessage;
      await this.enqueue(name, ref, deliveryJobId(r.id, r.round, r.retries));
    }
    // A new round for messages failed on an outage: a job id of their own (the failed job keeps the one before).
    const retried = await this.delivery.requeueDueRetries();
    for (const r of retried) {
      await this.enqueue(
        JobName.DeliverOutboundMessage,
        { outboundMessageId: r.id },
        deliveryJobId(r.id, r.round, r.retries),
      );
    }
    const replies = await this.delivery.requeueDueBotReplies();
    for (const r of replies) {
      await this.enqueue(JobName.DeliverBotReply, { botReplyId: r.id }, deliveryJobId(r.id, r.round));
    }
    if (retried.length + replies.length > 0)
      this.log.info('failed deliveries queued again', {
        messages: retried.length,
        botReplies: replies.length,
      });
    return { requeued: rows.length, retried: retried.length + replies.length };
  }

  private async enqueue(name: JobName, ref: Ref, jobId: string): Promise<void> {
    const through = await this.delivery.sendsThrough(ref);
    if (through && isRateLimitedChannel(through.kind))
      await this.toChannelQueue(through.kind, name, ref, through.accountId, jobId, true);
    else await this.jobs.requeueTo(this.queue, name, ref, { jobId });
  }
}

function refOf(job: Job): Ref {
  return job.name === JobName.DeliverBotReply
    ? parseJobPayload(JobName.DeliverBotReply, job.data)
    : parseJobPayload(JobName.DeliverOutboundMessage, job.data);
}
