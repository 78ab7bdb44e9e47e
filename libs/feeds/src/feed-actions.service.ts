import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rootLogger } from '@inbox/common';
import { type OutboundMessage } from '@inbox/integrations/contract';
import { JobName, JobProducer } from '@inbox/queue';

export type FeedActionKind = 'pos-status' | 'pos-files' | 'email-547-notice' | 'medo-receipt';

export interface FeedActionRow {
  id: string;
  kind: FeedActionKind;
  dedupe_key: string;
  appeal_id: string;
  account_id: string | null;
  payload: Record<string, unknown>;
  attempts: number;
}

/**
 * The feed_actions table: each action an appeal's history owes a channel, recorded once (kind + dedupe
 * key), so hooks stay idempotent however often the outbox replays them.
 */
@Injectable()
export class FeedActions {
  private readonly log = rootLogger.child('feed-actions');

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobProducer,
  ) {}

  /** A remote call to make later (pending), or one that cannot be made (skipped, with the reason). */
  async schedule(input: {
    kind: FeedActionKind;
    dedupeKey: string;
    appealId: string;
    accountId?: string;
    payload?: Record<string, unknown>;
    skipReason?: string;
  }): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `INSERT INTO feed_actions (kind, dedupe_key, appeal_id, account_id, payload, state, last_error, done_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $6 = 'skipped' THEN now() END)
       ON CONFLICT (kind, dedupe_key) DO NOTHING RETURNING id`,
      [
        input.kind,
        input.dedupeKey,
        input.appealId,
        input.accountId ?? null,
        input.payload ?? {},
        input.skipReason ? 'skipped' : 'pending',
        input.skipReason ?? null,
      ],
    )) as unknown[];
    return rows.length > 0;
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
    const messageId = await this.dataSource.transaction(async (tx) => {
      const [claim] = (await tx.query(
        `INSERT INTO feed_actions (kind, dedupe_key, appeal_id, state, done_at) VALUES ($1, $2, $3, 'done', now())
         ON CONFLICT (kind, dedupe_key) DO NOTHING RETURNING id`,
        [input.kind, input.dedupeKey, input.appealId],
      )) as { id: string }[];
      if (!claim) return undefined;
      const [message] = (await tx.query(
        `INSERT INTO outbound_messages (appeal_id, channel, kind, text, subject) VALUES ($1, $2, $3, $4, $5)
         RETURNING id`,
        [input.appealId, input.channel, input.messageKind, input.text, input.subject ?? null],
      )) as { id: string }[];
      await tx.query(`UPDATE feed_actions SET outbound_message_id = $2 WHERE id = $1`, [
        claim.id,
        message.id,
      ]);
      return message.id;
    });
    if (!messageId) return undefined;
    await this.jobs
      .add(JobName.DeliverOutboundMessage, { outboundMessageId: messageId }, { jobId: messageId })
      .catch((error: unknown) =>
        this.log.warn('delivery not enqueued; the sweep will pick it up', {
          outboundMessageId: messageId,
          reason: error,
        }),
      );
    this.log.info('notice queued', {
      kind: input.kind,
      appealId: input.appealId,
      outboundMessageId: messageId,
    });
    return messageId;
  }

  /** Pending actions of a kind whose time has come, oldest first (ПОС must see statuses in order). */
  async due(kind: FeedActionKind, limit: number, now = new Date()): Promise<FeedActionRow[]> {
    return (await this.dataSource.query(
      `SELECT id::text, kind, dedupe_key, appeal_id, account_id, payload, attempts FROM feed_actions
        WHERE kind = $1 AND state = 'pending' AND next_attempt_at <= $2 ORDER BY id LIMIT $3`,
      [kind, now, limit],
    )) as FeedActionRow[];
  }

  async done(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE feed_actions SET state = 'done', done_at = now(), attempts = attempts + 1, last_error = NULL
        WHERE id = $1`,
      [id],
    );
  }

  async retryLater(id: string, reason: string, delayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE feed_actions SET attempts = attempts + 1, last_error = $2,
              next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
      [id, reason.slice(0, 1000), delayMs / 1000],
    );
  }

  /** Failed for good: kept with the reason and shown in the appeal's history. */
  async fail(row: FeedActionRow, reason: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `UPDATE feed_actions SET state = 'failed', attempts = attempts + 1, last_error = $2, done_at = now()
          WHERE id = $1`,
        [row.id, reason.slice(0, 1000)],
      );
      await tx.query(
        `INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'feed-action-failed', $2)`,
        [row.appeal_id, { feedActionId: row.id, kind: row.kind, reason: reason.slice(0, 1000) }],
      );
    });
  }
}
