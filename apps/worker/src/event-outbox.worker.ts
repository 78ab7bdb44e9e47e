import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppealEventHooks } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';

/**
 * Runs the history outbox's consumers (citizen notices, ПОС statuses, МЭДО receipts, classification…) on a timer
 * in every worker: the outbox is in Postgres, so this goes on while Redis is down or was flushed, and the
 * consumers' transaction-level locks share the work between workers. Each tick only starts the consumers with
 * due rows; a slow one holds back only itself. The timer stops with the worker and the runs are awaited, so
 * nothing touches the database after shutdown.
 */
@Injectable()
export class EventOutboxWorker implements OnModuleInit, OnModuleDestroy {
  private readonly log = rootLogger.child('event-outbox');
  private timer?: NodeJS.Timeout;
  private tick?: Promise<unknown>;
  private stopping = false;

  constructor(
    private readonly hooks: AppealEventHooks,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.schedule();
  }

  /** First thing at shutdown, while the queues its hooks enqueue into are still open. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.tick;
    await this.hooks.stop();
  }

  private schedule(): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.tick = this.hooks
        .startDue()
        .catch((error: unknown) => this.log.warn('outbox tick failed', { reason: error }))
        .finally(() => this.schedule());
    }, this.config.eventHookPollMs);
  }
}
