import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rootLogger } from '@inbox/common';
import { EmailConnector } from '@inbox/integrations/email';
import { Channel, type ChannelAccountRef, type Connector } from '@inbox/integrations/contract';
import { MedoConnector } from '@inbox/integrations/medo';
import { OkConnector } from '@inbox/integrations/ok';
import { PosConnector } from '@inbox/integrations/pos';
import { TelegramConnector } from '@inbox/integrations/telegram';
import { VkConnector } from '@inbox/integrations/vk';
import { WebsiteFeedConnector } from '@inbox/integrations/website-feed';
import { channelsFromEnv, type ConfiguredAccount, type ConnectorKind } from './channel-accounts';

export interface ChannelEntry {
  kind: ConnectorKind;
  connector: Connector;
  account: ChannelAccountRef;
}

const FACTORIES: Record<ConnectorKind, () => Connector> = {
  email: () => new EmailConnector(),
  telegram: () => new TelegramConnector(),
  vk: () => new VkConnector(),
  ok: () => new OkConnector(),
  pos: () => new PosConnector(),
  medo: () => new MedoConnector(),
  'website-feed': () => new WebsiteFeedConnector(),
};

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
 * The configured channel accounts and their connectors, one per connector kind. Built once at boot: an
 * account row per configured account is upserted (settings only, never secrets), and a kind configured
 * twice stops the boot.
 */
@Injectable()
export class ChannelRegistry implements OnModuleInit {
  private readonly entries = new Map<ConnectorKind, ChannelEntry>();
  private offList: { kind: ConnectorKind; reason: string }[] = [];
  private readonly log = rootLogger.child('channels');

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    const { accounts, off } = channelsFromEnv(process.env);
    this.offList = off;
    for (const account of accounts) await this.add(account);
  }

  async add(account: ConfiguredAccount): Promise<ChannelEntry> {
    if (this.entries.has(account.kind)) throw new Error(`channel ${account.kind} is configured twice`);
    const [row] = (await this.dataSource.query(
      `INSERT INTO channel_accounts (channel, name, settings) VALUES ($1, $2, $3)
       ON CONFLICT (channel, name) DO UPDATE SET settings = EXCLUDED.settings, enabled = true RETURNING id`,
      [account.channel, account.name, account.settings],
    )) as { id: string }[];
    const entry: ChannelEntry = {
      kind: account.kind,
      connector: FACTORIES[account.kind](),
      account: { id: row.id, channel: account.channel, settings: account.settings, secrets: account.secrets },
    };
    this.entries.set(account.kind, entry);
    this.offList = this.offList.filter((o) => o.kind !== account.kind);
    this.log.info('channel account ready', { kind: account.kind, accountId: row.id });
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
