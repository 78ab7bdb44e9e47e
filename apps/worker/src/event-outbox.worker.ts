import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppealEventHooks } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { RepeatingTimer } from './repeating-timer';

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
  private readonly timer = new RepeatingTimer(
    () => this.hooks.startDue(),
    (error) => this.log.warn('outbox tick failed', { reason: error }),
  );

  constructor(
    private readonly hooks: AppealEventHooks,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer.start(this.config.eventHookPollMs);
  }

  /** First thing at shutdown, while the queues its hooks enqueue into are still open. */
  async onModuleDestroy(): Promise<void> {
    await this.timer.stop();
    await this.hooks.stop();
  }
}
