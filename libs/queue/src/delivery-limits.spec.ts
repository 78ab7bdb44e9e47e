import { DELIVERY_LIMITS, queueLimiter, retryAfterBackoff, storedJobId } from './delivery-limits';
import { QueueName } from './queues';

describe('delivery limits', () => {
  it('gives each messenger queue its channel limit per account, and no other queue a limiter', () => {
    const perAccount = { duration: 1000, groupKey: 'accountId' };
    expect(queueLimiter(QueueName.DeliveryTelegram)).toEqual({ max: 30, ...perAccount });
    expect(queueLimiter(QueueName.DeliveryVk)).toEqual({ max: 20, ...perAccount });
    expect(queueLimiter(QueueName.DeliveryOk)).toEqual({ max: DELIVERY_LIMITS.ok.perSecond, ...perAccount });
    expect(queueLimiter(QueueName.Delivery)).toBeUndefined();
    expect(queueLimiter(QueueName.Intake)).toBeUndefined();
    expect(DELIVERY_LIMITS.telegram.perChatMs).toBe(1000);
  });

  it('names the id Bull stores a job under on a queue grouped by account', () => {
    const account = '00000000-0000-4000-8000-000000000001';
    const grouped = { limiter: queueLimiter(QueueName.DeliveryVk) };
    expect(storedJobId(grouped, 'm-1', { outboundMessageId: 'm-1', accountId: account })).toBe(
      `m-1:${account}`,
    );
    expect(storedJobId({ limiter: undefined }, 'm-1', { outboundMessageId: 'm-1' })).toBe('m-1');
  });

  it('backs off exponentially, but never sooner than the channel asked', () => {
    expect(retryAfterBackoff(1, new Error('boom'))).toBe(1000);
    expect(retryAfterBackoff(3)).toBe(7000);
    expect(retryAfterBackoff(1, Object.assign(new Error('429'), { retryAfterMs: 3000 }))).toBe(3000);
    expect(retryAfterBackoff(5, Object.assign(new Error('429'), { retryAfterMs: 3000 }))).toBe(31_000);
    expect(retryAfterBackoff(1, { retryAfterMs: 'soon' })).toBe(1000);
  });
});
