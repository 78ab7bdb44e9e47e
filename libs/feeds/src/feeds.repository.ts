import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { storeContentOnce } from '@inbox/appeals';

/** What the feeds read and write around an appeal: its channel facts, thread keys and remote files. */
@Injectable()
export class FeedsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A feature the connector put on each appeal's first item (e-mail: `notice547`), by appeal id, where set. */
  async itemFeature(appealIds: string[], feature: string): Promise<Map<string, string>> {
    if (appealIds.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT a.id, i.payload->'features'->>$2 AS value FROM appeals a
         JOIN inbound_items i ON i.id = a.inbound_item_id
        WHERE a.id = ANY($1::uuid[])`,
      [appealIds, feature],
    )) as { id: string; value: string | null }[];
    return new Map(rows.flatMap((r) => (r.value === null ? [] : [[r.id, r.value] as [string, string]])));
  }

  /** The features and the addressee the connector put on each appeal's first item (kept after registration). */
  async itemFacts(
    appealIds: string[],
  ): Promise<
    Map<string, { features: Record<string, string>; addresseeId?: string; accountId: string | null }>
  > {
    if (appealIds.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT a.id, coalesce(i.payload->'features', '{}'::jsonb) AS features,
              i.payload->'addressee'->>'externalId' AS addressee, i.account_id
         FROM appeals a JOIN inbound_items i ON i.id = a.inbound_item_id WHERE a.id = ANY($1::uuid[])`,
      [appealIds],
    )) as {
      id: string;
      features: Record<string, string>;
      addressee: string | null;
      account_id: string | null;
    }[];
    return new Map(
      rows.map((r) => [
        r.id,
        { features: r.features, addresseeId: r.addressee ?? undefined, accountId: r.account_id },
      ]),
    );
  }

  /**
   * Of these inbound items (of these appeals), those with files the channel only referenced, and the channel
   * account each came to (null: none known).
   */
  async itemsWithRemoteFiles(
    appealIds: string[],
    inboundItemIds: string[],
  ): Promise<{ inboundItemId: string; accountId: string | null }[]> {
    if (inboundItemIds.length === 0) return [];
    return (await this.dataSource.query(
      `SELECT i.id::text AS "inboundItemId", i.account_id AS "accountId" FROM inbound_items i
        WHERE i.id = ANY($2::uuid[])
          AND EXISTS (SELECT 1 FROM attachments f
                       WHERE f.appeal_id = ANY($1::uuid[]) AND f.inbound_item_id = i.id
                         AND f.status = 'remote' AND f.remote_ref IS NOT NULL)`,
      [appealIds, inboundItemIds],
    )) as { inboundItemId: string; accountId: string | null }[];
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

  /** The appeal each of these inbound items was registered as, by item id (none yet: not in the map). */
  async appealsOfItems(inboundItemIds: string[]): Promise<Map<string, string>> {
    if (inboundItemIds.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT id, inbound_item_id FROM appeals WHERE inbound_item_id = ANY($1::uuid[])`,
      [inboundItemIds],
    )) as { id: string; inbound_item_id: string }[];
    return new Map(rows.map((r) => [r.inbound_item_id, r.id]));
  }

  /** Where each appeal's answers go in its channel (a chat id, a mailbox address), as the connector left it. */
  async replyAddresses(appealIds: string[]): Promise<Map<string, Record<string, unknown>>> {
    if (appealIds.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT id, reply_address FROM appeals WHERE id = ANY($1::uuid[]) AND reply_address IS NOT NULL`,
      [appealIds],
    )) as { id: string; reply_address: Record<string, unknown> }[];
    return new Map(rows.map((r) => [r.id, r.reply_address]));
  }

  async addThreadKeys(keys: { channel: string; threadKey: string; appealId: string }[]): Promise<void> {
    if (keys.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO appeal_threads (channel, thread_key, appeal_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[]) ON CONFLICT DO NOTHING`,
      [keys.map((k) => k.channel), keys.map((k) => k.threadKey), keys.map((k) => k.appealId)],
    );
  }

  /** Each appeal's id in its channel, its zone, and the channel account its item came to, by appeal id. */
  async appealChannelFacts(
    appealIds: string[],
  ): Promise<Map<string, { externalId: string; timeZone: string; accountId: string | null }>> {
    if (appealIds.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT a.id, a.external_id, a.time_zone, i.account_id
         FROM appeals a LEFT JOIN inbound_items i ON i.id = a.inbound_item_id WHERE a.id = ANY($1::uuid[])`,
      [appealIds],
    )) as { id: string; external_id: string; time_zone: string; account_id: string | null }[];
    return new Map(
      rows.map((r) => [r.id, { externalId: r.external_id, timeZone: r.time_zone, accountId: r.account_id }]),
    );
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
