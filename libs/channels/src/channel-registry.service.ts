import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AppConfig, type ConfiguredAccount } from '@inbox/config';
import {
  Channel,
  type ChannelAccountRef,
  type Connector,
  type ConnectorFactories,
  type ConnectorKind,
} from '@inbox/integrations/contract';
import { ChannelAccountsRepository } from './channel-accounts.repository';

/** The injection token of the connector factories the app wires in (`ChannelsModule.forRoot`). */
export const CONNECTOR_FACTORIES = Symbol('CONNECTOR_FACTORIES');

export interface ChannelEntry {
  kind: ConnectorKind;
  connector: Connector;
  account: ChannelAccountRef;
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

/**
 * The configured channel accounts and their connectors, one per connector kind. Built once at boot from the
 * validated configuration: an account row per configured account is upserted (settings only, never
 * secrets), and a kind configured twice stops the boot. The connectors themselves come from the app.
 */
@Injectable()
export class ChannelRegistry implements OnModuleInit {
  private readonly entries = new Map<ConnectorKind, ChannelEntry>();
  private offList: { kind: ConnectorKind; reason: string }[] = [];
  private readonly log = rootLogger.child('channels');

  constructor(
    private readonly config: AppConfig,
    private readonly accounts: ChannelAccountsRepository,
    @Inject(CONNECTOR_FACTORIES) private readonly factories: ConnectorFactories,
  ) {}

  async onModuleInit(): Promise<void> {
    const { accounts, off } = this.config.channels;
    this.offList = [...off];
    for (const account of accounts) await this.add(account);
  }

  async add(account: ConfiguredAccount): Promise<ChannelEntry> {
    if (this.entries.has(account.kind)) throw new Error(`channel ${account.kind} is configured twice`);
    const factory = this.factories[account.kind];
    if (!factory) throw new Error(`no connector for channel ${account.kind} in this app`);
    const id = await this.accounts.upsert(account);
    const entry: ChannelEntry = {
      kind: account.kind,
      connector: factory(),
      account: { id, channel: account.channel, settings: account.settings, secrets: account.secrets },
    };
    this.entries.set(account.kind, entry);
    this.offList = this.offList.filter((o) => o.kind !== account.kind);
    this.log.info('channel account ready', { kind: account.kind, accountId: id });
    return entry;
  }

  get(kind: ConnectorKind): ChannelEntry | undefined {
    return this.entries.get(kind);
  }

  all(): ChannelEntry[] {
    return [...this.entries.values()];
  }

  forDelivery(channel: string): ChannelEntry | undefined {
    const kind = DELIVERY_KIND[channel as Channel];
    return kind ? this.entries.get(kind) : undefined;
  }

  off(): { kind: ConnectorKind; reason: string }[] {
    return this.offList;
  }
}
