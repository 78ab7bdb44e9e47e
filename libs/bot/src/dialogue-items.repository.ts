import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rowsOf } from '@inbox/common';
import { type StoredInboundItem } from '@inbox/intake/entities';

export interface DialogueItemRow {
  id: string;
  channel: string;
  external_id: string;
  status: string;
  account_id: string | null;
  payload: StoredInboundItem;
}

/** Stored messenger items as the bot sees them: gated until it has looked, then consumed or released. */
@Injectable()
export class DialogueItemsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async load(inboundItemId: string): Promise<DialogueItemRow | undefined> {
    const [item] = (await this.dataSource.query(
      `SELECT id, channel, external_id, status, account_id, payload FROM inbound_items WHERE id = $1`,
      [inboundItemId],
    )) as DialogueItemRow[];
    return item;
  }

  /** Gated items older than `ms`: their admission job got lost. */
  async gatedOlderThan(ms: number, limit = 1000): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM inbound_items WHERE status = 'gated' AND created_at < now() - make_interval(secs => $1)
        ORDER BY created_at LIMIT $2`,
      [ms / 1000, limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** The item was a command or a reply to the bot: consumed, never registered. False if already taken. */
  async consume(itemId: string): Promise<boolean> {
    const rows = rowsOf(
      await this.dataSource.query(
        `UPDATE inbound_items SET status = 'dialogue', processed_at = now() WHERE id = $1 AND status = 'gated'
         RETURNING id`,
        [itemId],
      ),
    );
    return rows.length > 0;
  }

  /**
   * Gated → pending, for registration. False if someone else had it already. With `registrationNumber` the item
   * names that appeal (InboundItem.thread.registrationNumber), and joins it whatever its status: the citizen's
   * reason given with a rating belongs to the rated appeal, not to a new one.
   */
  async release(itemId: string, registrationNumber?: string): Promise<boolean> {
    const rows = rowsOf(
      await this.dataSource.query(
        `UPDATE inbound_items SET status = 'pending',
                payload = CASE WHEN $2::text IS NULL THEN payload ELSE payload || jsonb_build_object('thread',
                  COALESCE(payload->'thread', '{}'::jsonb) || jsonb_build_object('registrationNumber', $2::text)) END
          WHERE id = $1 AND status = 'gated' RETURNING id`,
        [itemId, registrationNumber ?? null],
      ),
    );
    return rows.length > 0;
  }
}
