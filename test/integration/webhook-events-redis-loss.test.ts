import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { TelegramFake } from '../fakes/telegram/telegram-fake';
import { refuseEventOutcomes } from '../support/database-faults';
import { flushQueuePrefix, TEST_REDIS_URL } from '../support/services';
import { eventually, startTestStack, type TestStack } from '../support/test-stack';

/**
 * A webhook's events (here a rating button pressed in Telegram) are answered 200 at once and handled by the
 * worker: Telegram sends them no more. When Redis lost the job that carried them (restarted without persistence,
 * flushed) before a worker took it, the press was gone for good: a poor rating never re-routed the appeal, a
 * consent press never released the citizen's message. They are kept in Postgres until handled now, and the
 * dialogue sweep queues them again. Only this test's queue prefix is deleted: the shared Redis carries other runs.
 */
describe('webhook events across a Redis that lost its jobs (integration)', () => {
  let fake: TelegramFake;
  let stack: TestStack;
  let redis: Redis;
  const secret = `wh_${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    fake = await TelegramFake.start();
    stack = await startTestStack({
      worker: true,
      env: {
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        TELEGRAM_WEBHOOK_URL: 'https://inbox.region.test/api/v1/webhooks/telegram',
        TELEGRAM_WEBHOOK_SECRET: secret,
        PENDING_SWEEP_MS: '1000',
      },
    });
    redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    redis?.disconnect();
    await stack?.close();
    await fake?.stop();
  });

  const flushOurKeys = () => flushQueuePrefix(redis, stack.env.QUEUE_PREFIX);

  const outcomes = async () =>
    (await stack.db.dataSource.query(
      `SELECT outcome FROM inbound_events WHERE channel = 'telegram' AND kind = 'rating'`,
    )) as { outcome: string | null }[];

  it('handles a rating press whose job Redis lost while no worker ran', async () => {
    await stack.stopWorker();
    const press = fake.callbackUpdate(700_400_001, 'rate:2026-999999:answered:no');
    const res = await fake.pushToWebhook(press, {
      url: `${stack.baseUrl}/api/v1/webhooks/telegram`,
      secret,
    });
    expect(res.status).toBe(200);
    // Redis comes back empty: the job that carried the press is gone, and Telegram will not send it again.
    await flushOurKeys();
    await stack.startWorker();

    const [handled] = await eventually(async () => {
      const rows = await outcomes();
      return rows.length > 0 && rows.every((r) => r.outcome !== null) ? rows : undefined;
    }, 30_000);
    // Handled: the number belongs to no appeal, and the citizen is told so (the button is acknowledged).
    expect(handled.outcome).toBe('appeal-not-found');
    await eventually(async () => (fake.callsOf('answerCallbackQuery').length > 0 ? true : undefined));
    // Kept only until handled.
    await eventually(async () => {
      const [{ n }] = (await stack.db.dataSource.query(
        `SELECT count(*)::int AS n FROM deferred_inbound_events`,
      )) as { n: number }[];
      return n === 0 ? true : undefined;
    });
  });

  it('handles again a press whose handling the database broke off', async () => {
    // The database refuses the press's outcome for a while (as it does while Postgres restarts). The claim
    // said the press was seen; the job was done; nothing handled it again.
    const restore = await refuseEventOutcomes(stack.db.dataSource);
    const before = (await outcomes()).length;
    const press = fake.callbackUpdate(700_400_002, 'rate:2026-999998:sat:not-satisfied');
    const res = await fake.pushToWebhook(press, {
      url: `${stack.baseUrl}/api/v1/webhooks/telegram`,
      secret,
    });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    await restore();

    const rows = await eventually(async () => {
      const all = await outcomes();
      return all.length > before && all.every((r) => r.outcome !== null) ? all : undefined;
    }, 30_000);
    expect(rows.map((r) => r.outcome)).toEqual(['appeal-not-found', 'appeal-not-found']);
  });
});
