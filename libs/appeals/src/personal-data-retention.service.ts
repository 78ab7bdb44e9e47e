import { Inject, Injectable } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { RetentionRepository } from './repositories/retention.repository';

const DAY_MS = 86_400_000;

export interface RetentionSweepResult {
  /** Appeals whose personal data this sweep erased. */
  erased: number;
  batches: number;
}

/**
 * Erases the personal data of appeals closed longer ago than PERSONAL_DATA_RETENTION_DAYS, in batches of
 * RETENTION_BATCH_SIZE, each its own transaction. Idempotent: an erased appeal is marked and never picked
 * again. Logs counts only.
 */
@Injectable()
export class PersonalDataRetention {
  private readonly log = rootLogger.child('personal-data-retention');

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(RetentionRepository) private readonly retention: RetentionRepository,
  ) {}

  async sweep(now: Date): Promise<RetentionSweepResult> {
    const days = this.config.personalDataRetentionDays;
    const closedBefore = new Date(now.getTime() - days * DAY_MS);
    const size = this.config.retentionBatchSize;
    let erased = 0;
    let batches = 0;
    for (;;) {
      const ids = await this.retention.eraseBatch(closedBefore, now, size, days);
      if (ids.length === 0) break;
      erased += ids.length;
      batches += 1;
      if (ids.length < size) break;
    }
    if (erased > 0)
      this.log.info('personal data erased after retention', { erased, batches, retentionDays: days });
    return { erased, batches };
  }
}
