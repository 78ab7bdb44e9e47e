import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AppConfig, type ConfiguredAccount } from '@inbox/config';
import {
  Channel,
  type ChannelAccountRef,
  type Connector,
  type ConnectorFactories,
  type ConnectorKind,
  isChannel,
  isConnectorKind,
} from '@inbox/integrations/contract';
import { ChannelAccountsRepository, type StoredAccount } from './channel-accounts.repository';
import { SecretBox } from './channel-secrets';

/** The injection token of the connector factories the app wires in (`ChannelsModule.forRoot`). */
export const CONNECTOR_FACTORIES = Symbol('CONNECTOR_FACTORIES');

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
 * data (channel_accounts, secrets sealed or named by environment variable), read at boot and again on
 * `refresh()`. A kind's default account, which answers whatever came through no known account (our form,
 * imports), is the environment's, else the oldest enabled one. The connectors themselves come from the app.
 */
@Injectable()
export class ChannelRegistry implements OnModuleInit {
  private readonly entries = new Map<string, ChannelEntry>();
  /** The `updated_at` each administrator's account was built from. */
  private readonly versions = new Map<string, number>();
  private envOff: OffAccount[] = [];
  private accountsOff: OffAccount[] = [];
  private refreshing: Promise<void> | undefined;
  private readonly box: SecretBox | undefined;
  private readonly log = rootLogger.child('channels');

  constructor(
    private readonly config: AppConfig,
    private readonly accounts: ChannelAccountsRepository,
    @Inject(CONNECTOR_FACTORIES) private readonly factories: ConnectorFactories,
  ) {
    this.box = config.channelSecretsKey ? new SecretBox(config.channelSecretsKey) : undefined;
  }

  async onModuleInit(): Promise<void> {
    const { accounts, off } = this.config.channels;
    this.envOff = [...off];
    for (const account of accounts) await this.add(account);
    await this.refresh();
  }

  /** The implicit account of a kind, from the environment. */
  async add(account: ConfiguredAccount): Promise<ChannelEntry> {
    if (this.all().some((e) => e.kind === account.kind && e.source === 'env'))
      throw new Error(`channel ${account.kind} is configured twice`);
    const id = await this.accounts.upsert(account);
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
    const off: OffAccount[] = [];
    const live = new Set<string>();
    for (const row of rows) {
      if (!row.enabled || !isConnectorKind(row.kind) || !isChannel(row.channel)) continue;
      live.add(row.id);
      const version = new Date(row.updatedAt).getTime();
      if (this.entries.has(row.id) && this.versions.get(row.id) === version) continue;
      const secrets = this.secretsOf(row);
      if (typeof secrets === 'string') {
        off.push({ kind: row.kind, accountId: row.id, name: row.name, reason: secrets });
        this.entries.delete(row.id);
        continue;
      }
      this.build(row.kind, {
        id: row.id,
        channel: row.channel,
        name: row.name,
        source: 'admin',
        organisationId: row.organisationId,
        settings: withDerivedMode(row.kind, row.settings, secrets),
        secrets,
      });
      this.versions.set(row.id, version);
      this.log.info('channel account ready', { kind: row.kind, accountId: row.id });
    }
    for (const [id, entry] of this.entries)
      if (entry.source === 'admin' && !live.has(id)) {
        this.entries.delete(id);
        this.versions.delete(id);
        this.log.info('channel account off', { kind: entry.kind, accountId: id });
      }
    // Still off: kept with their reason (not re-read when unchanged).
    const kept = this.accountsOff.filter(
      (o) =>
        o.accountId &&
        live.has(o.accountId) &&
        !this.entries.has(o.accountId) &&
        !off.some((n) => n.accountId === o.accountId),
    );
    this.accountsOff = [...kept, ...off];
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
    for (const [key, variable] of Object.entries(row.secretEnv ?? {})) {
      const value = this.config.secretFromEnv(variable);
      if (!value) return `не задана переменная окружения ${variable}`;
      named[key] = value;
    }
    return { ...sealed, ...named };
  }

  private build(
    kind: ConnectorKind,
    account: ChannelAccountRef & Required<Pick<ChannelEntry, 'name' | 'source' | 'organisationId'>>,
  ): ChannelEntry {
    const factory = this.factories[kind];
    if (!factory) throw new Error(`no connector for channel ${kind} in this app`);
    const { name, source, organisationId, ...ref } = account;
    const entry: ChannelEntry = { kind, connector: factory(), account: ref, name, source, organisationId };
    this.entries.set(account.id, entry);
    return entry;
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
    if (!this.entries.has(accountId)) await this.refresh();
    return this.entries.get(accountId);
  }

  all(): ChannelEntry[] {
    return [...this.entries.values()];
  }

  /**
   * The account an answer goes out through: the one that received the item (`accountId`), else the default
   * account of the channel's delivery kind.
   */
  forDelivery(channel: string, accountId?: string | null): ChannelEntry | undefined {
    const kind = deliveryKindOf(channel);
    if (!kind) return undefined;
    const own = accountId ? this.entries.get(accountId) : undefined;
    return own?.kind === kind ? own : this.get(kind);
  }

  /** As `forDelivery`, reading the accounts again first when the receiving account is not known here yet. */
  async deliveryAccount(channel: string, accountId?: string | null): Promise<ChannelEntry | undefined> {
    if (accountId && !this.entries.has(accountId)) await this.refresh();
    return this.forDelivery(channel, accountId);
  }

  off(): OffAccount[] {
    const working = new Set(this.all().map((e) => e.kind));
    return [...this.envOff.filter((o) => !working.has(o.kind)), ...this.accountsOff];
  }
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
