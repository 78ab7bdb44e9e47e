import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rowsOf } from '@inbox/common';
import { ACCOUNT_STATE_KEPT, type AccountState } from '@inbox/integrations/contract';
import { type ChannelAccountHealth } from '@inbox/intake';

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

/** An account row as the registry and the administration read it (secrets sealed, never decrypted here). */
export interface StoredAccount {
  id: string;
  kind: string;
  channel: string;
  name: string;
  organisationId: string | null;
  source: 'env' | 'admin';
  enabled: boolean;
  settings: Record<string, unknown>;
  secretsEncrypted: string | null;
  secretEnv: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

/** An account's pull health, as /health shows it. */
export type AccountHealth = Omit<
  ChannelAccountHealth,
  'channel' | 'name' | 'enabled' | 'pendingActions' | 'failedActions'
>;

export interface NewStoredAccount {
  kind: string;
  channel: string;
  name: string;
  organisationId: string | null;
  settings: Record<string, unknown>;
  secretsEncrypted: string | null;
  secretEnv: Record<string, string>;
  enabled: boolean;
}

const STORED_ACCOUNT_COLUMNS = `id, kind, channel, name, organisation_id AS "organisationId", source, enabled, settings,
       secrets_encrypted AS "secretsEncrypted", secret_env AS "secretEnv", created_at AS "createdAt",
       updated_at AS "updatedAt"`;
const STORED_ACCOUNT_SQL = `SELECT ${STORED_ACCOUNT_COLUMNS} FROM channel_accounts`;

/**
 * The channel_accounts table (settings, cursor, pull health and back-off) and the quarantine of inputs a
 * connector could not read. Secrets reach this table only sealed (SecretBox), or named by environment variable.
 */
@Injectable()
export class ChannelAccountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The row of the implicit account of a kind configured by environment variables; settings are refreshed, the row
   * re-enabled. An administrator's account of the same channel and name is never taken over: that stops the boot.
   */
  async upsert(account: {
    /** The connector kind; by default the channel's own ('website' is a site's feed). */
    kind?: string;
    channel: string;
    name: string;
    settings: Record<string, unknown>;
  }): Promise<string> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO channel_accounts (kind, channel, name, settings, source) VALUES ($1, $2, $3, $4, 'env')
       ON CONFLICT (channel, name) DO UPDATE SET settings = EXCLUDED.settings, kind = EXCLUDED.kind, enabled = true,
          updated_at = now()
        WHERE channel_accounts.source = 'env' RETURNING id`,
      [
        account.kind ?? (account.channel === 'website' ? 'website-feed' : account.channel),
        account.channel,
        account.name,
        account.settings,
      ],
    )) as { id: string }[];
    if (!row)
      throw new Error(
        `channel account ${account.channel}/${account.name} from the environment has the name of an administrator's account`,
      );
    return row.id;
  }

  /** Accounts an administrator added, with their sealed secrets, for the registry to build connectors from. */
  adminAccounts(): Promise<StoredAccount[]> {
    return this.dataSource.query(`${STORED_ACCOUNT_SQL} WHERE source = 'admin' ORDER BY created_at, id`);
  }

  async account(id: string): Promise<StoredAccount | undefined> {
    const [row] = (await this.dataSource.query(`${STORED_ACCOUNT_SQL} WHERE id = $1`, [
      id,
    ])) as StoredAccount[];
    return row;
  }

  /** Every account with its health, oldest first per kind (the first is the kind's default). */
  async withHealth(): Promise<(StoredAccount & AccountHealth)[]> {
    return (await this.dataSource.query(
      `SELECT ${STORED_ACCOUNT_COLUMNS}, sync_stage AS "syncStage", last_success_at AS "lastSuccessAt",
              last_error AS "lastError", last_error_at AS "lastErrorAt", consecutive_failures AS "consecutiveFailures",
              items_received::int AS "itemsReceived", items_quarantined::int AS "itemsQuarantined",
              last_pull_at AS "lastPullAt", next_pull_at AS "nextPullAt"
         FROM channel_accounts ORDER BY kind, source DESC, created_at, id`,
    )) as (StoredAccount & AccountHealth)[];
  }

  async organisationExists(id: string): Promise<boolean> {
    const rows = (await this.dataSource.query(`SELECT 1 FROM organisations WHERE id = $1`, [
      id,
    ])) as unknown[];
    return rows.length > 0;
  }

  /** A new account of an administrator's; undefined when its channel already has an account of that name. */
  async create(account: NewStoredAccount): Promise<string | undefined> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO channel_accounts (name, organisation_id, settings, secrets_encrypted, secret_env, enabled, kind,
              channel, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'admin') ON CONFLICT (channel, name) DO NOTHING RETURNING id`,
      [...accountValues(account), account.kind, account.channel],
    )) as { id: string }[];
    return row?.id;
  }

  /** False when another account of the channel has that name. */
  async update(id: string, account: Omit<NewStoredAccount, 'kind' | 'channel'>): Promise<boolean> {
    try {
      await this.dataSource.query(
        `UPDATE channel_accounts SET name = $1, organisation_id = $2, settings = $3, secrets_encrypted = $4,
                secret_env = $5, enabled = $6, updated_at = now(),
                -- Changed credentials deserve a pull now, not after the back-off of the old ones.
                next_pull_at = NULL, consecutive_failures = 0
          WHERE id = $7 AND source = 'admin'`,
        [...accountValues(account), id],
      );
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return false;
      throw error;
    }
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
      // Once per input (its external id, else what it sent: QuarantinedInputKey): a receipt the channel retried,
      // or a page pulled again after a crash, is neither kept nor counted twice.
      const kept = rowsOf(
        await tx.query(
          `INSERT INTO quarantined_inputs (channel, account_id, external_id, reason, raw, input_key)
           SELECT $1, $2, q.external_id, q.reason, q.raw,
                  coalesce(q.external_id, 'raw:' || md5(coalesce(q.raw, to_jsonb(q.reason))::text))
             FROM jsonb_to_recordset($3::jsonb) AS q(external_id text, reason text, raw jsonb)
           ON CONFLICT DO NOTHING RETURNING id`,
          [
            channel,
            accountId,
            JSON.stringify(
              inputs.map((q) => ({
                external_id: q.externalId ?? null,
                reason: q.reason,
                raw: q.raw ?? null,
              })),
              jsonbSafe,
            ),
          ],
        ),
      );
      if (kept.length === 0) return;
      await tx.query(`UPDATE channel_accounts SET items_quarantined = items_quarantined + $2 WHERE id = $1`, [
        accountId,
        kept.length,
      ]);
    });
  }

  /** A value the account's connector kept (contract `AccountState`), or undefined. */
  async stateValue(accountId: string, key: string): Promise<string | undefined> {
    const [row] = rowsOf<{ value: string }>(
      await this.dataSource.query(
        `SELECT value FROM channel_account_state WHERE account_id = $1 AND key = $2`,
        [accountId, key],
      ),
    );
    return row?.value;
  }

  /** Keeps a value of the account's connector; past `kept` keys the account's least recently set go. */
  async keepState(accountId: string, key: string, value: string, kept: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO channel_account_state (account_id, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (account_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [accountId, key, value],
    );
    await this.dataSource.query(
      `DELETE FROM channel_account_state s
        USING (SELECT key FROM channel_account_state WHERE account_id = $1
                ORDER BY updated_at DESC, key OFFSET $2) old
        WHERE s.account_id = $1 AND s.key = old.key`,
      [accountId, kept],
    );
  }
}

/** The state the registry hands an account's connector (contract `AccountState`): kept in channel_account_state. */
export function accountStateOf(repository: ChannelAccountsRepository, accountId: string): AccountState {
  return {
    get: (key) => repository.stateValue(accountId, key),
    set: (key, value) => repository.keepState(accountId, key, value, ACCOUNT_STATE_KEPT),
  };
}

/** The columns an administrator sets, in the order create and update bind them. */
function accountValues(account: Omit<NewStoredAccount, 'kind' | 'channel'>): unknown[] {
  return [
    account.name,
    account.organisationId,
    account.settings,
    account.secretsEncrypted,
    account.secretEnv,
    account.enabled,
  ];
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
