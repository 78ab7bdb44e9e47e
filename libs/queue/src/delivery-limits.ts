import { QueueName } from './queues';

/** Channels whose sends go through a queue of their own, with the channel's published rate limit. */
export type RateLimitedChannel = 'telegram' | 'vk' | 'ok';

/**
 * Send limits, in one place. `perSecond` is the Bull limiter of the channel's delivery queue, per account (a bot,
 * a community, a group: each has its own budget at the channel, so two communities never share one); it holds
 * across all workers. `perChatMs` spaces messages to one chat (the delivery service enforces it in Redis).
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

/**
 * The field of a job on a channel's delivery queue that names the account it is sent through: the limiter's
 * group, so each account spends its own budget. Bull stores such a job as `<jobId>:<accountId>` (storedJobId).
 */
export const LIMITER_GROUP_KEY = 'accountId';

/**
 * A job of a channel's delivery queue: it names the account whose budget it spends (LIMITER_GROUP_KEY), and its
 * retries wait at least the channel's retry-after.
 */
export function channelQueueJob<R extends object>(
  ref: R,
  accountId: string,
  jobId: string,
): { data: R & { [LIMITER_GROUP_KEY]: string }; opts: { jobId: string; backoff: { type: string } } } {
  return {
    data: { ...ref, [LIMITER_GROUP_KEY]: accountId },
    opts: { jobId, backoff: { type: RETRY_AFTER_BACKOFF } },
  };
}

/** Bull limiter options per queue (only the per-channel delivery queues have one, grouped by account). */
export function queueLimiter(
  name: QueueName,
): { max: number; duration: number; groupKey: string } | undefined {
  const channel = (Object.keys(DELIVERY_QUEUE) as RateLimitedChannel[]).find(
    (c) => DELIVERY_QUEUE[c] === name,
  );
  return channel
    ? { max: DELIVERY_LIMITS[channel].perSecond, duration: 1000, groupKey: LIMITER_GROUP_KEY }
    : undefined;
}

/** The id a job added as `jobId` is stored under: a limiter grouped by account appends the group (Bull does). */
export function storedJobId(
  queue: { limiter?: { groupKey?: string } } | object,
  jobId: string | number,
  data: object,
): string | number {
  const groupKey = (queue as { limiter?: { groupKey?: string } }).limiter?.groupKey;
  return groupKey ? `${jobId}:${String((data as Record<string, unknown>)[groupKey])}` : jobId;
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
