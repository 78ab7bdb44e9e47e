import { InboundStore } from '@inbox/intake';
import { inboundItem } from '../factories/inbound-items';
import { refuseInserts } from '../support/database-faults';
import { eventually, startTestStack, type TestStack } from '../support/test-stack';

/**
 * An inbound item whose registration failed every attempt of its job — an outage that outlasts the retries (the
 * database refusing new appeals, as with its disk full, for longer than JOB_ATTEMPTS' backoff) — was marked
 * 'failed' for good: a citizen's appeal nobody registered, a count on /health, its payload erased by retention
 * later. It is failed for now, and the intake sweep returns it to registration when its next round is due.
 */
describe('an inbound item that failed every attempt during an outage (integration)', () => {
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
