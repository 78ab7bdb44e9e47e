import { Injectable } from '@nestjs/common';
import { AppealHistoryRepository } from '@inbox/appeals';
import { rootLogger } from '@inbox/common';
import { Transactions } from '@inbox/database';
import { OutboundMessagesRepository } from '@inbox/delivery';
import { type OutboundMessage } from '@inbox/integrations/contract';
import { JobName, JobProducer } from '@inbox/queue';
import { type FeedActionKind, type FeedActionRow, FeedActionsRepository } from './feed-actions.repository';

/**
 * Each action an appeal's history owes a channel, recorded once (kind + dedupe key), so hooks stay
 * idempotent however often the outbox replays them.
 */
@Injectable()
export class FeedActions {
  private readonly log = rootLogger.child('feed-actions');

  constructor(
    private readonly repository: FeedActionsRepository,
    private readonly transactions: Transactions,
    private readonly messages: OutboundMessagesRepository,
    private readonly history: AppealHistoryRepository,
    private readonly jobs: JobProducer,
  ) {}

  /** A remote call to make later (pending), or one that cannot be made (skipped, with the reason). */
  schedule(input: {
    kind: FeedActionKind;
    dedupeKey: string;
    appealId: string;
    accountId?: string;
    payload?: Record<string, unknown>;
    skipReason?: string;
  }): Promise<boolean> {
    return this.repository.insert({
      kind: input.kind,
      dedupeKey: input.dedupeKey,
      appealId: input.appealId,
      accountId: input.accountId ?? null,
      payload: input.payload ?? {},
      skipReason: input.skipReason ?? null,
    });
  }

  /**
   * An outbound message to the applicant, queued once per kind + key: the claim and the message commit
   * together, delivery is enqueued after the commit (the delivery sweep covers a lost enqueue).
   */
  async queueMessageOnce(input: {
    kind: FeedActionKind;
    dedupeKey: string;
    appealId: string;
    channel: string;
    messageKind: OutboundMessage['kind'];
    text: string;
    subject?: string;
  }): Promise<string | undefined> {
    const messageId = await this.transactions.run(async (tx) => {
      const claimId = await this.repository.claimDone(tx, input.kind, input.dedupeKey, input.appealId);
      if (!claimId) return undefined;
      const id = await this.messages.queue(tx, {
        appealId: input.appealId,
        channel: input.channel,
        kind: input.messageKind,
        text: input.text,
        subject: input.subject ?? null,
      });
      await this.repository.linkMessage(tx, claimId, id);
      return id;
    });
    if (!messageId) return undefined;
    await this.jobs.addDelivery(JobName.DeliverOutboundMessage, { outboundMessageId: messageId }, this.log);
    this.log.info('notice queued', {
      kind: input.kind,
      appealId: input.appealId,
      outboundMessageId: messageId,
    });
    return messageId;
  }

  /** Pending actions of a kind whose time has come, oldest first (ПОС must see statuses in order). */
  due(kind: FeedActionKind, limit: number, now = new Date()): Promise<FeedActionRow[]> {
    return this.repository.due(kind, limit, now);
  }

  done(id: string): Promise<void> {
    return this.repository.done(id);
  }

  retryLater(id: string, reason: string, delayMs: number): Promise<void> {
    return this.repository.retryLater(id, reason.slice(0, 1000), delayMs);
  }

  /** Failed for good: kept with the reason and shown in the appeal's history. */
  async fail(row: FeedActionRow, reason: string): Promise<void> {
    const kept = reason.slice(0, 1000);
    await this.transactions.run(async (tx) => {
      await this.repository.fail(tx, row.id, kept);
      await this.history.append(tx, row.appeal_id, 'feed-action-failed', null, {
        feedActionId: row.id,
        kind: row.kind,
        reason: kept,
      });
    });
  }
}
