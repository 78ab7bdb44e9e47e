import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { Reports } from '@inbox/reports';
import { RepeatingTimer } from './repeating-timer';

/**
 * Folds the appeal count deltas into the dashboard's daily counts every COUNTS_FOLD_MS (issue 18), so that they
 * stay short whether or not anyone looks at the dashboard. On a timer in each worker; folds take turns (an
 * advisory lock), a worker that finds one running skips its turn.
 */
@Injectable()
export class CountsFoldWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly log = rootLogger.child('counts-fold-worker');
  private readonly timer = new RepeatingTimer(
    () => this.reports.foldCounts(),
    (error) => this.log.warn('count fold failed', { reason: error }),
  );

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(Reports) private readonly reports: Reports,
  ) {}

  onModuleInit(): void {
    this.timer.start(this.config.countsFoldMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.timer.stop();
  }
}
