import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { storeContentOnce } from '@inbox/appeals';

/** What the feeds read and write around an appeal: its channel facts, thread keys and remote files. */
@Injectable()
export class FeedsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A feature the connector put on the appeal's first item (e-mail: `notice547`). */
  async itemFeature(appealId: string, feature: string): Promise<string | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT i.payload->'features'->>$2 AS value FROM appeals a
         JOIN inbound_items i ON i.id = a.inbound_item_id WHERE a.id = $1`,
      [appealId, feature],
    )) as { value: string | null }[];
    return row?.value ?? undefined;
  }

  /** The features and the addressee the connector put on the appeal's first item (kept after registration). */
  async itemFacts(
    appealId: string,
  ): Promise<
    { features: Record<string, string>; addresseeId?: string; accountId: string | null } | undefined
  > {
    const [row] = (await this.dataSource.query(
      `SELECT coalesce(i.payload->'features', '{}'::jsonb) AS features,
              i.payload->'addressee'->>'externalId' AS addressee, i.account_id
         FROM appeals a JOIN inbound_items i ON i.id = a.inbound_item_id WHERE a.id = $1`,
      [appealId],
    )) as { features: Record<string, string>; addressee: string | null; account_id: string | null }[];
    return row
      ? { features: row.features, addresseeId: row.addressee ?? undefined, accountId: row.account_id }
      : undefined;
  }

  /** The channel account an inbound item came to (null: none known, e.g. our own form). */
  async itemAccount(inboundItemId: string): Promise<string | null> {
    const [row] = (await this.dataSource.query(`SELECT account_id FROM inbound_items WHERE id = $1`, [
      inboundItemId,
    ])) as { account_id: string | null }[];
    return row?.account_id ?? null;
  }

  /**
   * Events a channel recorded of its own (ПОС's history) added to the appeal's history, each once: `key` names the
   * event among those of its type, so a hook run again adds nothing twice.
   */
  async appendChannelEvents(
    appealId: string,
    events: { type: string; key: string; data: Record<string, unknown> }[],
  ): Promise<number> {
    if (events.length === 0) return 0;
    return this.dataSource.transaction(async (tx) => {
      let added = 0;
      for (const e of events) {
        const rows = (await tx.query(
          `INSERT INTO appeal_events (appeal_id, type, data)
           SELECT $1, $2, $3::jsonb
            WHERE NOT EXISTS (SELECT 1 FROM appeal_events WHERE appeal_id = $1 AND type = $2 AND data->>'key' = $4)
           RETURNING id`,
          [appealId, e.type, JSON.stringify({ ...e.data, key: e.key }), e.key],
        )) as unknown[];
        added += rows.length;
      }
      return added;
    });
  }

  /** Where the appeal's answers go in its channel (a chat id, a mailbox address), as the connector left it. */
  async replyAddress(appealId: string): Promise<Record<string, unknown> | undefined> {
    const [row] = (await this.dataSource.query(`SELECT reply_address FROM appeals WHERE id = $1`, [
      appealId,
    ])) as {
      reply_address: Record<string, unknown> | null;
    }[];
    return row?.reply_address ?? undefined;
  }

  async addThreadKey(channel: string, threadKey: string, appealId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO appeal_threads (channel, thread_key, appeal_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [channel, threadKey, appealId],
    );
  }

  /** The appeal's id in its channel, its zone, and the channel account its item came to. */
  async appealChannelFacts(
    appealId: string,
  ): Promise<{ externalId: string; timeZone: string; accountId: string | null } | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT a.external_id, a.time_zone, i.account_id
         FROM appeals a LEFT JOIN inbound_items i ON i.id = a.inbound_item_id WHERE a.id = $1`,
      [appealId],
    )) as { external_id: string; time_zone: string; account_id: string | null }[];
    return row
      ? { externalId: row.external_id, timeZone: row.time_zone, accountId: row.account_id }
      : undefined;
  }

  async organisations(ids: string[]): Promise<{ id: string; code: string; name: string }[]> {
    if (ids.length === 0) return [];
    return (await this.dataSource.query(
      `SELECT id, code, short_name AS name FROM organisations WHERE id = ANY($1)`,
      [ids],
    )) as { id: string; code: string; name: string }[];
  }

  /** Files of an inbound item the channel only referenced, oldest first. */
  async remoteFiles(inboundItemId: string): Promise<{ id: string; remote_ref: string }[]> {
    return (await this.dataSource.query(
      `SELECT id, remote_ref FROM attachments
        WHERE inbound_item_id = $1 AND status = 'remote' AND remote_ref IS NOT NULL ORDER BY created_at, id`,
      [inboundItemId],
    )) as { id: string; remote_ref: string }[];
  }

  /** The fetched content, content-addressed, and the attachment row pointing at it. */
  async storeFile(
    attachmentId: string,
    file: { sha256: string; content: Buffer; fileName: string; contentType: string },
  ): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await storeContentOnce(tx, file.sha256, file.content);
      await tx.query(
        `UPDATE attachments SET status = 'stored', sha256 = $2, size = $3, file_name = $4, content_type = $5
          WHERE id = $1 AND status = 'remote'`,
        [attachmentId, file.sha256, file.content.length, file.fileName, file.contentType],
      );
    });
  }

  async rejectFile(attachmentId: string, reason: string, size?: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE attachments SET status = 'rejected', rejection_reason = $2, size = COALESCE($3, size)
        WHERE id = $1 AND status = 'remote'`,
      [attachmentId, reason, size ?? null],
    );
  }
}
