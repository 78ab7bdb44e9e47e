import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type AppealEventRecord, AppealEventHooks, ChannelRegistry, scopedKey } from '@inbox/channels';
import { emailRegistrationNoticeRu } from '@inbox/appeals';
import { AppConfig } from '@inbox/config';
import { Channel, threadsSentMessages } from '@inbox/integrations/contract';
import { FeedActions, type QueuedFeedMessage } from './feed-actions.service';
import { FeedsRepository } from './feeds.repository';
import { notice547Ru } from './notice-547';

/**
 * E-mail after intake. 547-ФЗ: a letter to a mailbox is not a 59-ФЗ appeal, so its sender is told once how
 * to file one (the connector marks such items `notice547`). A mailbox under the 'appeal' policy registers letters
 * as 59-ФЗ appeals: their senders are told once the number, the term and its last day. Threads both ways: every
 * letter we send by e-mail becomes a thread key of its appeal, so a reply naming only our Message-ID still joins it.
 */
@Injectable()
export class EmailFeed implements OnModuleInit {
  constructor(
    private readonly feeds: FeedsRepository,
    private readonly hooks: AppealEventHooks,
    private readonly registry: ChannelRegistry,
    private readonly actions: FeedActions,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // Named for its first notice: the consumer's place in the outbox goes on under the same name.
    this.hooks.onBatch('email-547-notice', Channel.Email, ['registered'], (events) =>
      this.onRegistered(events),
    );
    // A failure's event names the parts of a send in several that went out before it: keys as well.
    this.hooks.onBatch('email-thread-keys', '*', ['delivered', 'delivery-failed'], (events) =>
      this.onDelivered(events),
    );
  }

  /** The batch's letters read in one statement, their notices queued together. */
  async onRegistered(events: AppealEventRecord[]): Promise<void> {
    const marked = await this.feeds.itemFeature(
      events.map((e) => e.appealId),
      'notice547',
    );
    const baseUrl = new URL('/', this.config.publicBaseUrl).toString();
    // Threaded as a reply by the connector (In-Reply-To the citizen's letter, from the stored reply address).
    await this.actions.queueMessagesOnce(
      events.flatMap((event): QueuedFeedMessage[] => {
        const number = event.registrationNumber;
        const common = { dedupeKey: event.appealId, appealId: event.appealId, channel: event.channel };
        if (marked.get(event.appealId) === 'yes') {
          const text = notice547Ru(number, baseUrl);
          return [
            {
              ...common,
              kind: 'email-547-notice',
              messageKind: 'registration-notice',
              text,
              subject: `Ваше сообщение № ${number}`,
            },
          ];
        }
        if (event.data?.regime !== 'appeal') return [];
        // 59-ФЗ ст. 8 ч. 2: the appeal's number and term, as the bot's citizens hear them.
        const text = emailRegistrationNoticeRu(number, event.data.answerDueDate, event.data.termDays);
        return [
          {
            ...common,
            kind: 'email-registration-notice',
            messageKind: 'registration-notice',
            text,
            subject: `Ваше обращение № ${number} зарегистрировано`,
          },
        ];
      }),
    );
  }

  /**
   * Every channel whose sent messages can be named by a reply (e-mail's Message-ID, a Telegram reply to the bot's
   * message): the sent message becomes a thread key of its appeal, so the reply joins it even once answered. The
   * batch's reply addresses are read, and its keys written, in one statement each.
   */
  async onDelivered(events: AppealEventRecord[]): Promise<void> {
    const sent = [];
    for (const event of events) {
      const remoteId = event.data?.remoteId;
      const channel = event.data?.channel;
      if (typeof channel !== 'string' || typeof remoteId !== 'string' || !remoteId) continue;
      const accountId = typeof event.data?.accountId === 'string' ? event.data.accountId : undefined;
      const entry = await this.registry.deliveryAccount(channel, accountId);
      const connector = entry?.connector;
      if (!connector || !threadsSentMessages(connector)) continue;
      sent.push({ event, channel, remoteId, entry, connector });
    }
    const addresses = await this.feeds.replyAddresses(sent.map((s) => s.event.appealId));
    await this.feeds.addThreadKeys(
      sent.flatMap(({ event, channel, remoteId, entry, connector }) => {
        // Named by the account it left through, as the citizen's reply to it will be.
        const keys = connector.threadKeysOfSent(remoteId, addresses.get(event.appealId));
        return keys.map((key) => ({ channel, threadKey: scopedKey(entry, key), appealId: event.appealId }));
      }),
    );
  }
}
