import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { type JobOptions, type Queue } from 'bull';
import { JOB_QUEUE, JobName, type JobPayloads, QueueName } from './queues';

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

  async addBulk<J extends JobName>(
    name: J,
    jobs: { payload: JobPayloads[J]; options?: JobOptions }[],
  ): Promise<void> {
    if (jobs.length === 0) return;
    await this.queues[JOB_QUEUE[name]].addBulk(jobs.map((j) => ({ name, data: j.payload, opts: j.options })));
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
