import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** An account's pull state: where it stopped and when it may pull again. */
export interface PullState {
  cursor: unknown;
  nextPullAt: Date | null;
  consecutiveFailures: number;
}

export interface QuarantinedInput {
  externalId?: string;
  reason: string;
  raw?: unknown;
}

/** One input kept aside, as staff see it: what came, through which account, and why it is not an appeal. */
export interface QuarantineEntry {
  /** 'input': the connector could not read it; 'item': read, but the core could not register it. */
  source: 'input' | 'item';
  id: string;
  channel: string;
  accountName: string | null;
  externalId: string | null;
  reason: string;
  at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Both kinds of kept inputs as one relation; what the channel sent only when asked for (`raw`). */
function quarantineSql(withRaw: boolean): string {
  return `SELECT 'input' AS source, q.id::text AS id, q.channel, a.name AS "accountName",
                 q.external_id AS "externalId", q.reason, q.created_at AS at${withRaw ? ', q.raw' : ''}
            FROM quarantined_inputs q LEFT JOIN channel_accounts a ON a.id = q.account_id
          UNION ALL
          SELECT 'item', i.id::text, i.channel, a.name, i.external_id, coalesce(i.error, ''),
                 coalesce(i.processed_at, i.created_at)${withRaw ? ', i.payload' : ''}
            FROM inbound_items i LEFT JOIN channel_accounts a ON a.id = i.account_id
           WHERE i.status = 'quarantined'`;
}

/**
 * The channel_accounts table (settings, cursor, pull health and back-off) and the quarantine of inputs a
 * connector could not read. Secrets never reach this table.
 */
@Injectable()
export class ChannelAccountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The account row for an account configured by name; settings are refreshed, the row re-enabled. */
  async upsert(account: {
    channel: string;
    name: string;
    settings: Record<string, unknown>;
  }): Promise<string> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO channel_accounts (channel, name, settings) VALUES ($1, $2, $3)
       ON CONFLICT (channel, name) DO UPDATE SET settings = EXCLUDED.settings, enabled = true RETURNING id`,
      [account.channel, account.name, account.settings],
    )) as { id: string }[];
    return row.id;
  }

  async pullState(accountId: string): Promise<PullState | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT cursor, next_pull_at, consecutive_failures FROM channel_accounts WHERE id = $1`,
      [accountId],
    )) as { cursor: unknown; next_pull_at: Date | null; consecutive_failures: number }[];
    return row
      ? { cursor: row.cursor, nextPullAt: row.next_pull_at, consecutiveFailures: row.consecutive_failures }
      : undefined;
  }

  async markPulling(accountId: string): Promise<void> {
    await this.dataSource.query(`UPDATE channel_accounts SET sync_stage = 'pulling' WHERE id = $1`, [
      accountId,
    ]);
  }

  async markPulled(accountId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE channel_accounts SET sync_stage = 'idle', last_pull_at = now(), last_success_at = now(),
              consecutive_failures = 0, next_pull_at = NULL WHERE id = $1`,
      [accountId],
    );
  }

  /** A failed pull: the error shown, the next pull backed off; an invalid cursor is dropped. */
  async recordFailure(
    accountId: string,
    failure: {
      stage: 'auth-failed' | 'backing-off';
      error: string;
      failures: number;
      backoffMs: number;
      dropCursor: boolean;
    },
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE channel_accounts SET sync_stage = $2, last_error = $3, last_error_at = now(),
              consecutive_failures = $4, next_pull_at = now() + make_interval(secs => $5),
              cursor = CASE WHEN $6 THEN NULL ELSE cursor END WHERE id = $1`,
      [
        accountId,
        failure.stage,
        failure.error.slice(0, 1000),
        failure.failures,
        failure.backoffMs / 1000,
        failure.dropCursor,
      ],
    );
  }

  /**
   * The newest inputs kept aside, both kinds: those no connector could read (quarantined_inputs) and items read
   * but refused by the core (inbound_items in quarantine), newest first. Without what the channel sent: that may
   * carry a citizen's personal data and is read one entry at a time ({@link quarantinedInput}).
   */
  async quarantined(filter: { channel?: string; limit: number }): Promise<QuarantineEntry[]> {
    return (await this.dataSource.query(
      `SELECT * FROM (${quarantineSql(false)}) kept
        WHERE $1::text IS NULL OR channel = $1 ORDER BY at DESC, id DESC LIMIT $2`,
      [filter.channel ?? null, filter.limit],
    )) as QuarantineEntry[];
  }

  /** One entry with what the channel sent, whole; undefined when there is no such entry. */
  async quarantinedInput(
    source: QuarantineEntry['source'],
    id: string,
  ): Promise<(QuarantineEntry & { raw: unknown }) | undefined> {
    const valid = source === 'input' ? /^\d{1,18}$/.test(id) : UUID.test(id);
    if (!valid) return undefined;
    const [row] = (await this.dataSource.query(
      `SELECT * FROM (${quarantineSql(true)}) kept WHERE source = $1 AND id = $2`,
      [source, id],
    )) as (QuarantineEntry & { raw: unknown })[];
    return row;
  }

  /** Inputs the connector could not read, kept whole with the reason; counted on the account. */
  async quarantine(channel: string, accountId: string, inputs: QuarantinedInput[]): Promise<void> {
    if (inputs.length === 0) return;
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO quarantined_inputs (channel, account_id, external_id, reason, raw)
         SELECT $1, $2, q.external_id, q.reason, q.raw FROM jsonb_to_recordset($3::jsonb)
           AS q(external_id text, reason text, raw jsonb)`,
        [
          channel,
          accountId,
          JSON.stringify(
            inputs.map((q) => ({ external_id: q.externalId ?? null, reason: q.reason, raw: q.raw ?? null })),
            jsonbSafe,
          ),
        ],
      );
      await tx.query(`UPDATE channel_accounts SET items_quarantined = items_quarantined + $2 WHERE id = $1`, [
        accountId,
        inputs.length,
      ]);
    });
  }
}

/**
 * jsonb refuses NUL and unpaired UTF-16 surrogates, which broken payloads do carry (a half emoji): those become
 * U+FFFD, so the one input we most need to keep is not lost to the quarantine's own insert. A Buffer is kept as text.
 */
function jsonbSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'string') {
    return value
      .replaceAll('\u0000', '\uFFFD')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  }
  if (isSerialisedBuffer(value)) return Buffer.from(value.data).toString('utf8');
  return value;
}

function isSerialisedBuffer(value: unknown): value is { type: 'Buffer'; data: number[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  );
}
