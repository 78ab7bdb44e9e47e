import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { allowedChannelFile, toSafeText } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { Transactions } from '@inbox/database';
import { type InboundItem } from '@inbox/integrations/contract';
import { JobName, JobProducer } from '@inbox/queue';
import { type InboundItemStatus, type StoredAttachmentRef, type StoredInboundItem } from './intake.entities';
import { type ChannelAccountHealth, IntakeRepository } from './intake.repository';

export type { ChannelAccountHealth } from './intake.repository';

export interface StoredItemResult {
  externalId: string;
  inboundItemId: string;
  /** The same channel + external id had arrived before: nothing new was stored. */
  duplicate: boolean;
  status: string;
}

export interface StoreOptions {
  /** The account the items came from; its cursor advances in the same transaction as the items. */
  accountId?: string;
  cursor?: unknown;
  /**
   * Enqueue normalisation after the commit (default). A caller that registers synchronously (the web form,
   * which must answer with a number) passes false; the pending sweep still covers a crash.
   */
  enqueue?: boolean;
}

const BATCH = 500;
/** Items per normalisation job: small enough that one slow item delays few others (the ingest bench's fair bound uses it too). */
export const NORMALISE_BATCH = 25;
/**
 * Files one item brings at most (a letter with a hundred scans still fits); the rest are one rejected entry that
 * says how many there were. Every file is a row, a sniff and a hash: a 64 MB letter of empty MIME parts, or a
 * channel's list of a million references, would otherwise become as many attachments of one appeal.
 */
export const MAX_ITEM_FILES = 100;

/**
 * Step one of intake: store what arrived, idempotently, before anything else happens to it. One
 * transaction stores the items (unique on channel + external id) and advances the account's cursor, so
 * a crash anywhere re-pulls harmlessly: nothing is lost, nothing doubles.
 */
@Injectable()
export class InboundStore {
  constructor(
    private readonly intake: IntakeRepository,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    private readonly jobs: JobProducer,
  ) {}

  async store(items: InboundItem[], options: StoreOptions = {}): Promise<StoredItemResult[]> {
    const prepared = await Promise.all(items.map((item) => this.prepare(item)));
    const results: StoredItemResult[] = await this.transactions.run(async (tx) => {
      const out: StoredItemResult[] = [];
      for (let i = 0; i < prepared.length; i += BATCH) {
        const batch = prepared.slice(i, i + BATCH);
        const contents = batch.flatMap((p) => p.contents);
        if (contents.length > 0) await this.intake.insertContents(contents, tx);
        const inserted = await this.intake.insertItems(
          batch.map((p) => p.stored),
          options.accountId ?? null,
          tx,
        );
        const fresh = new Map(inserted.map((r) => [r.external_id, r.id]));
        const missing = batch.filter((p) => !fresh.has(p.stored.externalId));
        const existing = new Map<string, { id: string; status: string }>();
        if (missing.length > 0) {
          const rows = await this.intake.existingItems(
            missing.map((p) => ({ channel: p.stored.channel, externalId: p.stored.externalId })),
            tx,
          );
          for (const r of rows) existing.set(r.external_id, r);
        }
        for (const p of batch) {
          const id = fresh.get(p.stored.externalId);
          if (id)
            out.push({
              externalId: p.stored.externalId,
              inboundItemId: id,
              duplicate: false,
              status: 'pending',
            });
          else {
            const old = existing.get(p.stored.externalId)!;
            out.push({
              externalId: p.stored.externalId,
              inboundItemId: old.id,
              duplicate: true,
              status: old.status,
            });
          }
        }
      }
      if (options.accountId) {
        const freshCount = out.filter((r) => !r.duplicate).length;
        await this.intake.advanceAccount(options.accountId, options.cursor, freshCount, tx);
      }
      return out;
    });

    if (options.enqueue !== false) {
      // A duplicate that is still pending is enqueued again: the job id keeps it single in the queue.
      await this.enqueue(results.filter((r) => r.status === 'pending').map((r) => r.inboundItemId));
    }
    return results;
  }

