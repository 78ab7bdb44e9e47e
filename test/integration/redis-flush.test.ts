import Redis from 'ioredis';
import { InboundStore } from '@inbox/intake';
import { JobName, JobProducer, QueueName } from '@inbox/queue';
import { inboundItem } from '../factories/inbound-items';
import { flushQueuePrefix, TEST_REDIS_URL } from '../support/services';
import { eventually, startTestStack, type TestStack } from '../support/test-stack';

/**
 * Issue 15: Redis flushed (or replaced by an empty one) under a running worker. The Bull schedules lived only in
 * Redis; with them went the sweeps that re-enqueue what Postgres holds, so an item stored before the flush whose
 * job went with it stayed unregistered until a worker restarted. The worker now puts its schedules back by
 * itself (RepeatableJobs), and the sweep registers the item. Only this test's queue prefix is deleted: the
 * shared Redis carries other runs' queues.
 */
describe('a Redis flushed under a running worker (integration)', () => {
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
