import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppealHistoryRepository } from '@inbox/appeals';
import { rootLogger } from '@inbox/common';
import { Transactions } from '@inbox/database';
import { OutboundMessagesRepository } from '@inbox/delivery';
import { type OutboundMessage } from '@inbox/integrations/contract';
import { JobProducer } from '@inbox/queue';
import { type FeedActionKind, type FeedActionRow, FeedActionsRepository } from './feed-actions.repository';

/** A notice a feed owes the applicant: queued once per kind + dedupe key. */
export interface QueuedFeedMessage {
  kind: FeedActionKind;
  dedupeKey: string;
  appealId: string;
  channel: string;
  messageKind: OutboundMessage['kind'];
  text: string;
  subject?: string;
}

const claimKey = (c: { kind: string; dedupeKey: string }) => `${c.kind}\u0000${c.dedupeKey}`;

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

  /**
   * Remote calls to make later (pending), or that cannot be made (skipped, with the reason), each recorded once
   * per kind + key, in one statement: the dedupe keys recorded now.
   */
  async schedule(
    inputs: {
      kind: FeedActionKind;
      dedupeKey: string;
      appealId: string;
      accountId?: string;
      payload?: Record<string, unknown>;
      skipReason?: string;
    }[],
  ): Promise<Set<string>> {
    const recorded = await this.repository.insert(
      inputs.map((input) => ({
        kind: input.kind,
        dedupeKey: input.dedupeKey,
        appealId: input.appealId,
        accountId: input.accountId ?? null,
        payload: input.payload ?? {},
        skipReason: input.skipReason ?? null,
      })),
    );
    return new Set(recorded);
  }

  /**
   * Outbound messages to applicants, each queued once per kind + key, set-based: the claims and the messages
   * commit together (three statements for the batch), deliveries are enqueued after the commit in one round trip
   * (the delivery sweep covers a lost enqueue). Returns the ids of the messages queued now.
   */
  async queueMessagesOnce(inputs: QueuedFeedMessage[]): Promise<string[]> {
    if (inputs.length === 0) return [];
    const byKey = new Map(inputs.map((input) => [claimKey(input), input]));
    const queued = await this.transactions.run(async (tx) => {
      const claims = await this.repository.claimDone(
        tx,
        [...byKey.values()].map(({ kind, dedupeKey, appealId }) => ({ kind, dedupeKey, appealId })),
      );
      const messages = claims.map((claim) => {
        const input = byKey.get(claimKey(claim))!;
        return {
          actionId: claim.id,
          messageId: randomUUID(),
          kind: input.kind,
          appealId: input.appealId,
          message: {
            appealId: input.appealId,
            channel: input.channel,
            kind: input.messageKind,
            text: input.text,
            subject: input.subject ?? null,
          },
        };
      });
      await this.messages.queue(
        tx,
        messages.map((m) => ({ ...m.message, id: m.messageId })),
      );
      await this.repository.linkMessages(tx, messages);
      return messages;
    });
    const ids = queued.map((m) => m.messageId);
    // Queued by this transaction a moment ago: each in its first run (deliveryJobId of round 0, no retry).
    await this.jobs.addMessageDeliveries(
      ids.map((id) => ({ id, round: 0, retries: 0 })),
      this.log,
    );
    for (const m of queued)
      this.log.info('notice queued', { kind: m.kind, appealId: m.appealId, outboundMessageId: m.messageId });
    return ids;
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