  /**
   * Normalisation jobs for stored items, in batches: one queue round trip per batch instead of per item
   * (the queue, not Postgres, is what limits a single item's cost). The job id names the batch's items, so
   * enqueuing the same batch twice is one job; registration is idempotent per item anyway. `again`: a sweep's
   * items, which a finished job (or a husk left by a flush) holding the same id must not keep out of the queue.
   */
  async enqueue(inboundItemIds: string[], options: { again?: boolean } = {}): Promise<void> {
    const batches: string[][] = [];
    for (let i = 0; i < inboundItemIds.length; i += NORMALISE_BATCH)
      batches.push(inboundItemIds.slice(i, i + NORMALISE_BATCH));
    await this.jobs[options.again ? 'requeue' : 'addBulk'](
      JobName.NormaliseInboundBatch,
      batches.map((ids) => ({
        payload: { inboundItemIds: ids },
        options: {
          jobId: ids.length === 1 ? ids[0] : createHash('sha1').update(ids.join(',')).digest('hex'),
        },
      })),
    );
  }

  /** Items stored but not normalised for a while: re-enqueue them (a crash between commit and enqueue). */
  pendingOlderThan(ms: number, limit = 5000): Promise<string[]> {
    return this.intake.pendingOlderThan(ms, limit);
  }

  /**
   * Every attempt failed: failed for now, returned to registration by the intake sweep after INTAKE_RETRY_FAILED_MS,
   * doubling, INTAKE_RETRY_ROUNDS times (an outage outlasts a job's retries); `permanent`: for good at once.
   */
  async markFailed(
    inboundItemId: string,
    reason: string,
    options: { permanent?: boolean } = {},
  ): Promise<void> {
    const retry = options.permanent
      ? undefined
      : { firstMs: this.config.intakeRetryFailedMs, rounds: this.config.intakeRetryRounds };
    await this.intake.markFailed(inboundItemId, reason.slice(0, 1000), retry);
  }

  /** Failed items whose next round is due, pending again and queued (the intake sweep's). */
  async retryDueFailed(limit = 5000): Promise<number> {
    const ids = await this.intake.retryDueFailed(limit);
    await this.enqueue(ids, { again: true });
    return ids.length;
  }

  /** Items stored but not processed, by status (for /health). */
  async backlog(): Promise<Partial<Record<InboundItemStatus, number>>> {
    return Object.fromEntries((await this.intake.backlogByStatus()).map((r) => [r.status, r.count]));
  }

  /** Every channel account with its sync progress and errors (for /health). */
  channelAccounts(): Promise<ChannelAccountHealth[]> {
    return this.intake.accountsHealth();
  }

  /**
   * Moves inline attachment bytes out of the payload into content-addressed storage, enforcing limits. A file
   * whose bytes are not on the channels' allow-list (an executable, whatever its name) is kept as a reference
   * marked `type-not-allowed`: its bytes are never stored, so never served.
   */
  private async prepare(item: InboundItem): Promise<{
    stored: StoredInboundItem;
    contents: { sha256: string; content: Buffer }[];
  }> {
    const contents: { sha256: string; content: Buffer }[] = [];
    const all = item.attachments ?? [];
    const refs = all.slice(0, MAX_ITEM_FILES).map(async (a, index): Promise<StoredAttachmentRef> => {
      const base = {
        fileName: a.fileName || `file-${index + 1}`,
        contentType: a.contentType || 'application/octet-stream',
        ...(a.uniqueKey ? { uniqueKey: a.uniqueKey } : {}),
      };
      if (a.contentBase64 === undefined) {
        return { ...base, size: a.size ?? 0, remoteRef: a.remoteRef };
      }
      const content = Buffer.from(a.contentBase64, 'base64');
      if (content.length > this.config.attachmentMaxBytes) {
        return { ...base, size: content.length, rejectionReason: 'too-large' };
      }
      if (content.length === 0) return { ...base, size: 0, rejectionReason: 'empty' };
      if (!(await allowedChannelFile(base.fileName, content))) {
        return { ...base, size: content.length, rejectionReason: 'type-not-allowed' };
      }
      const sha256 = createHash('sha256').update(content).digest('hex');
      contents.push({ sha256, content });
      return { ...base, size: content.length, sha256 };
    });
    const attachments = await Promise.all(refs);
    if (all.length > MAX_ITEM_FILES) {
      attachments.push({
        fileName: `Остальные файлы (${all.length - MAX_ITEM_FILES} шт.) не приняты`,
        contentType: 'application/octet-stream',
        size: 0,
        rejectionReason: 'too-many',
      });
    }
    // A NUL or a lone surrogate from a channel (a mis-decoded letter, a JSON escape) would fail the page's insert.
    const stored: StoredInboundItem = toSafeText({ ...item, attachments });
    if (attachments.length === 0) delete stored.attachments;
    return { stored, contents };
  }
}
