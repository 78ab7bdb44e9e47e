import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { type JobOptions, type Queue } from 'bull';
import { type JsonLogger, rootLogger } from '@inbox/common';
import { storedJobId } from './delivery-limits';
import { JOB_QUEUE, JobName, type JobPayloads, QueueName } from './queues';

/**
 * The job id of a delivery (an outbound message, a bot reply) as it stands: its automatic round (`round`, the sweep's
 * rounds after an outage) and how many times a person sent it again (`retries`, «Повторить»). Each new run of a
 * delivery is one of these, so every producer — the first enqueue, a round, the clerk's retry and the sweep that finds
 * it still queued — names the same job: a job still to run (waiting, delayed, active) keeps its id and a second add is
 * a no-op, never a second run beside it.
 */
export function deliveryJobId(id: string, round = 0, retries = 0): string {
  return `${id}${round > 0 ? `:round-${round}` : ''}${retries > 0 ? `:retry-${retries}` : ''}`;
}

/** A delivery's row as its job is named (deliveryJobId): its id, automatic round and a person's retries. */
export interface DeliveryRun {
  id: string;
  round: number;
  retries: number;
}

/** The one way to put work on a queue: the job name picks the queue and types the payload. */
@Injectable()
export class JobProducer {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(QueueName.Intake) intake: Queue,
    @InjectQueue(QueueName.Deadlines) deadlines: Queue,
    @InjectQueue(QueueName.Delivery) delivery: Queue,
    @InjectQueue(QueueName.DeliveryTelegram) deliveryTelegram: Queue,
    @InjectQueue(QueueName.DeliveryVk) deliveryVk: Queue,
    @InjectQueue(QueueName.DeliveryOk) deliveryOk: Queue,
    @InjectQueue(QueueName.Classification) classification: Queue,
    @InjectQueue(QueueName.Messengers) messengers: Queue,
  ) {
    this.queues = {
      [QueueName.Intake]: intake,
      [QueueName.Deadlines]: deadlines,
      [QueueName.Delivery]: delivery,
      [QueueName.DeliveryTelegram]: deliveryTelegram,
      [QueueName.DeliveryVk]: deliveryVk,
      [QueueName.DeliveryOk]: deliveryOk,
      [QueueName.Classification]: classification,
      [QueueName.Messengers]: messengers,
    };
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  async add<J extends JobName>(name: J, payload: JobPayloads[J], options: JobOptions = {}): Promise<void> {
    await this.queues[JOB_QUEUE[name]].add(name, payload, options);
  }

  /**
   * Delivery of what Postgres already owes (an outbound message, a bot reply), queued under its own id. A refusal
   * from Redis loses nothing: `log` warns (ids only) and the delivery sweep, which reads Postgres, queues it again.
   */
  async addDelivery<J extends JobName.DeliverOutboundMessage | JobName.DeliverBotReply>(
    name: J,
    payload: JobPayloads[J],
    log: JsonLogger,
  ): Promise<void> {
    const jobId = deliveryJobId(
      'outboundMessageId' in payload ? payload.outboundMessageId : payload.botReplyId,
    );
    await this.add(name, payload, { jobId }).catch((error: unknown) =>
      log.warn(`${name} not enqueued; the sweep will send it`, { ...payload, reason: error }),
    );
  }

  /**
   * As `addDelivery`, for outbound messages queued together (one round trip to Redis), each under its run's job id:
   * a message the sweep has queued in a later round, or a person retried, is not run a second time beside it.
   */
  async addMessageDeliveries(runs: DeliveryRun[], log: JsonLogger): Promise<void> {
    const name = JobName.DeliverOutboundMessage;
    await this.addBulk(
      name,
      runs.map((r) => ({
        payload: { outboundMessageId: r.id },
        options: { jobId: deliveryJobId(r.id, r.round, r.retries) },
      })),
    ).catch((error: unknown) =>
      log.warn(`${name} not enqueued; the sweep will send it`, {
        outboundMessageIds: runs.map((r) => r.id),
        reason: error,
      }),
    );
  }

  async addBulk<J extends JobName>(
    name: J,
    jobs: { payload: JobPayloads[J]; options?: JobOptions }[],
  ): Promise<void> {
    if (jobs.length === 0) return;
    await this.queues[JOB_QUEUE[name]].addBulk(jobs.map((j) => ({ name, data: j.payload, opts: j.options })));
  }

  /**
   * What a sweep found still owed in Postgres, queued again under the same job ids. A job id still held by a job
   * that will run (waiting, delayed, active) keeps it; one held by a finished job (completed or failed), or by a
   * husk, would turn the add into a no-op for good, so that job is removed first. A husk is what a FLUSHALL leaves
   * when it lands between Bull taking an id off the wait list and locking it: `moveToActive` writes `processedOn`
   * into the job's hash the flush took, so the id names a hash without name or data, which fails at once and is
   * kept among the failed. Every later add of that id (an inbound item, a message) was silently dropped.
   */
  async requeue<J extends JobName>(
    name: J,
    jobs: { payload: JobPayloads[J]; options?: JobOptions }[],
  ): Promise<void> {
    const queue = this.queues[JOB_QUEUE[name]];
    await Promise.all(jobs.map((j) => freeJobId(queue, name, j.options?.jobId, j.payload)));
    await this.addBulk(name, jobs);
  }

  /** One job of `requeue`, on a queue of the caller's choosing (a delivery channel's own queue). */
  async requeueTo(queue: Queue, name: string, data: object, options: JobOptions): Promise<void> {
    await freeJobId(queue, name, options.jobId, data);
    await queue.add(name, data, options);
  }

  /** Counts per queue, failed ones included, for the health endpoint. */
  async backlog(): Promise<Record<string, Record<string, number>>> {
    // One round trip per queue, all at once.
    const counts = await Promise.all(
      Object.entries(this.queues).map(
        async ([name, queue]) =>
          [name, (await queue.getJobCounts()) as unknown as Record<string, number>] as const,
      ),
    );
    return Object.fromEntries(counts);
  }
}

/** Removes a finished job or a husk holding `jobId` (see JobProducer.requeue); a job still to run stays. */
async function freeJobId(
  queue: Queue,
  name: string,
  jobId: JobOptions['jobId'],
  data: object,
): Promise<void> {
  if (jobId === undefined) return;
  const job = await queue.getJob(storedJobId(queue, jobId, data));
  if (!job) return;
  const state = await job.getState();
  const husk = job.name !== name || job.timestamp === undefined || Number.isNaN(job.timestamp);
  if (!husk && state !== 'completed' && state !== 'failed' && state !== 'stuck') return;
  try {
    await job.remove();
    rootLogger.child('queue').info('finished job freed its id for a sweep', {
      queue: queue.name,
      jobId: String(jobId),
      state,
      husk,
    });
  } catch (error) {
    // Locked by a worker that runs it right now: the next sweep looks again.
    rootLogger
      .child('queue')
      .warn('job id not freed', { queue: queue.name, jobId: String(jobId), reason: error });
  }
}
