import { Inject, Injectable } from '@nestjs/common';
import { StaffUsers } from '@inbox/access';
import { AppealRegistrar } from '@inbox/appeals';
import { AppConfig } from '@inbox/config';
import { PersonalDataRetention } from '@inbox/retention';
import { SweepWorker } from './repeating-timer';

/**
 * Erases the personal data of appeals past the retention period, and sign-in records that no longer count (they
 * hold addresses), every RETENTION_SWEEP_MS, on a timer in each worker (as the knowledge base's clocks are);
 * batches lock their rows and skip locked ones, so workers sweeping at once never erase one appeal twice. A
 * process's first sweep also keys the access code hashes stored unkeyed before ACCESS_CODE_KEY (none are since).
 */
@Injectable()
export class RetentionWorker extends SweepWorker {
  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(PersonalDataRetention) retention: PersonalDataRetention,
    @Inject(StaffUsers) staff: StaffUsers,
    @Inject(AppealRegistrar) registrar: AppealRegistrar,
  ) {
    let codesKeyed = false;
    super({
      log: 'retention-worker',
      failure: 'retention sweep failed',
      everyMs: config.retentionSweepMs,
      run: async () => {
        if (!codesKeyed) await registrar.keyUnkeyedAccessCodes();
        codesKeyed = true;
        await retention.sweep(new Date());
        await staff.forgetStaleSignInRecords();
      },
    });
  }
}
