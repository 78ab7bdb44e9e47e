import { randomBytes } from 'node:crypto';
import { InboundStore } from '@inbox/intake';
import { JobName, JobProducer, QueueName } from '@inbox/queue';
import Redis from 'ioredis';
import { inboundItem } from '../factories/inbound-items';
import { TelegramFake } from '../fakes/telegram/telegram-fake';
import { refuseEventOutcomes, refuseInserts } from '../support/database-faults';
import { restoreEnvironmentAfterBlock } from '../support/folded-files';
import { flushQueuePrefix, TEST_REDIS_URL } from '../support/services';
import { startTelegramStack, type TelegramStack } from '../support/telegram-stack';
import { eventually, startTestStack, type TestStack } from '../support/test-stack';

/*
 * Four files folded into one (intake-outage-retry, redis-flush, webhook-events-redis-loss and
 * pulled-events-kept): jest loads the api's and the worker's modules once for them, not four times. Each describe
 * block keeps its own stack, context or database, and gets the environment back as it was when it ends.
 */

/**
 * An inbound item whose registration failed every attempt of its job — an outage that outlasts the retries (the
 * database refusing new appeals, as with its disk full, for longer than JOB_ATTEMPTS' backoff) — was marked
 * 'failed' for good: a citizen's appeal nobody registered, a count on /health, its payload erased by retention
 * later. It is failed for now, and the intake sweep returns it to registration when its next round is due.
 */
