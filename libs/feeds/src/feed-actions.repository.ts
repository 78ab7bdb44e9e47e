import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';

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
 * The `feed_actions` table (one row per kind + dedupe key). The message a notice action queues is written by
 * libs/delivery, the history event of an action that failed for good by libs/appeals.
 */
@Injectable()
export class FeedActionsRepository extends SqlRepository {
  /** Records the action unless recorded already; true when this call recorded it. */
  async insert(input: {
    kind: FeedActionKind;
    dedupeKey: string;
    appealId: string;
    accountId: string | null;
    payload: Record<string, unknown>;
    skipReason: string | null;
  }): Promise<boolean> {
    const rows = await this.rows(
      `INSERT INTO feed_actions (kind, dedupe_key, appeal_id, account_id, payload, state, last_error, done_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $6 = 'skipped' THEN now() END)
       ON CONFLICT (kind, dedupe_key) DO NOTHING RETURNING id`,
      [
        input.kind,
        input.dedupeKey,
        input.appealId,
        input.accountId,
        input.payload,
        input.skipReason ? 'skipped' : 'pending',
        input.skipReason,
      ],
    );
    return rows.length > 0;
  }

  /** Claims kind + key as done at once; the claim's id, or undefined when claimed before. */
  async claimDone(
    tx: Db,
    kind: FeedActionKind,
    dedupeKey: string,
    appealId: string,
  ): Promise<string | undefined> {
    const row = await this.one<{ id: string }>(
      `INSERT INTO feed_actions (kind, dedupe_key, appeal_id, state, done_at) VALUES ($1, $2, $3, 'done', now())
       ON CONFLICT (kind, dedupe_key) DO NOTHING RETURNING id`,
      [kind, dedupeKey, appealId],
      tx,
    );
    return row?.id;
  }

  /** Links the claimed action to the message it queued. */
  async linkMessage(tx: Db, actionId: string, messageId: string): Promise<void> {
    await this.rows(
      `UPDATE feed_actions SET outbound_message_id = $2 WHERE id = $1`,
      [actionId, messageId],
      tx,
    );
  }

  due(kind: FeedActionKind, limit: number, now: Date): Promise<FeedActionRow[]> {
    return this.rows<FeedActionRow>(
      `SELECT id::text, kind, dedupe_key, appeal_id, account_id, payload, attempts FROM feed_actions
        WHERE kind = $1 AND state = 'pending' AND next_attempt_at <= $2 ORDER BY id LIMIT $3`,
      [kind, now, limit],
    );
  }

  async done(id: string): Promise<void> {
    await this.rows(
      `UPDATE feed_actions SET state = 'done', done_at = now(), attempts = attempts + 1, last_error = NULL
        WHERE id = $1`,
      [id],
    );
  }

  async retryLater(id: string, reason: string, delayMs: number): Promise<void> {
    await this.rows(
      `UPDATE feed_actions SET attempts = attempts + 1, last_error = $2,
              next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
      [id, reason, delayMs / 1000],
    );
  }

  /** Failed for good: kept with the reason. */
  async fail(tx: Db, id: string, reason: string): Promise<void> {
    await this.rows(
      `UPDATE feed_actions SET state = 'failed', attempts = attempts + 1, last_error = $2, done_at = now()
        WHERE id = $1`,
      [id, reason],
      tx,
    );
  }
}
