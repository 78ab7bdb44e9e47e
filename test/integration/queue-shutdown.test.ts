import { randomBytes } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Queue } from 'bull';
import { ConfigModule } from '@inbox/config';
import { DELIVERY_LIMITS, JobName, JobProducer, processJobs, QueueModule, QueueName } from '@inbox/queue';
import { TEST_REDIS_URL } from '../support/services';

@Module({ imports: [ConfigModule, QueueModule.forRoot()] })
class QueuesOnly {}

type Spied = { name: string; at: number; command: string };

/**
 * Issue 15, item 3: the per-channel delivery limits (Bull's limiter) are on in the tests as in production, so
 * the shutdown must leave nothing behind that talks to Redis: a worker closed mid-burst, with jobs held back by
 * the limiter and others still running, closes cleanly, sends no command afterwards and leaves no timer behind.
 */
describe('queue shutdown with the production delivery limits (integration)', () => {
  it('closes mid-burst without a Redis command after close, an error or a rejected close', async () => {
    Object.assign(process.env, {
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: `shutdown-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'error',
      DELIVERY_RATE_LIMITS: 'true',
      QUEUE_LOCK_MS: '5000',
    });
    const app = await NestFactory.createApplicationContext(QueuesOnly, { logger: ['error'] });
    const jobs = app.get(JobProducer);
    const telegram = jobs.queue(QueueName.DeliveryTelegram);
    expect((telegram as unknown as { limiter?: unknown }).limiter).toEqual({
      max: DELIVERY_LIMITS.telegram.perSecond,
      duration: 1000,
      groupKey: 'accountId',
    });
    const errors: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const queues = Object.values(QueueName).map((n) => jobs.queue(n));
    for (const q of queues) q.on('error', (e: Error) => errors.push(`${q.name}: ${e.message}`));

    let started = 0;
    const failed: string[] = [];
    telegram.on('failed', (_job, error: Error) => failed.push(error.message));
    // As a real send does: the chat's pacing key lives in Redis, through the common delivery queue's connection.
    const pacing = jobs.queue(QueueName.Delivery);
    processJobs(telegram, JobName.DeliverOutboundMessage, 8, async (job) => {
      started++;
      await new Promise((r) => setTimeout(r, 300));
      await pacing.client.set(`${pacing.name}:pace-test:${String(job.id)}`, '1', 'PX', 1000);
    });
    // Twice the per-second limit of one bot: the limiter holds half of them back (delayed, with its timer running).
    await telegram.addBulk(
      Array.from({ length: DELIVERY_LIMITS.telegram.perSecond * 2 }, (_, i) => ({
        name: JobName.DeliverOutboundMessage,
        data: { outboundMessageId: `m-${i}`, accountId: '00000000-0000-4000-8000-000000000001' },
      })),
    );
    const deadline = Date.now() + 10_000;
    while (started < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(started).toBeGreaterThanOrEqual(10);

    // A worker with nothing to do: its connection waits on the blocking fetch of the next job when the close comes
    // (its socket timeout armed as the fetch went out).
    const idle = jobs.queue(QueueName.Deadlines);
    await idle.isReady();
    processJobs(idle, JobName.WatchClocks, 1, async () => undefined);
    while (!idle.clients.some(armed) && Date.now() < deadline + 10_000)
      await new Promise((r) => setTimeout(r, 20));
    expect(idle.clients.some(armed)).toBe(true);

    // Every command any queue's connection sends from now on, with the time it was sent.
    const sent: Spied[] = [];
    for (const q of queues) spy(q, sent);
    await app.close();
    const closedAt = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    process.off('unhandledRejection', onUnhandled);

    expect(sent.filter((s) => s.at > closedAt)).toEqual([]);
    expect(errors).toEqual([]);
    expect(failed).toEqual([]);
    expect(unhandled).toEqual([]);
    for (const q of queues) expect(q.clients.map((c) => c.status)).toEqual(q.clients.map(() => 'end'));
    // Nor does anything hold the process: a connection closed with a command unanswered (the blocking fetch of the
    // next job) kept ioredis's socket timeout running, for up to 15 s after the close (clearSocketTimeoutOnClose).
    expect(queues.flatMap((q) => q.clients.filter(armed).map(() => q.name))).toEqual([]);
    // The limiter really held jobs back when the shutdown came.
    expect(started).toBeLessThan(DELIVERY_LIMITS.telegram.perSecond * 2);
  });
});

/** Whether ioredis's socket timeout of the connection runs: a command went out that nothing has answered yet. */
function armed(client: Queue['client']): boolean {
  return (client as unknown as { socketTimeoutTimer?: NodeJS.Timeout }).socketTimeoutTimer !== undefined;
}

function spy(queue: Queue, sent: Spied[]): void {
  for (const client of queue.clients) {
    const original = client.sendCommand.bind(client);
    client.sendCommand = ((command: { name: string }, stream?: unknown) => {
      sent.push({ name: queue.name, at: Date.now(), command: command.name });
      return original(command as never, stream as never);
    }) as typeof client.sendCommand;
  }
}
