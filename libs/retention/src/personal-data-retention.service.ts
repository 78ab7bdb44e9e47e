import { Injectable } from '@nestjs/common';
import { PERSONAL_DATA_ERASED_TEXT_RU, RetentionRepository } from '@inbox/appeals';
import { QuarantinedInputsRepository } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { Transactions } from '@inbox/database';
import { OutboundMessagesRepository } from '@inbox/delivery';
import { IncidentsRepository } from '@inbox/incidents';
import { InboundRetentionRepository } from '@inbox/intake';

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
 * Logs counts only. Each table's erasure is its owning lib's repository; this service puts them in one
 * transaction. Kept for statistics: the appeal's number, channel, regime, topic, organisations and their parts,
 * dates, deadlines and clock marks, status, ratings, classification and the history (ids, types, dates, field
 * names).
 */
@Injectable()
export class PersonalDataRetention {
  private readonly log = rootLogger.child('personal-data-retention');

  constructor(
    private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly appeals: RetentionRepository,
    private readonly incidents: IncidentsRepository,
    private readonly messages: OutboundMessagesRepository,
    private readonly inbound: InboundRetentionRepository,
    private readonly quarantined: QuarantinedInputsRepository,
  ) {}

  async sweep(now: Date): Promise<RetentionSweepResult> {
    const days = this.config.personalDataRetentionDays;
    const closedBefore = new Date(now.getTime() - days * DAY_MS);
    const size = this.config.retentionBatchSize;
    let erased = 0;
    let batches = 0;
    for (;;) {
      const ids = await this.eraseBatch(closedBefore, now, size, days);
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
      const { items, inputs } = await this.eraseStaleInbound(keptBefore, size);
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

  /** Erases one batch of appeals closed before `closedBefore`, in one transaction; returns their ids. */
  private eraseBatch(closedBefore: Date, now: Date, limit: number, retentionDays: number): Promise<string[]> {
    return this.transactions.run(async (tx) => {
      const batch = await this.appeals.lockClosedBatch(tx, closedBefore, limit);
      if (batch.length === 0) return [];
      const ids = batch.map((r) => r.id);
      const shas = await this.appeals.fileHashes(tx, ids);
      await this.appeals.eraseAppeals(tx, ids, [...new Set(batch.map((r) => r.applicant_id))], now);
      await this.incidents.forgetPersonalData(tx, ids, PERSONAL_DATA_ERASED_TEXT_RU);
      await this.messages.eraseTexts(tx, ids, PERSONAL_DATA_ERASED_TEXT_RU);
      await this.inbound.deleteUnreferencedContents(tx, shas, false);
      await this.inbound.erasePayloadsOfAppeals(tx, ids);
      await this.appeals.eraseHistory(tx, ids, retentionDays);
      return ids;
    });
  }

  /**
   * Erases the raw payloads of inbound items that never became an appeal (quarantined, or failed for good) and
   * the inputs no connector could read, older than `before`, in one transaction; files only such payloads
   * referred to go too. Returns how many items and inputs it erased.
   */
  private eraseStaleInbound(before: Date, limit: number): Promise<{ items: number; inputs: number }> {
    return this.transactions.run(async (tx) => {
      const items = await this.inbound.eraseStalePayloads(tx, before, limit);
      const shas = [...new Set(items.flatMap((i) => i.shas))];
      if (shas.length > 0) await this.inbound.deleteUnreferencedContents(tx, shas, true);
      const inputs = await this.quarantined.eraseStale(tx, before, limit);
      return { items: items.length, inputs };
    });
  }
}
