import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AppealEventRecord, AppealEventHooks } from '@inbox/channels';
import { Channel } from '@inbox/integrations/contract';
import { emailThreadKey, NOTICE_547_RU } from '@inbox/integrations/email';
import { FeedActions } from './feed-actions.service';

/**
 * E-mail after intake. 547-ФЗ: a letter to a mailbox is not a 59-ФЗ appeal, so its sender is told once how
 * to file one (the connector marks such items `notice547`). Threads both ways: every letter we send by
 * e-mail becomes a thread key of its appeal, so a reply naming only our Message-ID still joins it.
 */
@Injectable()
export class EmailFeed implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hooks: AppealEventHooks,
    private readonly actions: FeedActions,
  ) {}

  onModuleInit(): void {
    this.hooks.on('email-547-notice', Channel.Email, ['registered'], (e) => this.onRegistered(e));
    this.hooks.on('email-thread-keys', '*', ['delivered'], (e) => this.onDelivered(e));
  }

  async onRegistered(event: AppealEventRecord): Promise<void> {
    const [row] = (await this.dataSource.query(
      `SELECT i.payload->'features'->>'notice547' AS notice FROM appeals a
         JOIN inbound_items i ON i.id = a.inbound_item_id WHERE a.id = $1`,
      [event.appealId],
    )) as { notice: string | null }[];
    if (row?.notice !== 'yes') return;
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

  async onDelivered(event: AppealEventRecord): Promise<void> {
    const remoteId = event.data?.remoteId;
    if (event.data?.channel !== 'email' || typeof remoteId !== 'string' || !remoteId) return;
    await this.dataSource.query(
      `INSERT INTO appeal_threads (channel, thread_key, appeal_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [Channel.Email, emailThreadKey(remoteId), event.appealId],
    );
  }
}
