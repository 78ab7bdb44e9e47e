import { Inject, Injectable } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { RetentionRepository } from './repositories/retention.repository';

const DAY_MS = 86_400_000;

export interface RetentionSweepResult {
  /** Appeals whose personal data this sweep erased. */
  erased: number;
  batches: number;
  /** Inbound items never registered (quarantined, failed for good) and unreadable inputs whose raw payload this
   * sweep erased after QUARANTINE_RETENTION_DAYS. */
  inboundErased: number;
}

/**
 * Erases the personal data of appeals closed longer ago than PERSONAL_DATA_RETENTION_DAYS, and the raw payloads
 * of inbound items that never became an appeal after QUARANTINE_RETENTION_DAYS, in batches of
 * RETENTION_BATCH_SIZE, each its own transaction. Idempotent: what is erased is marked and never picked again.
 * Logs counts only.
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
    const quarantineDays = this.config.quarantineRetentionDays;
    const keptBefore = new Date(now.getTime() - quarantineDays * DAY_MS);
    let inboundErased = 0;
    for (;;) {
      const { items, inputs } = await this.retention.eraseStaleInbound(keptBefore, size);
      inboundErased += items + inputs;
      if (items < size && inputs < size) break;
    }
    if (inboundErased > 0) {
      this.log.info('raw payloads of unregistered inbound items erased after retention', {
        erased: inboundErased,
        retentionDays: quarantineDays,
      });
    }
    return { erased, batches, inboundErased };
  }
}
