import { randomBytes } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule } from '@inbox/config';
import {
  DELIVERY_LIMITS,
  JobName,
  JobProducer,
  LIMITER_GROUP_KEY,
  processJobs,
  QueueModule,
  QueueName,
} from '@inbox/queue';
import { TEST_REDIS_URL } from '../support/services';

@Module({ imports: [ConfigModule, QueueModule.forRoot()] })
class QueuesOnly {}

const COMMUNITY_A = '00000000-0000-4000-8000-00000000000a';
const COMMUNITY_B = '00000000-0000-4000-8000-00000000000b';

/**
 * Issue 13, Build 1: the send limit is each account's, not the channel's. Two VK communities each have their own
 * 20 calls a second at VK; with the production queue configuration, a burst of twice that budget to each
 * community lets each send its full budget in the first second (together more than one channel-wide budget),
 * while neither goes over its own: the rest of a community's burst waits for the next second.
 */
describe('delivery rate limits per account (integration)', () => {
  it('gives two communities a budget each, and holds each to its own', async () => {
    Object.assign(process.env, {
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: `rate-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'error',
      DELIVERY_RATE_LIMITS: 'true',
    });
    const app = await NestFactory.createApplicationContext(QueuesOnly, { logger: ['error'] });
    try {
      const vk = app.get(JobProducer).queue(QueueName.DeliveryVk);
      const budget = DELIVERY_LIMITS.vk.perSecond;
      const started: { account: string; at: number }[] = [];
      processJobs(vk, JobName.DeliverOutboundMessage, 2 * budget, async (job) => {
        started.push({
          account: String((job.data as Record<string, unknown>)[LIMITER_GROUP_KEY]),
          at: Date.now(),
        });
      });
      const burst = (account: string) =>
        Array.from({ length: 2 * budget }, (_, i) => ({
          name: JobName.DeliverOutboundMessage,
          data: { outboundMessageId: `${account}-${i}`, [LIMITER_GROUP_KEY]: account },
          opts: { jobId: `${account}-${i}` },
        }));
      await vk.addBulk([...burst(COMMUNITY_A), ...burst(COMMUNITY_B)]);

      const deadline = Date.now() + 20_000;
      while (started.length < 4 * budget && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(started).toHaveLength(4 * budget);

      const first = Math.min(...started.map((s) => s.at));
      // Within the first window (a little under the limiter's second): each community at most its own budget …
      const inFirstWindow = (account: string) =>
        started.filter((s) => s.account === account && s.at - first < 900).length;
      expect(inFirstWindow(COMMUNITY_A)).toBeLessThanOrEqual(budget);
      expect(inFirstWindow(COMMUNITY_B)).toBeLessThanOrEqual(budget);
      // … and together more than a single channel-wide budget: the second community did not wait for the first.
      expect(inFirstWindow(COMMUNITY_A) + inFirstWindow(COMMUNITY_B)).toBeGreaterThan(budget);
      // Each community's burst took it past its first second: its own limit held the rest back.
      for (const account of [COMMUNITY_A, COMMUNITY_B]) {
        const times = started.filter((s) => s.account === account).map((s) => s.at);
        expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(900);
      }
    } finally {
      await app.close();
    }
  });
});
