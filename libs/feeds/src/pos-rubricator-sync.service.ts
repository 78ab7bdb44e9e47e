import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChannelRegistry } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { Channel } from '@inbox/integrations/contract';
import { PosConnector } from '@inbox/integrations/pos';
import { type CategoryRow, rubricatorFromRows, rubricatorRows } from './pos-rubricator';

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
    private readonly dataSource: DataSource,
    private readonly registry: ChannelRegistry,
  ) {}

  async sync(): Promise<RubricatorSyncReport> {
    const report: RubricatorSyncReport = { ran: false, categories: 0, deleted: 0 };
    const entry = this.registry.get('pos');
    if (!entry || !(entry.connector instanceof PosConnector)) return report;
    const connector = entry.connector;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const lock = `pos-rubricator:${entry.account.id}`;
    try {
      const [{ locked }] = (await runner.query(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [lock],
      )) as { locked: boolean }[];
      if (!locked) return report;
      report.ran = true;
      try {
        const stored = (await runner.query(
          `SELECT external_id AS "externalId", parent_external_id AS "parentExternalId", name, deleted
             FROM channel_categories WHERE channel = $1`,
          [Channel.Pos],
        )) as CategoryRow[];
        const regionId = String(entry.account.settings.regionId ?? '');
        const result = await connector.syncRubricator(
          entry.account,
          stored.length ? rubricatorFromRows(stored, regionId) : undefined,
        );
        const rows = rubricatorRows(result);
        await this.dataSource.query(
          `INSERT INTO channel_categories (channel, external_id, parent_external_id, name, deleted, synced_at)
           SELECT $1, r.external_id, r.parent_external_id, r.name, r.deleted, now()
             FROM jsonb_to_recordset($2::jsonb) AS r(external_id text, parent_external_id text, name text, deleted boolean)
           ON CONFLICT (channel, external_id) DO UPDATE SET parent_external_id = EXCLUDED.parent_external_id,
             name = EXCLUDED.name, deleted = EXCLUDED.deleted, synced_at = now()`,
          [
            Channel.Pos,
            JSON.stringify(
              rows.map((r) => ({
                external_id: r.externalId,
                parent_external_id: r.parentExternalId,
                name: r.name,
                deleted: r.deleted,
              })),
            ),
          ],
        );
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
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [lock]);
      }
    } finally {
      await runner.release();
    }
    return report;
  }

  private async record(accountId: string, outcome: Record<string, unknown>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [`pos-rubricator-sync:${accountId}`, JSON.stringify({ at: new Date().toISOString(), ...outcome })],
    );
  }
}
