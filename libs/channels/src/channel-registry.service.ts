import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { bootWrite } from '@inbox/database';
import { AppConfig, type ConfiguredAccount, isChannelSecretVariable } from '@inbox/config';
import {
  Channel,
  type ChannelAccountRef,
  type Connector,
  type ConnectorLoaders,
  type ConnectorKind,
  allowInternalHosts,
  isChannel,
  isConnectorKind,
} from '@inbox/integrations/contract';
import { namedSecretHostProblem, officialChannelHosts, secretBearingHosts } from './account-specs';
import { accountStateOf, ChannelAccountsRepository, type StoredAccount } from './channel-accounts.repository';
import { SecretBox } from './channel-secrets';
import { connectedHosts, foldersOutsideProblem, internalTargetProblem } from './internal-targets';

/** The injection token of the connector loaders the app wires in (`ChannelsModule.forRoot`). */
export const CONNECTOR_LOADERS = Symbol('CONNECTOR_LOADERS');

export interface ChannelEntry {
  kind: ConnectorKind;
  connector: Connector;
  account: ChannelAccountRef;
  /** The account's name (a mailbox, a community), as staff know it. */
  name?: string;
  /** 'env': the kind's implicit account from environment variables; 'admin': added by an administrator. */
  source?: 'env' | 'admin';
  organisationId?: string | null;
}

/** A channel account that is not working, with the reason in words an operator understands. */
export interface OffAccount {
  kind: ConnectorKind;
  reason: string;
  accountId?: string;
  name?: string;
}

/**
 * What a re-read of the accounts changed: entries built (a new or enabled account, or a changed one built again)
 * and entries dropped (disabled, deleted, or replaced by the rebuilt one). Process-local: every process re-reads.
 */
export interface AccountsChange {
  added: ChannelEntry[];
  removed: ChannelEntry[];
}

const DISABLED_REASON = 'учётная запись отключена администратором';
/** A stored account this process does not serve any more: its row is gone. Nothing of it leaves through another. */
export const ACCOUNT_REMOVED_REASON =
  'учётная запись канала удалена: через другую учётную запись этого канала не отправляется';
/** The environment's account of a kind whose variables are no longer set: it waits, as a disabled one does. */
const ENV_ACCOUNT_OFF_REASON = 'учётная запись из переменных окружения больше не настроена';

/** Where an answer to an appeal from each channel goes out. Our own form and imports answer by e-mail. */
const DELIVERY_KIND: Partial<Record<Channel, ConnectorKind>> = {
  [Channel.Website]: 'email',
  [Channel.Email]: 'email',
  [Channel.Operator]: 'email',
  [Channel.Import]: 'email',
  [Channel.Telegram]: 'telegram',
  [Channel.Vk]: 'vk',
  [Channel.Ok]: 'ok',
  [Channel.Pos]: 'pos',
  [Channel.Medo]: 'medo',
};

/** The connector kind answers to an appeal from this channel go out through. */
export function deliveryKindOf(channel: string): ConnectorKind | undefined {
  return DELIVERY_KIND[channel as Channel];
}

/**
 * The channel accounts and one connector per account. The environment gives at most one account per kind (its
 * row upserted at boot, settings only; a kind configured twice stops the boot); an administrator adds more as
 * data (channel_accounts, secrets sealed or named by environment variable), read at boot, again every
 * CHANNEL_ACCOUNTS_REFRESH_MS in every process, and at once on `refresh()` (the administration calls it after a change).
 * Whoever must act on a change — set a new bot's webhook, start or stop an account's pull timer — listens with
 * `onChange`. A kind's default account, which answers whatever came through no known account (our form, imports),
 * is the environment's, else the oldest enabled one. An administrator's account that is disabled or cannot work
 * answers nothing: what came through it waits for it (`notWorking` says why) rather than leaving through another
 * account. The connectors themselves come from the app, each kind's module loaded once an account of it is there
 * (a process without a Telegram account never loads the Telegram SDK).
 */
