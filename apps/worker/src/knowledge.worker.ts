import { Inject, Injectable, Module } from '@nestjs/common';
import { AppealEventHooks } from '@inbox/channels';
import { AppConfig } from '@inbox/config';
import { KnowledgeGaps, KnowledgeModule, KnowledgeWatcher } from '@inbox/knowledge';
import { SweepWorker } from './repeating-timer';

/**
 * The knowledge base in the worker. Its clocks are swept every CLOCK_WATCH_MS on a timer in each worker (as
 * the channel pulls are, so no Bull delayed job outlives a shutdown); the sweep records each mark once however
 * many workers run it. The appeals' history is followed for escalations flagged "no answer in the KB", each of
 * which becomes a request for the organisation it went to: the hook reads the history after the escalation
 * committed, so a failure here never holds up an escalation (a 15-minute clock), and a retry creates nothing
 * twice.
 */
@Injectable()
export class KnowledgeWorker extends SweepWorker {
  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(KnowledgeWatcher) watcher: KnowledgeWatcher,
    @Inject(KnowledgeGaps) private readonly gaps: KnowledgeGaps,
    @Inject(AppealEventHooks) private readonly hooks: AppealEventHooks,
  ) {
    super({
      log: 'knowledge-worker',
      failure: 'knowledge clock sweep failed',
      everyMs: config.clockWatchMs,
      // Up to the database's now(): this worker's clock may be skewed from the others' and the api's.
      run: () => watcher.sweep(),
    });
  }

  override onModuleInit(): void {
    this.hooks.on('knowledge-gaps', '*', ['escalated'], async (e) => {
      await this.gaps.onEscalated(e);
    });
    super.onModuleInit();
  }
}

@Module({ imports: [KnowledgeModule], providers: [KnowledgeWorker] })
export class KnowledgeWorkerModule {}
