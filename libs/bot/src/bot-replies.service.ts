import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rootLogger } from '@inbox/common';
import { type OutboundMessage } from '@inbox/integrations/contract';
import { JobName, JobProducer } from '@inbox/queue';

export type BotReplyPurpose = 'dialogue' | 'consent-request' | 'rating-thanks';

export interface BotReplyInput {
  channel: string;
  /** What the reply answers ('event:<channel>:<id>', 'item:<inbound item id>'): a replay does not answer twice. */
  source: string;
  purpose: BotReplyPurpose;
  authorExternalId?: string;
  replyAddress: Record<string, unknown>;
  text: string;
  choices?: OutboundMessage['choices'];
}

/**
 * What the bot says outside an appeal. Stored first (once per source), then sent by the delivery worker
 * through the channel's rate-limited queue; a lost enqueue is picked up by the delivery sweep.
 */
@Injectable()
export class BotReplies {
  private readonly log = rootLogger.child('bot-replies');

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobProducer,
  ) {}

  async send(input: BotReplyInput): Promise<string | undefined> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO bot_replies (channel, source, purpose, author_external_id, reply_address, text, choices)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (source) DO NOTHING RETURNING id`,
      [
        input.channel,
        input.source,
        input.purpose,
        input.authorExternalId ?? null,
        input.replyAddress,
        input.text,
        input.choices ? JSON.stringify(input.choices) : null,
      ],
    )) as { id: string }[];
    if (!row) return undefined;
    await this.jobs
      .add(JobName.DeliverBotReply, { botReplyId: row.id }, { jobId: row.id })
      .catch((error: unknown) =>
        this.log.warn('bot reply not enqueued; the sweep will send it', {
          botReplyId: row.id,
          reason: error,
        }),
      );
    return row.id;
  }

  /** When the bot last asked this citizen for consent: not again within a minute of that. */
  async askedForConsentSince(channel: string, author: string, since: Date): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM bot_replies WHERE channel = $1 AND author_external_id = $2 AND purpose = 'consent-request'
          AND created_at > $3 LIMIT 1`,
      [channel, author, since],
    )) as unknown[];
    return rows.length > 0;
  }
}
