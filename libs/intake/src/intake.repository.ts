import { Injectable } from '@nestjs/common';
import { cappedCountSql } from '@inbox/common';
import { type Db, SqlRepository } from '@inbox/database';
import { type InboundItemStatus, type StoredInboundItem } from './intake.entities';

/** A channel account as /health shows it: sync progress, errors and the remote side's pending work. */
export interface ChannelAccountHealth {
  channel: string;
  name: string;
  enabled: boolean;
  syncStage: string;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  consecutiveFailures: number;
  itemsReceived: number;
  itemsQuarantined: number;
  lastPullAt: Date | null;
  nextPullAt: Date | null;
  pendingActions: number;
  failedActions: number;
}

/**
 * The intake tables: `inbound_items` (what arrived, as it arrived), `attachment_contents` (content-addressed
 * bytes) and the progress columns of `channel_accounts` (cursor, counters).
 */
@Injectable()
export class IntakeRepository extends SqlRepository {
  async insertContents(contents: { sha256: string; content: Buffer }[], tx: Db): Promise<void> {
    await this.rows(
      `INSERT INTO attachment_contents (sha256, size, content)
       SELECT * FROM unnest($1::text[], $2::int[], $3::bytea[]) ON CONFLICT DO NOTHING`,
      [contents.map((c) => c.sha256), contents.map((c) => c.content.length), contents.map((c) => c.content)],
      tx,
    );
  }

  /** Inserts the items not stored before (unique on channel + external id); returns the new ones' ids. */
  insertItems(
    items: StoredInboundItem[],
    accountId: string | null,
    tx: Db,
  ): Promise<{ id: string; external_id: string }[]> {
    return this.rows(
      `INSERT INTO inbound_items (channel, external_id, account_id, received_at, payload)
       SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::timestamptz[], $5::jsonb[])
       ON CONFLICT (channel, external_id) DO NOTHING RETURNING id, external_id`,
      [
        items.map((i) => i.channel),
        items.map((i) => i.externalId),
        items.map(() => accountId),
        items.map((i) => i.receivedAt),
        items.map((i) => JSON.stringify(i)),
      ],
      tx,
    );
  }

  /** The stored items with these channel + external id pairs. */
  existingItems(
    keys: { channel: string; externalId: string }[],
    tx: Db,
  ): Promise<{ id: string; external_id: string; status: InboundItemStatus }[]> {
    return this.rows(
      `SELECT i.id, i.external_id, i.status FROM inbound_items i
         JOIN unnest($1::text[], $2::text[]) AS k(channel, external_id)
           ON i.channel = k.channel AND i.external_id = k.external_id`,
      [keys.map((k) => k.channel), keys.map((k) => k.externalId)],
      tx,
    );
  }

  /** The account's cursor (when given) and counters after a successful pull. */
  async advanceAccount(accountId: string, cursor: unknown, fresh: number, tx: Db): Promise<void> {
    await this.rows(
      `UPDATE channel_accounts SET cursor = COALESCE($2::jsonb, cursor), items_received = items_received + $3,
              last_success_at = now(), consecutive_failures = 0 WHERE id = $1`,
      [accountId, cursor === undefined ? null : JSON.stringify(cursor), fresh],
      tx,
    );
  }

  async pendingOlderThan(ms: number, limit: number): Promise<string[]> {
    // Made more than a minute in the database's future: its clock was stepped back since (an NTP step, `date -s`),
    // and by its age the item would wait out the whole step. Taken as old.
    const rows = await this.rows<{ id: string }>(
      `SELECT id FROM inbound_items
        WHERE status = 'pending'
          AND (created_at < now() - make_interval(secs => $1) OR created_at > now() + interval '1 minute')
        ORDER BY created_at LIMIT $2`,
      [ms / 1000, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Failed with the reason; with `retry`, for now: due again after `firstMs`, doubling per round (at most a day), by
   * the database's clock, while fewer than `rounds` rounds were spent — then for good.
   */
  async markFailed(
    inboundItemId: string,
    reason: string,
    retry?: { firstMs: number; rounds: number },
  ): Promise<void> {
    await this.rows(
      `UPDATE inbound_items SET status = 'failed', error = $2,
              retry_at = CASE WHEN retry_rounds < $4 THEN
                now() + make_interval(secs => least($3::float8 / 1000 * power(2, least(retry_rounds, 30)), 86400)) END
        WHERE id = $1 AND status = 'pending'`,
      [inboundItemId, reason, retry?.firstMs ?? 0, retry?.rounds ?? 0],
    );
  }

  /** Failed items whose next round is due: pending again, the round counted. */
  async retryDueFailed(limit: number): Promise<string[]> {
    const rows = await this.rows<{ id: string }>(
      `UPDATE inbound_items SET status = 'pending', retry_at = NULL, retry_rounds = retry_rounds + 1
        WHERE id IN (SELECT id FROM inbound_items WHERE status = 'failed' AND retry_at <= now()
                      ORDER BY retry_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /** Items not (yet) processed, by status. */
  backlogByStatus(): Promise<{ status: InboundItemStatus; count: number }[]> {
    return this.rows(BACKLOG_SQL);
  }

  accountsHealth(): Promise<ChannelAccountHealth[]> {
    return this.rows<ChannelAccountHealth>(ACCOUNTS_HEALTH_SQL);
  }
}

/**
 * /health's intake backlog: each status not processed counted through the partial index of unprocessed items and
 * capped at HEALTH_COUNT_CAP (issue 18), so a backlog of millions costs what one of a thousand does; statuses with
 * nothing waiting are left out.
 */
export const BACKLOG_SQL = `SELECT status, count FROM (
    SELECT 'pending' AS status, ${cappedCountSql(`FROM inbound_items WHERE status = 'pending'`)} AS count
    UNION ALL SELECT 'quarantined', ${cappedCountSql(`FROM inbound_items WHERE status = 'quarantined'`)}
    UNION ALL SELECT 'failed', ${cappedCountSql(`FROM inbound_items WHERE status = 'failed'`)}
  ) s WHERE count > 0`;

/** /health's channel accounts with their open feed actions (counted through a partial index, capped). */
export const ACCOUNTS_HEALTH_SQL = `SELECT channel, name, enabled, sync_stage AS "syncStage", last_success_at AS "lastSuccessAt",
              last_error AS "lastError", last_error_at AS "lastErrorAt",
              consecutive_failures AS "consecutiveFailures", items_received::int AS "itemsReceived",
              items_quarantined::int AS "itemsQuarantined", last_pull_at AS "lastPullAt",
              next_pull_at AS "nextPullAt",
              -- Feed actions (ПОС status pushes, file fetches) waiting on or refused by the remote side.
              ${cappedCountSql(`FROM feed_actions f WHERE f.account_id = c.id AND f.state = 'pending'`)}
                AS "pendingActions",
              ${cappedCountSql(`FROM feed_actions f WHERE f.account_id = c.id AND f.state = 'failed'`)}
                AS "failedActions"
         FROM channel_accounts c ORDER BY channel, name`;
