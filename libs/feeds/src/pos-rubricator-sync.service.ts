import { Injectable } from '@nestjs/common';
import { ChannelRegistry } from '@inbox/channels';
import { AdvisoryLocks } from '@inbox/database';
import { rootLogger } from '@inbox/common';
import { Channel, isRubricatorSource } from '@inbox/integrations/contract';
import { ChannelCategoriesRepository } from './channel-categories.repository';
import { rubricatorFromRows, rubricatorRows } from './pos-rubricator';

export interface RubricatorSyncReport {
  ran: boolean;
  categories: number;
  deleted: number;
  error?: string;
}

/**
 * Mirrors ПОС's categories and subcategories into channel_categories. What vanished from ПОС is kept,
 * marked deleted (appeals and mappings to our topics still point at it); the mapping to our topics
 * (topic_id) is ours and never overwritten. The outcome is kept in settings for the operator to see.
 */
@Injectable()
export class PosRubricatorSync {
  private readonly log = rootLogger.child('pos-rubricator');

  constructor(
    private readonly categories: ChannelCategoriesRepository,
    private readonly locks: AdvisoryLocks,
    private readonly registry: ChannelRegistry,
  ) {}

  async sync(): Promise<RubricatorSyncReport> {
    const report: RubricatorSyncReport = { ran: false, categories: 0, deleted: 0 };
    const entry = this.registry.get('pos');
    if (!entry || !isRubricatorSource(entry.connector)) return report;
    const connector = entry.connector;
    await this.locks.withLock(`pos-rubricator:${entry.account.id}`, async () => {
      report.ran = true;
      try {
        const stored = await this.categories.ofChannel(Channel.Pos);
        const regionId = String(entry.account.settings.regionId ?? '');
        const result = await connector.syncRubricator(
          entry.account,
          stored.length ? rubricatorFromRows(stored, regionId) : undefined,
        );
        const rows = rubricatorRows(result);
        await this.categories.upsert(Channel.Pos, rows);
        report.categories = rows.length;
        report.deleted = rows.filter((r) => r.deleted).length;
        await this.record(entry.account.id, {
          ok: true,
          categories: report.categories,
          deleted: report.deleted,
        });
        this.log.info('ПОС rubricator synced', { categories: report.categories, deleted: report.deleted });
      } catch (error) {
        report.error = error instanceof Error ? error.message : String(error);
        await this.record(entry.account.id, { ok: false, error: report.error.slice(0, 500) });
        this.log.warn('ПОС rubricator sync failed', { reason: error });
      }
    });
    return report;
  }

  private async record(accountId: string, outcome: Record<string, unknown>): Promise<void> {
    await this.categories.recordSync(`pos-rubricator-sync:${accountId}`, {
      at: new Date().toISOString(),
      ...outcome,
    });
  }
}
