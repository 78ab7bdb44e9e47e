import { Injectable } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { JobName, JobProducer } from '@inbox/queue';
import { BotRepliesRepository, type BotReplyPurpose, type NewBotReply } from './bot-replies.repository';

export type { BotReplyPurpose };

export interface BotReplyInput extends NewBotReply {
  /** What the reply answers ('event:<channel>:<id>', 'item:<inbound item id>'): a replay does not answer twice. */
  source: string;
}

/**
 * What the bot says outside an appeal. Stored first (once per source), then sent by the delivery worker
 * through the channel's rate-limited queue; a lost enqueue is picked up by the delivery sweep.
 */
@Injectable()
export class BotReplies {
  private readonly log = rootLogger.child('bot-replies');

  constructor(
    private readonly repository: BotRepliesRepository,
    private readonly jobs: JobProducer,
  ) {}

  async send(input: BotReplyInput): Promise<string | undefined> {
    const id = await this.repository.insertOnce(input);
    if (!id) return undefined;
    await this.jobs.addDelivery(JobName.DeliverBotReply, { botReplyId: id }, this.log);
    return id;
  }

  /** Whether the bot asked this citizen for consent within the last `ms` (by the database's clock). */
  askedForConsentWithin(channel: string, author: string, ms: number): Promise<boolean> {
    return this.repository.askedForConsentWithin(channel, author, ms);
  }
}
