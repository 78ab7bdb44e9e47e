import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type OutboundMessage } from '@inbox/integrations/contract';

export type BotReplyPurpose = 'dialogue' | 'consent-request' | 'rating-thanks';

export interface NewBotReply {
  channel: string;
  /** The account the citizen wrote to: the reply leaves through it. */
  accountId?: string;
  source: string;
  purpose: BotReplyPurpose;
  authorExternalId?: string;
  replyAddress: Record<string, unknown>;
  text: string;
  choices?: OutboundMessage['choices'];
}

/** bot_replies: what the bot says outside an appeal, once per source (an event, an item). */
@Injectable()
export class BotRepliesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The new reply's id; undefined when this source was answered already. */
  async insertOnce(reply: NewBotReply): Promise<string | undefined> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO bot_replies (channel, source, purpose, author_external_id, reply_address, text, choices, account_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (source) DO NOTHING RETURNING id`,
      [
        reply.channel,
        reply.source,
        reply.purpose,
        reply.authorExternalId ?? null,
        reply.replyAddress,
        reply.text,
        reply.choices ? JSON.stringify(reply.choices) : null,
        reply.accountId ?? null,
      ],
    )) as { id: string }[];
    return row?.id;
  }

  /**
   * Measured on the database's clock, which stamped the requests (created_at), as the clock sweeps are: a worker
   * whose clock ran ahead asked again at every message, one behind asked no more for as long as it lagged.
   */
  async askedForConsentWithin(channel: string, author: string, ms: number): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM bot_replies WHERE channel = $1 AND author_external_id = $2 AND purpose = 'consent-request'
          AND created_at > now() - make_interval(secs => $3::float8 / 1000) LIMIT 1`,
      [channel, author, ms],
    )) as unknown[];
    return rows.length > 0;
  }
}
