import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Job, type Queue } from 'bull';
import { AppealEventHooks } from '@inbox/channels';
import { Clock, rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import {
  KnowledgeGaps,
  KnowledgeModule,
  type KnowledgeSweepResult,
  KnowledgeWatcher,
} from '@inbox/knowledge';
import { JobName, parseJobPayload, processJobs, QueueName } from '@inbox/queue';

/**
 * The knowledge base in the worker: its clocks swept on the appeal clocks' schedule (CLOCK_WATCH_MS), and the
 * appeals' history followed for escalations flagged "no answer in the KB", each of which becomes a request
 * for the organisation it went to. The hook reads the history after the escalation committed, so a failure
 * here never holds up an escalation (a 15-minute clock), and a retry creates nothing twice.
 */
@Injectable()
export class KnowledgeWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly log = rootLogger.child('knowledge-worker');

  constructor(
    @InjectQueue(QueueName.Deadlines) private readonly queue: Queue,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(KnowledgeWatcher) private readonly watcher: KnowledgeWatcher,
    @Inject(KnowledgeGaps) private readonly gaps: KnowledgeGaps,
    @Inject(AppealEventHooks) private readonly hooks: AppealEventHooks,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    this.hooks.on('knowledge-gaps', '*', ['escalated'], async (e) => {
      await this.gaps.onEscalated(e);
    });
    processJobs(this.queue, JobName.WatchKnowledgeClocks, 1, (job) => this.watch(job));
    for (const r of await this.queue.getRepeatableJobs()) {
      if (r.name === JobName.WatchKnowledgeClocks && Number(r.every) !== this.config.clockWatchMs) {
        await this.queue.removeRepeatableByKey(r.key);
      }
    }
    await this.queue.add(
      JobName.WatchKnowledgeClocks,
      {},
      { repeat: { every: this.config.clockWatchMs }, attempts: 1, removeOnComplete: true, removeOnFail: 100 },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }

  private async watch(job: Job): Promise<KnowledgeSweepResult> {
    parseJobPayload(JobName.WatchKnowledgeClocks, job.data);
    try {
      return await this.watcher.sweep(this.clock.now());
    } catch (error) {
      this.log.warn('knowledge clock sweep failed', { reason: error });
      throw error;
    }
  }
}

@Module({ imports: [KnowledgeModule], providers: [KnowledgeWorker] })
export class KnowledgeWorkerModule {}