describe('an inbound item that failed every attempt during an outage (integration)', () => {
  restoreEnvironmentAfterBlock();
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      worker: true,
      env: {
        JOB_ATTEMPTS: '1',
        PENDING_SWEEP_MS: '2000',
        INTAKE_RETRY_FAILED_MS: '1000',
        INTAKE_RETRY_ROUNDS: '5',
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const itemOf = async (id: string) =>
    (
      (await stack.db.dataSource.query(
        `SELECT status, appeal_id IS NOT NULL AS registered, retry_rounds FROM inbound_items WHERE id = $1`,
        [id],
      )) as { status: string; registered: boolean; retry_rounds: number }[]
    )[0];

  it('is registered by itself once the outage is over, once', async () => {
    const restore = await refuseInserts(stack.db.dataSource, 'appeals');
    let id = '';
    try {
      [{ inboundItemId: id }] = await stack.api.get(InboundStore).store([inboundItem()]);
      // Its job's only attempt failed, and so did a round after it: failed for now.
      await eventually(async () => ((await itemOf(id)).retry_rounds >= 1 ? true : undefined), 30_000);
      await eventually(async () => ((await itemOf(id)).status === 'failed' ? true : undefined), 30_000);
    } finally {
      await restore();
    }
    expect(
      await eventually(async () => ((await itemOf(id)).registered ? itemOf(id) : undefined), 30_000),
    ).toEqual(expect.objectContaining({ status: 'processed', registered: true }));
    expect(
      await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM appeals WHERE inbound_item_id = $1`, [
        id,
      ]),
    ).toEqual([{ n: 1 }]);
  });
});

/**
 * Issue 15: Redis flushed (or replaced by an empty one) under a running worker. The Bull schedules lived only in
 * Redis; with them went the sweeps that re-enqueue what Postgres holds, so an item stored before the flush whose
 * job went with it stayed unregistered until a worker restarted. The worker now puts its schedules back by
 * itself (RepeatableJobs), and the sweep registers the item. Only this test's queue prefix is deleted: the
 * shared Redis carries other runs' queues.
 */
describe('a Redis flushed under a running worker (integration)', () => {
  restoreEnvironmentAfterBlock();
  let stack: TestStack;
  let redis: Redis;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true, env: { PENDING_SWEEP_MS: '1000' } });
    redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    redis?.disconnect();
    await stack?.close();
  });

  const schedules = async (queue: QueueName) =>
    (await stack.worker!.get(JobProducer).queue(queue).getRepeatableJobs()).map((r) => r.name);

  const flushOurKeys = () => flushQueuePrefix(redis, stack.env.QUEUE_PREFIX);

  /** The item is registered by the worker's sweep within 30 s. */
  const registered = async (inboundItemId: string) => {
    const row = await eventually(async () => {
      const [item] = (await stack.db.dataSource.query(
        `SELECT status, appeal_id FROM inbound_items WHERE id = $1`,
        [inboundItemId],
      )) as { status: string; appeal_id: string | null }[];
      return item.status === 'processed' ? item : undefined;
    }, 30_000);
    expect(row.appeal_id).toEqual(expect.any(String));
  };

  it('gets its sweeps back and registers an item whose job the flush took', async () => {
    await eventually(async () =>
      (await schedules(QueueName.Intake)).includes(JobName.SweepPendingItems) ? true : undefined,
    );
    await flushOurKeys();

    // Stored in Postgres; its job was in the Redis that is gone.
    const [stored] = await stack.api.get(InboundStore).store([inboundItem()], { enqueue: false });
    await registered(stored.inboundItemId);
    expect(await schedules(QueueName.Intake)).toContain(JobName.SweepPendingItems);
    expect(await schedules(QueueName.Delivery)).toContain('sweep-queued-messages');
    expect(await schedules(QueueName.Messengers)).toContain('sweep-dialogue');
  });

  it("registers an item whose job the flush took, stored while the database's clock ran a day ahead", async () => {
    // The database's clock was stepped back since the item was stored: by its age it would wait a day.
    const [stored] = await stack.api.get(InboundStore).store([inboundItem()], { enqueue: false });
    await stack.db.dataSource.query(
      `UPDATE inbound_items SET created_at = now() + interval '1 day' WHERE id = $1`,
      [stored.inboundItemId],
    );
    await registered(stored.inboundItemId);
  });

  it('registers an item whose job id a flush left to a husk (a job hash without name or data)', async () => {
    const [stored] = await stack.api.get(InboundStore).store([inboundItem()], { enqueue: false });
    const id = stored.inboundItemId;
    const queue = stack.worker!.get(JobProducer).queue(QueueName.Intake);
    // What Bull does when a FLUSHALL lands between taking an id off the wait list and locking it: moveToActive
    // writes `processedOn` into the job's hash, which the flush took. Here the id is put on the wait list with no
    // hash at all, and the worker's own Bull makes the husk, fails it (no handler for its missing name) and keeps it.
    await redis.lpush(queue.toKey('wait'), id);
    const husk = await eventually(async () => {
      const job = await queue.getJob(id);
      return job && (await job.isFailed()) ? job : undefined;
    }, 15_000);
    expect(husk.data).toEqual({});
    // The sweep's job for this one item has the item's id: it must not be swallowed by the husk.
    await registered(id);
  });
});

/**
 * A webhook's events (here a rating button pressed in Telegram) are answered 200 at once and handled by the
 * worker: Telegram sends them no more. When Redis lost the job that carried them (restarted without persistence,
 * flushed) before a worker took it, the press was gone for good: a poor rating never re-routed the appeal, a
 * consent press never released the citizen's message. They are kept in Postgres until handled now, and the
 * dialogue sweep queues them again. Only this test's queue prefix is deleted: the shared Redis carries other runs.
 */
describe('webhook events across a Redis that lost its jobs (integration)', () => {
  restoreEnvironmentAfterBlock();
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

/**
 * Events that come with a pulled page (Telegram's getUpdates: a /command, a button's press) were handled inline
 * after the page's cursor was saved with its items, and only those that failed were kept for the worker. With the
 * database away for both their handling and their keeping (or the process killed between), the cursor had moved
 * on and the event was gone. They are kept before the cursor moves now, and the worker's sweep has them.
 */
describe('events of a pulled page while the database refuses them (integration)', () => {
  restoreEnvironmentAfterBlock();
  let t: TelegramStack;
  let fake: TelegramFake;
  let stack: TestStack;

  beforeAll(async () => {
    t = await startTelegramStack();
    ({ fake, stack } = t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers a /help pulled while its answer and its keeping were refused, once the database is back', async () => {
    const chat = 700_600_001;
    const ds = stack.db.dataSource;
    const answers = await refuseInserts(ds, 'bot_replies');
    let kept: (() => Promise<void>) | undefined;
    try {
      // refuseInserts names its trigger function once per database: the second table's is made by hand.
      await ds.query(`CREATE TRIGGER refuse_keep BEFORE INSERT ON deferred_inbound_events
                        FOR EACH ROW EXECUTE FUNCTION refuse_insert()`);
      kept = async () => {
        await ds.query(`DROP TRIGGER refuse_keep ON deferred_inbound_events`);
      };
      const polled = fake.callsOf('getUpdates').length;
      fake.enqueue(fake.textUpdate(chat, '/help'));
      // Pulled (at least twice: the page, and the next poll after it), while the database refuses.
      await eventually(async () => (fake.callsOf('getUpdates').length >= polled + 2 ? true : undefined));
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await kept?.();
      await answers();
    }
    const help = await eventually(
      async () => fake.sentTo(chat).find((m) => m.text?.startsWith('Что умеет бот:')),
      30_000,
    );
    expect(help.text).toContain('/my');
    await new Promise((r) => setTimeout(r, 1000));
    expect(fake.sentTo(chat)).toHaveLength(1);
    expect(await ds.query(`SELECT count(*)::int AS n FROM deferred_inbound_events`)).toEqual([{ n: 0 }]);
  });
});
