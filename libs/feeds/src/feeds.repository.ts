import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

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

  /** A further thread key of an appeal (a Message-ID we sent), so a reply naming only it still joins. */
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

  async appealChannelFacts(appealId: string): Promise<{ externalId: string; timeZone: string } | undefined> {
    const [row] = (await this.dataSource.query(`SELECT external_id, time_zone FROM appeals WHERE id = $1`, [
      appealId,
    ])) as { external_id: string; time_zone: string }[];
    return row ? { externalId: row.external_id, timeZone: row.time_zone } : undefined;
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
      await tx.query(
        `INSERT INTO attachment_contents (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [file.sha256, file.content.length, file.content],
      );
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
