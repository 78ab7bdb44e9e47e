import { Inject, Injectable } from '@nestjs/common';
import { StaffUsers } from '@inbox/access';
import { AppConfig } from '@inbox/config';
import { PersonalDataRetention } from '@inbox/retention';
import { SweepWorker } from './repeating-timer';

/**
 * Erases the personal data of appeals past the retention period, and sign-in records that no longer count (they
 * hold addresses), every RETENTION_SWEEP_MS, on a timer in each worker (as the knowledge base's clocks are);
 * batches lock their rows and skip locked ones, so workers sweeping at once never erase one appeal twice.
 */
@Injectable()
export class RetentionWorker extends SweepWorker {
  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(PersonalDataRetention) retention: PersonalDataRetention,
    @Inject(StaffUsers) staff: StaffUsers,
  ) {
    super({
      log: 'retention-worker',
      failure: 'retention sweep failed',
      everyMs: config.retentionSweepMs,
      run: async () => {
        await retention.sweep(new Date());
        await staff.forgetStaleSignInRecords();
      },
    });
  }
}
