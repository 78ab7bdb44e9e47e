import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type AppealEventRecord, AppealEventHooks, ChannelRegistry, scopedKey } from '@inbox/channels';
import { Channel, threadsSentMessages } from '@inbox/integrations/contract';
import { FeedActions } from './feed-actions.service';
import { FeedsRepository } from './feeds.repository';
import { NOTICE_547_RU } from './notice-547';

/**
 * E-mail after intake. 547-ФЗ: a letter to a mailbox is not a 59-ФЗ appeal, so its sender is told once how
 * to file one (the connector marks such items `notice547`). Threads both ways: every letter we send by
 * e-mail becomes a thread key of its appeal, so a reply naming only our Message-ID still joins it.
 */
@Injectable()
export class EmailFeed implements OnModuleInit {
  constructor(
    private readonly feeds: FeedsRepository,
    private readonly hooks: AppealEventHooks,
    private readonly registry: ChannelRegistry,
    private readonly actions: FeedActions,
  ) {}

  onModuleInit(): void {
    this.hooks.on('email-547-notice', Channel.Email, ['registered'], (e) => this.onRegistered(e));
    this.hooks.on('email-thread-keys', '*', ['delivered'], (e) => this.onDelivered(e));
  }

  async onRegistered(event: AppealEventRecord): Promise<void> {
    if ((await this.feeds.itemFeature(event.appealId, 'notice547')) !== 'yes') return;
    // Threaded as a reply by the connector (In-Reply-To the citizen's letter, from the stored reply address).
    await this.actions.queueMessageOnce({
      kind: 'email-547-notice',
      dedupeKey: event.appealId,
      appealId: event.appealId,
      channel: event.channel,
      messageKind: 'registration-notice',
      text: NOTICE_547_RU,
      subject: `Ваше сообщение № ${event.registrationNumber}`,
    });
  }

  /**
   * Every channel whose sent messages can be named by a reply (e-mail's Message-ID, a Telegram reply to the bot's
   * message): the sent message becomes a thread key of its appeal, so the reply joins it even once answered.
   */
  async onDelivered(event: AppealEventRecord): Promise<void> {
    const remoteId = event.data?.remoteId;
    const channel = event.data?.channel;
    if (typeof channel !== 'string' || typeof remoteId !== 'string' || !remoteId) return;
    const accountId = typeof event.data?.accountId === 'string' ? event.data.accountId : undefined;
    const entry = await this.registry.deliveryAccount(channel, accountId);
    const connector = entry?.connector;
    if (!connector || !threadsSentMessages(connector)) return;
    // Named by the account it left through, as the citizen's reply to it will be.
    const key = scopedKey(
      entry,
      connector.threadKeyOfSent(remoteId, await this.feeds.replyAddress(event.appealId)),
    );
    if (key) await this.feeds.addThreadKey(channel, key, event.appealId);
  }
}
