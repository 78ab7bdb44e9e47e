import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChannelRegistry } from '@inbox/channels';
import { rootLogger, rowsOf } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { Channel, ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';
import { JobName, JobProducer, RETRY_AFTER_BACKOFF } from '@inbox/queue';

/** Channels whose media this fetcher downloads (ПОС files are the feeds' business). */
const MEDIA_CHANNELS: string[] = [Channel.Telegram, Channel.Vk, Channel.Ok];

/**
 * File types staff can open safely: images, PDF and office documents, audio and video a citizen records on a
 * phone. Anything else (archives, executables) is refused with the reason and kept as a reference only.
 */
export const ALLOWED_CONTENT_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/heic',
  'application/pdf',
  'text/plain',
  'application/rtf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'audio/ogg',
  'audio/mpeg',
  'audio/mp4',
  'video/mp4',
  'video/quicktime',
]);

/** A temporary failure of the remote side; the job retries no sooner than `retryAfterMs`. */
export class FetchLaterError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'FetchLaterError';
  }
}

interface AttachmentRow {
  id: string;
  appeal_id: string;
  inbound_item_id: string | null;
  content_type: string;
  size: number;
  status: string;
  remote_ref: string | null;
  channel: string;
}

export type FetchOutcome = 'stored' | 'rejected' | 'not-remote';

/**
 * Downloads attachments a messenger only referenced (Telegram file_id, VK/OK URLs) through the channel's
 * connector, within the configured size and count limits and an allow-list of types, and stores them
 * content-addressed (SHA-256) like every other attachment. A file that cannot be had is marked rejected with
 * the reason, its reference kept; a remote hiccup is retried with the channel's retry-after.
 */
@Injectable()
export class AttachmentFetcher {
  private readonly log = rootLogger.child('attachment-fetcher');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly registry: ChannelRegistry,
    private readonly jobs: JobProducer,
  ) {}

  async enqueueForAppeal(appealId: string): Promise<void> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM attachments WHERE appeal_id = $1 AND status = 'remote' AND remote_ref IS NOT NULL`,
      [appealId],
    )) as { id: string }[];
    await this.enqueue(rows.map((r) => r.id));
  }

  /** References whose job got lost (a crash between registration and the hook): fetched again. */
  async sweep(): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT at.id FROM attachments at JOIN appeals a ON a.id = at.appeal_id
        WHERE at.status = 'remote' AND at.remote_ref IS NOT NULL AND a.channel = ANY($1)
          AND at.created_at < now() - make_interval(secs => $2) ORDER BY at.created_at LIMIT 500`,
      [MEDIA_CHANNELS, this.config.pendingSweepMs / 1000],
    )) as { id: string }[];
    await this.enqueue(rows.map((r) => r.id));
    return rows.length;
  }

  async fetch(attachmentId: string): Promise<FetchOutcome> {
    const [a] = (await this.dataSource.query(
      `SELECT at.id, at.appeal_id, at.inbound_item_id, at.content_type, at.size, at.status, at.remote_ref, ap.channel
         FROM attachments at JOIN appeals ap ON ap.id = at.appeal_id WHERE at.id = $1`,
      [attachmentId],
    )) as AttachmentRow[];
    if (!a || a.status !== 'remote' || !a.remote_ref || !MEDIA_CHANNELS.includes(a.channel))
      return 'not-remote';
    const entry = this.registry.forDelivery(a.channel);
    if (!entry?.connector.fetchAttachment)
      throw new FetchLaterError(`channel ${a.channel} is not configured`);
    const max = this.config.attachmentMaxBytes;
    if (a.size > max) return this.reject(a, 'too-large');

    let file;
    try {
      file = await entry.connector.fetchAttachment(entry.account, a.remote_ref);
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      if (error.code === ConnectorErrorCode.NotFound) return this.reject(a, 'not-found');
      if (error.code === ConnectorErrorCode.InvalidPayload) {
        return this.reject(
          a,
          error.details.status === 413 || /larger than/.test(error.message) ? 'too-large' : 'refused',
        );
      }
      // Temporary, rate-limited or the account's credentials: the file is still there, try again later.
      throw new FetchLaterError(`${error.code}: ${error.message}`, error.details.retryAfterMs);
    }
    if (file.content.length === 0) return this.reject(a, 'empty');
    if (file.content.length > max) return this.reject(a, 'too-large');
    // The channel's word for the type, else what the citizen's app declared.
    const fetched = file.contentType.toLowerCase();
    const contentType = fetched === 'application/octet-stream' ? a.content_type.toLowerCase() : fetched;
    if (!ALLOWED_CONTENT_TYPES.has(contentType)) return this.reject(a, 'type-not-allowed', contentType);

    const sha256 = createHash('sha256').update(file.content).digest('hex');
    const outcome = await this.dataSource.transaction(async (tx) => {
      // The count limit is per message: one message's files are counted under one lock.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `attachments:${a.inbound_item_id ?? a.appeal_id}`,
      ]);
      const [{ n }] = (await tx.query(
        `SELECT count(*)::int AS n FROM attachments WHERE status = 'stored'
            AND (inbound_item_id = $1 OR ($1::uuid IS NULL AND appeal_id = $2))`,
        [a.inbound_item_id, a.appeal_id],
      )) as { n: number }[];
      if (n >= this.config.attachmentMaxCount) return 'too-many';
      await tx.query(
        `INSERT INTO attachment_contents (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [sha256, file.content.length, file.content],
      );
      const updated = rowsOf(
        await tx.query(
          `UPDATE attachments SET status = 'stored', sha256 = $2, size = $3, content_type = $4, rejection_reason = NULL
            WHERE id = $1 AND status = 'remote' RETURNING id`,
          [a.id, sha256, file.content.length, contentType],
        ),
      );
      return updated.length > 0 ? 'stored' : 'not-remote';
    });
    if (outcome === 'too-many') return this.reject(a, 'too-many');
    if (outcome === 'stored')
      this.log.info('attachment stored', { attachmentId: a.id, size: file.content.length });
    return outcome;
  }

  /** After the last retry: the file stays a reference, marked so that staff see why it is missing. */
  async giveUp(attachmentId: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE attachments SET status = 'rejected', rejection_reason = $2 WHERE id = $1 AND status = 'remote'`,
      [attachmentId, `download-failed: ${reason}`.slice(0, 500)],
    );
    this.log.warn('attachment download given up', { attachmentId, reason });
  }

  private async enqueue(ids: string[]): Promise<void> {
    await this.jobs.addBulk(
      JobName.FetchAttachment,
      ids.map((id) => ({
        payload: { attachmentId: id },
        options: { jobId: `fetch:${id}`, removeOnComplete: true, backoff: { type: RETRY_AFTER_BACKOFF } },
      })),
    );
  }

  private async reject(a: AttachmentRow, reason: string, contentType?: string): Promise<'rejected'> {
    await this.dataSource.query(
      `UPDATE attachments SET status = 'rejected', rejection_reason = $2, content_type = COALESCE($3, content_type)
        WHERE id = $1 AND status = 'remote'`,
      [a.id, reason, contentType ?? null],
    );
    this.log.info('attachment rejected', { attachmentId: a.id, reason });
    return 'rejected';
  }
}
