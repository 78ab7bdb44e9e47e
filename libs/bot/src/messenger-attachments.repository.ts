import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rowsOf } from '@inbox/common';
import { storeContentOnce } from '@inbox/appeals';
import { queryCount } from '@inbox/database';

export interface RemoteAttachmentRow {
  id: string;
  appeal_id: string;
  inbound_item_id: string | null;
  file_name: string;
  content_type: string;
  size: number;
  status: string;
  remote_ref: string | null;
  channel: string;
  /** The account that received the message: its token fetches the file. */
  account_id: string | null;
}

/** The rejection reason of a file our side failed to keep, every retry spent (the card says so in Russian). */
export const NOT_STORED = 'not-stored' as const;

/** Attachments a messenger only referenced, and their content once fetched (content-addressed). */
@Injectable()
export class MessengerAttachmentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The appeals' attachments still only referenced. */
  async remoteOfAppeals(appealIds: string[]): Promise<string[]> {
    if (appealIds.length === 0) return [];
    const rows = (await this.dataSource.query(
      `SELECT id FROM attachments
        WHERE appeal_id = ANY($1::uuid[]) AND status = 'remote' AND remote_ref IS NOT NULL ORDER BY created_at, id`,
      [appealIds],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /**
   * References of these channels' appeals still not fetched after `ms` (their job got lost, or our side failed to
   * keep the file: then not before its `fetch_after`).
   */
  async remoteOlderThan(channels: string[], ms: number, limit = 500): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT at.id FROM attachments at JOIN appeals a ON a.id = at.appeal_id
        WHERE at.status = 'remote' AND at.remote_ref IS NOT NULL AND a.channel = ANY($1)
          AND at.created_at < now() - make_interval(secs => $2)
          AND (at.fetch_after IS NULL OR at.fetch_after <= now())
        ORDER BY at.created_at LIMIT $3`,
      [channels, ms / 1000, limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  async one(attachmentId: string): Promise<RemoteAttachmentRow | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT at.id, at.appeal_id, at.inbound_item_id, at.file_name, at.content_type, at.size, at.status, at.remote_ref, ap.channel,
              i.account_id
         FROM attachments at JOIN appeals ap ON ap.id = at.appeal_id
         LEFT JOIN inbound_items i ON i.id = COALESCE(at.inbound_item_id, ap.inbound_item_id)
        WHERE at.id = $1`,
      [attachmentId],
    )) as RemoteAttachmentRow[];
    return row;
  }

  /**
   * Stores the fetched content and marks the row stored, unless the message already has `maxCount` stored
   * files (counted under one lock per message, so parallel downloads cannot overshoot).
   */
  async store(
    a: RemoteAttachmentRow,
    file: { sha256: string; content: Buffer; contentType: string },
    maxCount: number,
  ): Promise<'stored' | 'not-remote' | 'too-many'> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `attachments:${a.inbound_item_id ?? a.appeal_id}`,
      ]);
      const n = await queryCount(
        tx,
        `SELECT count(*)::int AS n FROM attachments WHERE status = 'stored'
            AND (inbound_item_id = $1 OR ($1::uuid IS NULL AND appeal_id = $2))`,
        [a.inbound_item_id, a.appeal_id],
      );
      if (n >= maxCount) return 'too-many';
      await storeContentOnce(tx, file.sha256, file.content);
      const updated = rowsOf(
        await tx.query(
          `UPDATE attachments SET status = 'stored', sha256 = $2, size = $3, content_type = $4, rejection_reason = NULL
            WHERE id = $1 AND status = 'remote' RETURNING id`,
          [a.id, file.sha256, file.content.length, file.contentType],
        ),
      );
      return updated.length > 0 ? 'stored' : 'not-remote';
    });
  }

  /**
   * One more round in which the file was not received (the channel would not give it for now, or our side failed
   * to keep it; both counted in failed_rounds): the next waits `firstMs`, doubling per round (at most a day), by
   * the database's clock; `givenUp` from the `rounds`-th on (the caller rejects it then). Undefined when the row is
   * no longer a reference.
   */
  async roundFailed(
    attachmentId: string,
    firstMs: number,
    rounds: number,
  ): Promise<{ failures: number; givenUp: boolean } | undefined> {
    const [row] = rowsOf<{ failures: number }>(
      await this.dataSource.query(
        `UPDATE attachments
            SET failed_rounds = failed_rounds + 1,
                fetch_after = now() + make_interval(secs => least($2::float8 / 1000 * power(2, least(failed_rounds, 30)), 86400))
          WHERE id = $1 AND status = 'remote'
          RETURNING failed_rounds AS failures`,
        [attachmentId, firstMs],
      ),
    );
    return row ? { failures: row.failures, givenUp: row.failures >= rounds } : undefined;
  }

  /**
   * Who sent a file still only referenced, and where, for the bot to tell them before it is marked rejected (the
   * message that brought it: its author; the chat the appeal's answer goes to, the item's own while it still holds
   * one); undefined when the row is no reference any more.
   */
  async senderOf(attachmentId: string): Promise<RejectedFileSender | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT at.file_name AS "fileName", ap.registration_number AS "registrationNumber", ap.channel,
              i.account_id AS "accountId", i.payload->'author'->>'externalId' AS "authorExternalId",
              COALESCE(i.payload->'replyAddress', ap.reply_address) AS "replyAddress"
         FROM attachments at JOIN appeals ap ON ap.id = at.appeal_id LEFT JOIN inbound_items i ON i.id = at.inbound_item_id
        WHERE at.id = $1 AND at.status = 'remote'`,
      [attachmentId],
    )) as RejectedFileSender[];
    return row;
  }

  /** Kept as a reference, with the reason staff will see. */
  async reject(attachmentId: string, reason: string, contentType?: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE attachments SET status = 'rejected', rejection_reason = $2, content_type = COALESCE($3, content_type)
        WHERE id = $1 AND status = 'remote'`,
      [attachmentId, reason.slice(0, 500), contentType ?? null],
    );
  }
}

/** Who sent a file that was not kept, and where to tell them. */
export interface RejectedFileSender {
  fileName: string;
  registrationNumber: string;
  channel: string;
  accountId: string | null;
  authorExternalId: string | null;
  replyAddress: Record<string, unknown> | null;
}
