import { Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppealEventHooks } from '@inbox/channels';
import { Clock, rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { KnowledgeGaps, KnowledgeModule, KnowledgeWatcher } from '@inbox/knowledge';
import { RepeatingTimer } from './repeating-timer';

/**
 * The knowledge base in the worker. Its clocks are swept every CLOCK_WATCH_MS on a timer in each worker (as
 * the channel pulls are, so no Bull delayed job outlives a shutdown); the sweep records each mark once however
 * many workers run it. The appeals' history is followed for escalations flagged "no answer in the KB", each of
 * which becomes a request for the organisation it went to: the hook reads the history after the escalation
 * committed, so a failure here never holds up an escalation (a 15-minute clock), and a retry creates nothing
 * twice.
 */
@Injectable()
export class KnowledgeWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly log = rootLogger.child('knowledge-worker');
  private readonly timer = new RepeatingTimer(
    () => this.watcher.sweep(this.clock.now()),
    (error) => this.log.warn('knowledge clock sweep failed', { reason: error }),
  );

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(KnowledgeWatcher) private readonly watcher: KnowledgeWatcher,
    @Inject(KnowledgeGaps) private readonly gaps: KnowledgeGaps,
    @Inject(AppealEventHooks) private readonly hooks: AppealEventHooks,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.hooks.on('knowledge-gaps', '*', ['escalated'], async (e) => {
      await this.gaps.onEscalated(e);
    });
    this.timer.start(this.config.clockWatchMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.timer.stop();
  }
}

@Module({ imports: [KnowledgeModule], providers: [KnowledgeWorker] })
export class KnowledgeWorkerModule {}
