import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type AppealEventRecord, AppealEventHooks } from '@inbox/channels';
import { Channel } from '@inbox/integrations/contract';
import { FeedActions } from './feed-actions.service';

/**
 * МЭДО after intake: a registered «Документ» is answered at once with a «Квитанция» and an «Уведомление»
 * «Зарегистрирован» carrying OUR number. It goes out as an outbound 'registration-notice' (the connector
 * writes both packages through acknowledgeReceipt), so it is retried, visible, and the sender's receipts
 * about it find it by its remote id.
 */
@Injectable()
export class MedoFeed implements OnModuleInit {
  constructor(
    private readonly hooks: AppealEventHooks,
    private readonly actions: FeedActions,
  ) {}

  onModuleInit(): void {
    this.hooks.onBatch('medo-receipt', Channel.Medo, ['registered'], (events) => this.onRegistered(events));
  }

  /** The batch's receipts queued together (FeedActions.queueMessagesOnce). */
  async onRegistered(events: AppealEventRecord[]): Promise<void> {
    await this.actions.queueMessagesOnce(
      events.map((event) => ({
        kind: 'medo-receipt',
        dedupeKey: event.appealId,
        appealId: event.appealId,
        channel: Channel.Medo,
        messageKind: 'registration-notice',
        text: `Документ зарегистрирован под № ${event.registrationNumber}`,
        subject: `Уведомление о регистрации № ${event.registrationNumber}`,
      })),
    );
  }
}
