import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CategoryRow } from './pos-rubricator';

/** channel_categories: a channel's own rubricator mirrored, our topic mapping kept beside it. */
@Injectable()
export class ChannelCategoriesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async ofChannel(channel: string): Promise<CategoryRow[]> {
    return (await this.dataSource.query(
      `SELECT external_id AS "externalId", parent_external_id AS "parentExternalId", name, deleted
         FROM channel_categories WHERE channel = $1`,
      [channel],
    )) as CategoryRow[];
  }

  /** Upserts the mirror; `topic_id` (our mapping) is never touched. */
  async upsert(channel: string, rows: CategoryRow[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO channel_categories (channel, external_id, parent_external_id, name, deleted, synced_at)
       SELECT $1, r.external_id, r.parent_external_id, r.name, r.deleted, now()
         FROM jsonb_to_recordset($2::jsonb) AS r(external_id text, parent_external_id text, name text, deleted boolean)
       ON CONFLICT (channel, external_id) DO UPDATE SET parent_external_id = EXCLUDED.parent_external_id,
         name = EXCLUDED.name, deleted = EXCLUDED.deleted, synced_at = now()`,
      [
        channel,
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
  }

  /** The last sync's outcome, for the operator to see. */
  async recordSync(key: string, outcome: Record<string, unknown>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [key, JSON.stringify(outcome)],
    );
  }
}
