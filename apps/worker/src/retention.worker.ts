import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { PersonalDataRetention } from '@inbox/retention';

/**
 * Erases the personal data of appeals past the retention period every RETENTION_SWEEP_MS, on a timer in each
 * worker (as the knowledge base's clocks are); batches lock their rows and skip locked ones, so workers sweeping
 * at once never erase one appeal twice.
 */
@Injectable()
export class RetentionWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly log = rootLogger.child('retention-worker');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopping = false;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(PersonalDataRetention) private readonly retention: PersonalDataRetention,
  ) {}

  onModuleInit(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.running = this.retention
        .sweep(new Date())
        .catch((error: unknown) => this.log.warn('retention sweep failed', { reason: error }))
        .finally(() => this.schedule());
    }, this.config.retentionSweepMs);
  }
}
