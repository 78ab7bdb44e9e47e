import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@inbox/config';
import { Reports } from '@inbox/reports';
import { SweepWorker } from './repeating-timer';

/**
 * Folds the appeal count deltas into the dashboard's daily counts every COUNTS_FOLD_MS (issue 18), so that they
 * stay short whether or not anyone looks at the dashboard. On a timer in each worker; folds take turns (an
 * advisory lock), a worker that finds one running skips its turn.
 */
@Injectable()
export class CountsFoldWorker extends SweepWorker {
  constructor(@Inject(AppConfig) config: AppConfig, @Inject(Reports) reports: Reports) {
    super({
      log: 'counts-fold-worker',
      failure: 'count fold failed',
      everyMs: config.countsFoldMs,
      run: () => reports.foldCounts(),
    });
  }
}
