import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';

export type FeedActionKind =
  | 'pos-status'
  | 'pos-files'
  | 'email-547-notice'
  | 'email-registration-notice'
  | 'medo-receipt';

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
  /** Records each action unless recorded already, in one statement; the dedupe keys recorded by this call. */
  async insert(
    actions: {
      kind: FeedActionKind;
      dedupeKey: string;
      appealId: string;
      accountId: string | null;
      payload: Record<string, unknown>;
      skipReason: string | null;
    }[],
  ): Promise<string[]> {
    if (actions.length === 0) return [];
    const rows = await this.rows<{ dedupe_key: string }>(
      `INSERT INTO feed_actions (kind, dedupe_key, appeal_id, account_id, payload, state, last_error, done_at)
       SELECT a."kind", a."dedupeKey", a."appealId", a."accountId", a."payload",
              CASE WHEN a."skipReason" IS NULL THEN 'pending' ELSE 'skipped' END, a."skipReason",
              CASE WHEN a."skipReason" IS NOT NULL THEN now() END
         FROM jsonb_to_recordset($1::jsonb)
           AS a("kind" text, "dedupeKey" text, "appealId" uuid, "accountId" uuid, "payload" jsonb, "skipReason" text)
       ON CONFLICT (kind, dedupe_key) DO NOTHING RETURNING dedupe_key`,
      [JSON.stringify(actions)],
    );
    return rows.map((r) => r.dedupe_key);
  }

  /**
   * Claims each kind + key as done at once, in one statement: the claims made now (a key claimed before gives
   * none).
   */
  async claimDone(
    tx: Db,
    claims: { kind: FeedActionKind; dedupeKey: string; appealId: string }[],
  ): Promise<{ id: string; kind: FeedActionKind; dedupeKey: string }[]> {
    if (claims.length === 0) return [];
    return this.rows<{ id: string; kind: FeedActionKind; dedupeKey: string }>(
      `INSERT INTO feed_actions (kind, dedupe_key, appeal_id, state, done_at)
       SELECT c."kind", c."dedupeKey", c."appealId", 'done', now()
         FROM jsonb_to_recordset($1::jsonb) AS c("kind" text, "dedupeKey" text, "appealId" uuid)
       ON CONFLICT (kind, dedupe_key) DO NOTHING RETURNING id::text, kind, dedupe_key AS "dedupeKey"`,
      [JSON.stringify(claims)],
      tx,
    );
  }

  /** Links each claimed action to the message it queued. */
  async linkMessages(tx: Db, links: { actionId: string; messageId: string }[]): Promise<void> {
    if (links.length === 0) return;
    await this.rows(
      `UPDATE feed_actions f SET outbound_message_id = l.message_id
         FROM unnest($1::bigint[], $2::uuid[]) AS l(id, message_id) WHERE f.id = l.id`,
      [links.map((l) => l.actionId), links.map((l) => l.messageId)],
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
