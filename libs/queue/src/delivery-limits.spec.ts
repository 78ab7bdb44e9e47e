import { DELIVERY_LIMITS, queueLimiter, retryAfterBackoff } from './delivery-limits';
import { QueueName } from './queues';

describe('delivery limits', () => {
  it('gives each messenger queue its channel limit, and no other queue a limiter', () => {
    expect(queueLimiter(QueueName.DeliveryTelegram)).toEqual({ max: 30, duration: 1000 });
    expect(queueLimiter(QueueName.DeliveryVk)).toEqual({ max: 20, duration: 1000 });
    expect(queueLimiter(QueueName.DeliveryOk)).toEqual({ max: DELIVERY_LIMITS.ok.perSecond, duration: 1000 });
    expect(queueLimiter(QueueName.Delivery)).toBeUndefined();
    expect(queueLimiter(QueueName.Intake)).toBeUndefined();
    expect(DELIVERY_LIMITS.telegram.perChatMs).toBe(1000);
  });

  it('backs off exponentially, but never sooner than the channel asked', () => {
    expect(retryAfterBackoff(1, new Error('boom'))).toBe(1000);
    expect(retryAfterBackoff(3)).toBe(7000);
    expect(retryAfterBackoff(1, Object.assign(new Error('429'), { retryAfterMs: 3000 }))).toBe(3000);
    expect(retryAfterBackoff(5, Object.assign(new Error('429'), { retryAfterMs: 3000 }))).toBe(31_000);
    expect(retryAfterBackoff(1, { retryAfterMs: 'soon' })).toBe(1000);
  });
});
