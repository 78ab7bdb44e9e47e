import { QueueName } from './queues';

/** Channels whose sends go through a queue of their own, with the channel's published rate limit. */
export type RateLimitedChannel = 'telegram' | 'vk' | 'ok';

/**
 * Send limits, in one place. `perSecond` is the Bull limiter of the channel's delivery queue (it holds across
 * all workers); `perChatMs` spaces messages to one chat (the delivery service enforces it in Redis).
 * - Telegram: Bot API FAQ «My bot is hitting limits, how do I avoid this?» (core.telegram.org/bots/faq) —
 *   avoid more than one message per second in a chat; broadcasts no faster than about 30 messages per second.
 * - VK: «Ограничения и рекомендации» (dev.vk.com/ru/api/api-requests) — 20 requests per second with a
 *   community token. A long answer sent in parts is a few calls: the limit counts messages, so keep headroom.
 * - OK: no per-second figure is published for the Bot API; 10 per second stays clear of its flood control
 *   (error 8 FLOOD_BLOCKED), which still comes back as RateLimited if we are wrong.
 */
export const DELIVERY_LIMITS: Record<RateLimitedChannel, { perSecond: number; perChatMs?: number }> = {
  telegram: { perSecond: 30, perChatMs: 1000 },
  vk: { perSecond: 20 },
  ok: { perSecond: 10 },
};

export const DELIVERY_QUEUE: Record<RateLimitedChannel, QueueName> = {
  telegram: QueueName.DeliveryTelegram,
  vk: QueueName.DeliveryVk,
  ok: QueueName.DeliveryOk,
};

export function isRateLimitedChannel(kind: string): kind is RateLimitedChannel {
  return kind in DELIVERY_LIMITS;
}

/** Bull limiter options per queue (only the per-channel delivery queues have one). */
export function queueLimiter(name: QueueName): { max: number; duration: number } | undefined {
  const channel = (Object.keys(DELIVERY_QUEUE) as RateLimitedChannel[]).find(
    (c) => DELIVERY_QUEUE[c] === name,
  );
  return channel ? { max: DELIVERY_LIMITS[channel].perSecond, duration: 1000 } : undefined;
}

/** Name of the Bull backoff strategy that waits at least as long as the channel asked (429 retry-after). */
export const RETRY_AFTER_BACKOFF = 'retry-after';

/** Exponential from 1 s, but never sooner than the error's `retryAfterMs`. */
export function retryAfterBackoff(attemptsMade: number, error?: unknown): number {
  const exponential = Math.round((2 ** Math.max(1, attemptsMade) - 1) * 1000);
  const asked =
    typeof error === 'object' && error !== null && 'retryAfterMs' in error
      ? Number((error as { retryAfterMs?: unknown }).retryAfterMs)
      : 0;
  return Math.max(exponential, Number.isFinite(asked) ? asked : 0);
}
