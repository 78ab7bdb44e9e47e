import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@inbox/config';
import { PersonalDataRetention } from '@inbox/retention';
import { SweepWorker } from './repeating-timer';

/**
 * Erases the personal data of appeals past the retention period every RETENTION_SWEEP_MS, on a timer in each
 * worker (as the knowledge base's clocks are); batches lock their rows and skip locked ones, so workers sweeping
 * at once never erase one appeal twice.
 */
@Injectable()
export class RetentionWorker extends SweepWorker {
  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(PersonalDataRetention) retention: PersonalDataRetention,
  ) {
    super({
      log: 'retention-worker',
      failure: 'retention sweep failed',
      everyMs: config.retentionSweepMs,
      run: () => retention.sweep(new Date()),
    });
  }
}
