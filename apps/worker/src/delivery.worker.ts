import { InjectQueue } from '@nestjs/bull';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type Job, type Queue } from 'bull';
import { DataSource } from 'typeorm';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { DeliveryService } from '@inbox/delivery';
import { JobName, JobProducer, parseJobPayload, QueueName } from '@inbox/queue';

const SWEEP = 'sweep-queued-messages';

/** Delivers outbound messages; a message whose job got lost in a crash is picked up by the sweep. */
@Injectable()
export class DeliveryWorker implements OnModuleInit {
  private readonly log = rootLogger.child('delivery-worker');

  constructor(
    @InjectQueue(QueueName.Delivery) private readonly queue: Queue,
    private readonly config: AppConfig,
    private readonly delivery: DeliveryService,
    private readonly dataSource: DataSource,
    private readonly jobs: JobProducer,
  ) {}

  async onModuleInit(): Promise<void> {
    void this.queue.process(JobName.DeliverOutboundMessage, this.config.workerConcurrency, (job) =>
      this.deliver(job),
    );
    void this.queue.process(SWEEP, 1, () => this.sweep());
    this.queue.on('failed', (job, error) => {
      const final = job.attemptsMade >= (job.opts.attempts ?? 1);
      this.log.warn('delivery attempt failed', {
        jobId: job.id,
        attempt: job.attemptsMade,
        final,
        reason: error,
      });
      if (
        final &&
        job.name === JobName.DeliverOutboundMessage &&
        typeof job.data?.outboundMessageId === 'string'
      ) {
        void this.delivery.fail(
          job.data.outboundMessageId,
          `после ${job.attemptsMade} попыток: ${error.message}`,
        );
      }
    });
    await this.queue.add(
      SWEEP,
      {},
      { repeat: { every: this.config.pendingSweepMs }, removeOnComplete: true },
    );
  }

  private async deliver(job: Job): Promise<string> {
    const { outboundMessageId } = parseJobPayload(JobName.DeliverOutboundMessage, job.data);
    return this.delivery.deliver(outboundMessageId);
  }

  private async sweep(): Promise<{ requeued: number }> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM outbound_messages WHERE status = 'queued' AND created_at < now() - interval '1 minute'
        ORDER BY created_at LIMIT 1000`,
    )) as { id: string }[];
    for (const r of rows) {
      await this.jobs.add(JobName.DeliverOutboundMessage, { outboundMessageId: r.id }, { jobId: r.id });
    }
    return { requeued: rows.length };
  }
}