@Injectable()
export class ChannelRegistry implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly entries = new Map<string, ChannelEntry>();
  /** The `updated_at` each administrator's account was built from. */
  private readonly versions = new Map<string, number>();
  /** Administrators' accounts known but not working (disabled, or their secrets missing): id → why. */
  private readonly idle = new Map<string, string>();
  /**
   * Accounts items name that this process neither serves nor knows as idle, looked up once: the stored row's kind
   * (the environment's account of a kind no longer configured), or null when the row is gone (the account deleted).
   * Never answered through the kind's default instead (`pick`). Kept across re-reads: a deleted account does not come
   * back, the environment's only with a restart, and one served or idle after all is found there first.
   */
  private readonly unserved = new Map<string, ConnectorKind | null>();
  private readonly listeners = new Set<(change: AccountsChange) => void>();
  /** The connector factory of each kind whose module is loaded (`loadConnectors`). */
  private readonly factories = new Map<ConnectorKind, () => Connector>();
  private envOff: OffAccount[] = [];
  private accountsOff: OffAccount[] = [];
  private refreshing: Promise<void> | undefined;
  private refreshTimer?: NodeJS.Timeout;
  private stopped = false;
  private readonly box: SecretBox | undefined;
  private readonly log = rootLogger.child('channels');

  constructor(
    private readonly config: AppConfig,
    private readonly accounts: ChannelAccountsRepository,
    @Inject(CONNECTOR_LOADERS) private readonly loaders: ConnectorLoaders,
  ) {
    this.box = config.channelSecretsKey ? new SecretBox(config.channelSecretsKey) : undefined;
    // Checked again by every connection when it connects (DNS rebinding): the administrators' allowance, and the
    // environment's accounts, which are not checked (their own long-poll or upload addresses still are).
    allowInternalHosts([
      ...config.channelInternalHosts,
      ...config.channels.accounts.flatMap((a) => connectedHosts(a.kind, a.settings)),
    ]);
  }

  async onModuleInit(): Promise<void> {
    const { accounts, off } = this.config.channels;
    this.envOff = [...off];
    for (const account of accounts) await this.add(account);
    await this.refresh();
  }

  /** From here on the accounts are read again now and then, so an administrator's change needs no restart. */
  onApplicationBootstrap(): void {
    this.scheduleRefresh();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    await this.refreshing?.catch(() => undefined);
  }

  private scheduleRefresh(): void {
    if (this.stopped) return;
    this.refreshTimer = setTimeout(() => {
      void this.refresh()
        .catch((error: unknown) => this.log.warn('channel accounts not read again', { reason: error }))
        .finally(() => this.scheduleRefresh());
    }, this.config.channelAccountsRefreshMs);
    this.refreshTimer.unref();
  }

  /**
   * Called after every re-read that built or dropped an account (not at boot: what is there then is `all()`).
   * Returns the unsubscribe.
   */
  onChange(listener: (change: AccountsChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The implicit account of a kind, from the environment. */
  async add(account: ConfiguredAccount): Promise<ChannelEntry> {
    if (this.all().some((e) => e.kind === account.kind && e.source === 'env'))
      throw new Error(`channel ${account.kind} is configured twice`);
    await this.loadConnectors([account.kind]);
    const id = await bootWrite(`channel account ${account.kind}`, () => this.accounts.upsert(account));
    const entry = this.build(account.kind, {
      id,
      channel: account.channel,
      name: account.name,
      source: 'env',
      organisationId: null,
      settings: account.settings,
      secrets: account.secrets,
    });
    this.envOff = this.envOff.filter((o) => o.kind !== account.kind);
    this.log.info('channel account ready', { kind: account.kind, accountId: id });
    return entry;
  }

  /**
   * The hosts a secret named by environment variable may go to: the channels' own APIs, the hosts of the
   * environment's accounts, and CHANNEL_SECRET_HOSTS.
   */
  namedSecretHosts(): ReadonlySet<string> {
    return new Set([
      ...officialChannelHosts(),
      ...this.config.channels.accounts.flatMap((a) => secretBearingHosts(a.kind, a.settings)),
      ...this.config.channelSecretHosts,
    ]);
  }

  /** Hosts inside our network an administrator's account may connect to (CHANNEL_INTERNAL_HOSTS). */
  internalHosts(): readonly string[] {
    return this.config.channelInternalHosts;
  }

  /** The secrets box of this configuration, for the administration to seal what it stores; none without a key. */
  secretBox(): SecretBox | undefined {
    return this.box;
  }

  /**
   * Reads the administrators' accounts again: a new or changed one gets a fresh connector, a disabled or deleted
   * one is dropped. Calls made while one runs share it.
   */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    const rows = await this.accounts.adminAccounts();
    await this.loadConnectors(rows.flatMap((r) => (r.enabled && isConnectorKind(r.kind) ? [r.kind] : [])));
    const off: OffAccount[] = [];
    const live = new Set<string>();
    const change: AccountsChange = { added: [], removed: [] };
    const drop = (id: string) => {
      const entry = this.entries.get(id);
      if (!entry) return;
      this.entries.delete(id);
      this.versions.delete(id);
      change.removed.push(entry);
      this.log.info('channel account off', { kind: entry.kind, accountId: id });
    };
    this.idle.clear();
    for (const row of rows) {
      if (!isConnectorKind(row.kind) || !isChannel(row.channel)) continue;
      if (!row.enabled) {
        this.idle.set(row.id, DISABLED_REASON);
        continue;
      }
      live.add(row.id);
      const version = new Date(row.updatedAt).getTime();
      if (this.entries.has(row.id) && this.versions.get(row.id) === version) continue;
      const secrets = (await this.insideProblem(row)) ?? this.secretsOf(row);
      if (typeof secrets === 'string') {
        off.push({ kind: row.kind, accountId: row.id, name: row.name, reason: secrets });
        drop(row.id);
        continue;
      }
      const previous = this.entries.get(row.id);
      const built = this.build(row.kind, adminAccountOf(row, row.kind, row.channel, secrets));
      if (previous) change.removed.push(previous);
      change.added.push(built);
      this.versions.set(row.id, version);
      this.log.info('channel account ready', { kind: row.kind, accountId: row.id });
    }
    for (const [id, entry] of this.entries) if (entry.source === 'admin' && !live.has(id)) drop(id);
    // Still off: kept with their reason (not re-read when unchanged).
    const kept = this.accountsOff.filter(
      (o) =>
        o.accountId &&
        live.has(o.accountId) &&
        !this.entries.has(o.accountId) &&
        !off.some((n) => n.accountId === o.accountId),
    );
    this.accountsOff = [...kept, ...off];
    for (const o of this.accountsOff) if (o.accountId) this.idle.set(o.accountId, o.reason);
    if (change.added.length + change.removed.length > 0) this.emit(change);
  }

  private emit(change: AccountsChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.log.warn('channel accounts change not handled', { reason: error });
      }
    }
  }

  /**
   * Why an administrator's account may not be built: a host it connects to is inside our network (checked again at
   * each build: a name may resolve elsewhere than when it was saved, and rows stored before the check are refused).
   */
  private async insideProblem(row: StoredAccount): Promise<string | undefined> {
    if (!isConnectorKind(row.kind)) return undefined;
    return (
      (await internalTargetProblem(row.kind, row.settings, this.internalHosts())) ??
      (await foldersOutsideProblem(row.kind, row.settings, this.medoRoots()))
    );
  }

  /** Folders an administrator's МЭДО account may use (MEDO_ACCOUNT_ROOTS). */
  medoRoots(): readonly string[] {
    return this.config.medoAccountRoots;
  }

  /** The account's secrets, or why they cannot be had. */
  private secretsOf(row: StoredAccount): Record<string, string> | string {
    let sealed: Record<string, string> = {};
    if (row.secretsEncrypted) {
      if (!this.box) return 'секреты зашифрованы, но CHANNEL_SECRETS_KEY не задан';
      try {
        sealed = this.box.open(row.secretsEncrypted);
      } catch {
        return 'секреты не расшифровываются: CHANNEL_SECRETS_KEY не тот, которым они зашифрованы';
      }
    }
    const named: Record<string, string> = {};
    if (isConnectorKind(row.kind)) {
      const refused = namedSecretHostProblem(
        row.kind,
        row.settings,
        row.secretEnv ?? {},
        this.namedSecretHosts(),
      );
      if (refused) return refused;
    }
    for (const [key, variable] of Object.entries(row.secretEnv ?? {})) {
      if (!isChannelSecretVariable(variable))
        return `переменная окружения ${variable} — не переменная канала`;
      const value = this.config.secretFromEnv(variable);
      if (!value) return `не задана переменная окружения ${variable}`;
      named[key] = value;
    }
    return { ...sealed, ...named };
  }

  /**
   * The administrators' disabled accounts, each with a connector built only to tear it down (issue 13: one disabled
   * while the worker was stopped still has Telegram's webhook or OK's subscription pointing at our 404). Never
   * working entries: not in `all()` nor `byId`. One whose secrets cannot be had, or whose kind this app has no
   * connector for, is left out.
   */
  async disabledAccounts(): Promise<ChannelEntry[]> {
    const rows = (await this.accounts.adminAccounts()).filter((r) => !r.enabled);
    await this.loadConnectors(rows.flatMap((r) => (isConnectorKind(r.kind) ? [r.kind] : [])));
    const disabled: ChannelEntry[] = [];
    for (const row of rows) {
      if (!isConnectorKind(row.kind) || !isChannel(row.channel) || !this.factories.has(row.kind)) continue;
      const secrets = (await this.insideProblem(row)) ?? this.secretsOf(row);
      if (typeof secrets === 'string') continue;
      disabled.push(this.entryOf(row.kind, adminAccountOf(row, row.kind, row.channel, secrets)));
    }
    return disabled;
  }

  /**
   * Loads the connector modules of these kinds not loaded yet (with their channel SDKs); a kind this app has no
   * connector for is left out.
   */
  private async loadConnectors(kinds: ConnectorKind[]): Promise<void> {
    const missing = [...new Set(kinds)].filter((kind) => !this.factories.has(kind) && this.loaders[kind]);
    await Promise.all(missing.map(async (kind) => this.factories.set(kind, await this.loaders[kind]())));
  }

  private build(kind: ConnectorKind, account: BuiltAccount): ChannelEntry {
    const entry = this.entryOf(kind, account);
    this.entries.set(account.id, entry);
    return entry;
  }

  private entryOf(kind: ConnectorKind, account: BuiltAccount): ChannelEntry {
    const factory = this.factories.get(kind);
    if (!factory) throw new Error(`no connector for channel ${kind} in this app`);
    const { name, source, organisationId, ...ref } = account;
    const state = accountStateOf(this.accounts, ref.id);
    return { kind, connector: factory(), account: { ...ref, state }, name, source, organisationId };
  }

  /** The kind's default account: the environment's, else the oldest an administrator added. */
  get(kind: ConnectorKind): ChannelEntry | undefined {
    const ofKind = this.ofKind(kind);
    return ofKind.find((e) => e.source === 'env') ?? ofKind[0];
  }

  /** Every working account of a kind, the default first. */
  ofKind(kind: ConnectorKind): ChannelEntry[] {
    const ofKind = this.all().filter((e) => e.kind === kind);
    return [...ofKind.filter((e) => e.source === 'env'), ...ofKind.filter((e) => e.source !== 'env')];
  }

  byId(accountId: string): ChannelEntry | undefined {
    return this.entries.get(accountId);
  }

  /** An account by id, reading the accounts again once when this process does not know it yet. */
  async findAccount(accountId: string): Promise<ChannelEntry | undefined> {
    if (!this.known(accountId)) await this.refresh();
    return this.entries.get(accountId);
  }

  all(): ChannelEntry[] {
    return [...this.entries.values()];
  }

  /**
   * The account an answer goes out through: the one that received the item (`accountId`), else the default
   * account of the channel's delivery kind. None while the receiving account is disabled or cannot work
   * (`notWorking`): its answers wait for it instead of leaving from another community, bot or mailbox.
   */
  forDelivery(channel: string, accountId?: string | null): ChannelEntry | undefined {
    const kind = deliveryKindOf(channel);
    return kind ? this.pick(kind, accountId) : undefined;
  }

  /** As `forDelivery`, by connector kind, reading the accounts again first when this one is not known here yet. */
  async accountOf(kind: ConnectorKind, accountId?: string | null): Promise<ChannelEntry | undefined> {
    await this.learn(accountId);
    return this.pick(kind, accountId);
  }

  private pick(kind: ConnectorKind, accountId?: string | null): ChannelEntry | undefined {
    if (accountId && this.idle.has(accountId)) return undefined;
    const own = accountId ? this.entries.get(accountId) : undefined;
    if (own) return own.kind === kind ? own : this.get(kind);
    // Deleted, or the environment's of this kind no longer set: its answers, statuses and files wait or are refused,
    // never sent as another account's. One of another kind (a site feed's item, answered by e-mail): the default.
    if (accountId && this.unserved.has(accountId)) {
      const storedKind = this.unserved.get(accountId);
      if (storedKind === null || storedKind === kind) return undefined;
    }
    return this.get(kind);
  }

  /**
   * Why an account is not working here (disabled, its secrets missing, deleted, the environment's no longer set);
   * undefined if it is.
   */
  notWorking(accountId?: string | null): string | undefined {
    if (!accountId) return undefined;
    const idle = this.idle.get(accountId);
    if (idle) return idle;
    if (this.entries.has(accountId) || !this.unserved.has(accountId)) return undefined;
    return this.unserved.get(accountId) === null ? ACCOUNT_REMOVED_REASON : ENV_ACCOUNT_OFF_REASON;
  }

  /** The account was deleted (its row is gone): what came through it is refused, not waited for. */
  removed(accountId?: string | null): boolean {
    return this.notWorking(accountId) === ACCOUNT_REMOVED_REASON;
  }

  /** As `forDelivery`, reading the accounts again first when the receiving account is not known here yet. */
  async deliveryAccount(channel: string, accountId?: string | null): Promise<ChannelEntry | undefined> {
    await this.learn(accountId);
    return this.forDelivery(channel, accountId);
  }

  /**
   * An account this process does not know yet: the accounts are read again, and one still unknown is looked up in
   * the stored accounts (`unserved`): deleted, or the environment's of a kind configured no more.
   */
  private async learn(accountId?: string | null): Promise<void> {
    if (!accountId || this.known(accountId)) return;
    await this.refresh();
    if (this.known(accountId)) return;
    const row = await this.accounts.account(accountId);
    this.unserved.set(accountId, row && isConnectorKind(row.kind) ? row.kind : null);
  }

  /** Working, known not to (disabled, off), or looked up as unserved: no need to read the accounts again for it. */
  private known(accountId: string): boolean {
    return this.entries.has(accountId) || this.idle.has(accountId) || this.unserved.has(accountId);
  }

  off(): OffAccount[] {
    const working = new Set(this.all().map((e) => e.kind));
    return [...this.envOff.filter((o) => !working.has(o.kind)), ...this.accountsOff];
  }
}

type BuiltAccount = ChannelAccountRef & Required<Pick<ChannelEntry, 'name' | 'source' | 'organisationId'>>;

/** An administrator's account row as its connector sees it, its secrets opened. */
function adminAccountOf(
  row: StoredAccount,
  kind: ConnectorKind,
  channel: Channel,
  secrets: Record<string, string>,
): BuiltAccount {
  return {
    id: row.id,
    channel,
    name: row.name,
    source: 'admin',
    organisationId: row.organisationId,
    settings: withDerivedMode(kind, row.settings, secrets),
    secrets,
  };
}

/** An administrator's account without an explicit mode runs the way its secrets allow (as the environment's). */
function withDerivedMode(
  kind: ConnectorKind,
  settings: Record<string, unknown>,
  secrets: Record<string, string>,
): Record<string, unknown> {
  if (settings.mode) return settings;
  if (kind === 'vk') return { ...settings, mode: secrets.callbackSecret ? 'callback' : 'long-poll' };
  if (kind === 'telegram')
    return { ...settings, mode: secrets.webhookSecret && settings.webhookUrl ? 'webhook' : 'polling' };
  return settings;
}
