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
 *
 * With several ПОС accounts, from one: the kind's default (the environment's, else the oldest enabled), chosen
 * again at each sync. The mirror and our mapping are one per channel, and ПОС's rubricator is its region's
 * (subjects by regionId), the same for every account of the region — the accounts differ by the organisations
 * they serve. Syncing each account into the one mirror would only repeat the same calls, and an account of
 * another region would mark the first region's categories deleted on every other run. Accounts of another
 * region are named in the log and in the recorded outcome: their categories are not mirrored.
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
        const otherRegions = this.registry
          .ofKind('pos')
          .filter((e) => String(e.account.settings.regionId ?? '') !== regionId)
          .map((e) => e.account.id);
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
          ...(otherRegions.length ? { otherRegionAccounts: otherRegions } : {}),
        });
        this.log.info('ПОС rubricator synced', {
          accountId: entry.account.id,
          categories: report.categories,
          deleted: report.deleted,
        });
        if (otherRegions.length)
          this.log.warn('ПОС accounts of another region: their rubricator is not mirrored', {
            accountIds: otherRegions,
          });
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
