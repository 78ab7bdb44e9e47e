import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { type Queue } from 'bull';
import { AppConfig } from '@inbox/config';
import { DELIVERY_LIMITS, QueueName, type RateLimitedChannel } from '@inbox/queue';

/** Thrown when a chat's slot is taken for longer than a job should wait; carries when to try again. */
export class ChatBusyError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`chat busy for ${retryAfterMs} ms`);
    this.name = 'ChatBusyError';
  }
}

/**
 * Spaces messages to one chat (Telegram: one per second, DELIVERY_LIMITS) across all workers: a Redis key per
 * chat that lives for the spacing interval. The queue's own limiter covers the channel-wide rate.
 */
@Injectable()
export class ChatPacer {
  constructor(
    @InjectQueue(QueueName.Delivery) private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  async acquire(channel: RateLimitedChannel, chatKey: string, maxWaitMs = 5000): Promise<void> {
    const spacing = DELIVERY_LIMITS[channel].perChatMs;
    if (!spacing) return;
    const key = `${this.config.queuePrefix}:pace:${channel}:${chatKey}`;
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      if ((await this.queue.client.set(key, '1', 'PX', spacing, 'NX')) === 'OK') return;
      const ttl = Math.max(10, await this.queue.client.pttl(key));
      if (Date.now() + ttl > deadline) throw new ChatBusyError(ttl);
      await new Promise((resolve) => setTimeout(resolve, ttl));
    }
  }
}
