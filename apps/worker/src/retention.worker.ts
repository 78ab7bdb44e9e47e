import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { PersonalDataRetention } from '@inbox/retention';
import { RepeatingTimer } from './repeating-timer';

/**
 * Erases the personal data of appeals past the retention period every RETENTION_SWEEP_MS, on a timer in each
 * worker (as the knowledge base's clocks are); batches lock their rows and skip locked ones, so workers sweeping
 * at once never erase one appeal twice.
 */
@Injectable()
export class RetentionWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly log = rootLogger.child('retention-worker');
  private readonly timer = new RepeatingTimer(
    () => this.retention.sweep(new Date()),
    (error) => this.log.warn('retention sweep failed', { reason: error }),
  );

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(PersonalDataRetention) private readonly retention: PersonalDataRetention,
  ) {}

  onModuleInit(): void {
    this.timer.start(this.config.retentionSweepMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.timer.stop();
  }
}
