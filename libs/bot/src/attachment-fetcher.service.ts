import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ChannelRegistry } from '@inbox/channels';
import { allowedChannelFile, rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { Channel, ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';
import { JobName, JobProducer, RETRY_AFTER_BACKOFF } from '@inbox/queue';
import { BotReplies } from './bot-replies.service';
import { BOT_CHANNELS } from './dialogue.service';
import {
  MessengerAttachmentsRepository,
  NOT_STORED,
  type RejectedFileSender,
  type RemoteAttachmentRow as AttachmentRow,
} from './messenger-attachments.repository';
import { isPublicPlace } from './public-place';
import { fileNotAcceptedRu, type FileRefusal } from './texts';

/** Channels whose media this fetcher downloads (ПОС files are the feeds' business). */
/** Channels whose files come as references to fetch: the messengers', and the links of a reception site's feed
 * (the site's own form keeps its files inline: never 'remote'). */
export const MEDIA_CHANNELS: Channel[] = [Channel.Telegram, Channel.Vk, Channel.Ok, Channel.Website];

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
    private readonly attachments: MessengerAttachmentsRepository,
    private readonly config: AppConfig,
    private readonly registry: ChannelRegistry,
    private readonly jobs: JobProducer,
    private readonly replies: BotReplies,
  ) {}

  /** Fetch jobs for the appeals' referenced files: one read and one round trip to Redis for them all. */
  async enqueueForAppeals(appealIds: string[]): Promise<void> {
    await this.enqueue(await this.attachments.remoteOfAppeals(appealIds));
  }

  /** References whose job got lost (a crash between registration and the hook): fetched again. */
  async sweep(): Promise<number> {
    const ids = await this.attachments.remoteOlderThan(MEDIA_CHANNELS, this.config.pendingSweepMs);
    await this.enqueue(ids, true);
    return ids.length;
  }

  async fetch(attachmentId: string): Promise<FetchOutcome> {
    const a = await this.attachments.one(attachmentId);
    if (!a || a.status !== 'remote' || !a.remote_ref || !MEDIA_CHANNELS.includes(a.channel as Channel))
      return 'not-remote';
    // A site feed's files come through the feed's own account (its answers go out by e-mail, another account).
    const entry =
      a.channel === Channel.Website
        ? await this.registry.accountOf('website-feed', a.account_id)
        : await this.registry.deliveryAccount(a.channel, a.account_id);
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
    // What the bytes are, not what the channel or the app said: an executable sent as a photo is not kept.
    if (!(await allowedChannelFile(a.file_name, file.content))) return this.reject(a, 'type-not-allowed');

    const sha256 = createHash('sha256').update(file.content).digest('hex');
    const outcome = await this.attachments.store(
      a,
      { sha256, content: file.content, contentType },
      this.config.attachmentMaxCount,
    );
    if (outcome === 'too-many') return this.reject(a, 'too-many');
    if (outcome === 'stored')
      this.log.info('attachment stored', { attachmentId: a.id, size: file.content.length });
    return outcome;
  }

  /**
   * Every attempt of a job failed: the channel would not hand the file over for now (`channel`: down, rate-limited,
   * its credentials; the file is still there), or our side fetched it and failed to keep it (the database's disk
   * full, or away). Fetched again by the sweep after ATTACHMENT_STORE_RETRY_MS, doubling; after
   * ATTACHMENT_STORE_ROUNDS such rounds it is marked not received — 'download-failed' or 'not-stored', shown on the
   * card — and the citizen is told, to send it again. A channel down for longer than one job's retries gave the
   * file up for good at once. Logged by id and round only.
   */
  async roundFailed(attachmentId: string, reason: string, side: 'channel' | 'ours'): Promise<void> {
    const counted = await this.attachments.roundFailed(
      attachmentId,
      this.config.attachmentStoreRetryMs,
      this.config.attachmentStoreRounds,
    );
    if (!counted) return;
    if (counted.givenUp) {
      if (side === 'channel')
        await this.reject({ id: attachmentId }, 'refused', undefined, `download-failed: ${reason}`);
      else await this.reject({ id: attachmentId }, NOT_STORED);
      this.log.error('attachment not received after every round; marked so', {
        attachmentId,
        side,
        rounds: counted.failures,
        reason,
      });
    } else
      this.log.warn('attachment not received; the sweep tries again later', {
        attachmentId,
        side,
        round: counted.failures,
        reason,
      });
  }

  /** `again`: the sweep's, past a finished job or a flush's husk holding the id (JobProducer.requeue). */
  private async enqueue(ids: string[], again = false): Promise<void> {
    await this.jobs[again ? 'requeue' : 'addBulk'](
      JobName.FetchAttachment,
      ids.map((id) => ({
        payload: { attachmentId: id },
        options: { jobId: `fetch:${id}`, removeOnComplete: true, backoff: { type: RETRY_AFTER_BACKOFF } },
      })),
    );
  }

  /** `recorded`: the reason kept for staff, when it says more than the refusal the citizen hears. */
  private async reject(
    a: Pick<AttachmentRow, 'id'>,
    reason: FileRefusal,
    contentType?: string,
    recorded: string = reason,
  ): Promise<'rejected'> {
    // Told first, then marked: marked first, a notice that failed (the database away) was never retried — the
    // retry found the file no reference any more. A retry after the notice tells no one twice (its source).
    const sender = await this.attachments.senderOf(a.id);
    if (sender) await this.tellSender(a.id, reason, sender);
    await this.attachments.reject(a.id, recorded, contentType);
    this.log.info('attachment rejected', { attachmentId: a.id, reason });
    return 'rejected';
  }

  /**
   * The citizen who sent a file we did not keep hears which and why, in the chat they sent it to (never on a
   * wall, in front of everyone): otherwise they believe staff see it. Once per file.
   */
  private async tellSender(attachmentId: string, reason: FileRefusal, sender: RejectedFileSender) {
    const { channel, authorExternalId, replyAddress } = sender;
    if (!(BOT_CHANNELS as readonly string[]).includes(channel) || !authorExternalId || !replyAddress) return;
    if (isPublicPlace(channel, replyAddress)) return;
    await this.replies.send({
      channel,
      accountId: sender.accountId ?? undefined,
      source: `attachment:${attachmentId}`,
      purpose: 'dialogue',
      authorExternalId,
      replyAddress,
      text: fileNotAcceptedRu(sender.registrationNumber, sender.fileName, reason, {
        maxMegabytes: Math.floor(this.config.attachmentMaxBytes / (1024 * 1024)),
        maxCount: this.config.attachmentMaxCount,
      }),
    });
  }
}
