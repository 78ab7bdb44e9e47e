import { PassRunner } from './pass-runner';

/** A queue of `waiting` items taken by passes; each pass waits for `gate` (when set) after its claim. */
function queue(options: { batch: number; maxPasses: number }) {
  const q = {
    waiting: 0,
    passes: 0,
    empty: 0,
    taken: 0,
    concurrent: 0,
    maxConcurrent: 0,
    gate: undefined as Promise<void> | undefined,
  };
  const runner = new PassRunner(
    async (batch) => {
      q.passes += 1;
      q.concurrent += 1;
      q.maxConcurrent = Math.max(q.maxConcurrent, q.concurrent);
      const took = Math.min(batch, q.waiting);
      q.waiting -= took;
      q.taken += took;
      if (took === 0) q.empty += 1;
      await Promise.resolve();
      if (q.gate) await q.gate;
      q.concurrent -= 1;
      return took;
    },
    { ...options, onError: (error) => fail(error) },
  );
  const settled = async () => {
    while (runner.size > 0) await new Promise((r) => setImmediate(r));
  };
  return { q, runner, settled };
}

describe('PassRunner', () => {
  it('stops after a pass that found less than a batch, with no empty pass after it', async () => {
    const { q, runner, settled } = queue({ batch: 50, maxPasses: 4 });
    q.waiting = 10;
    runner.wake();
    await settled();
    // Before: every pass ran until one came back empty (an empty transaction a wake).
    expect({ passes: q.passes, empty: q.empty, taken: q.taken }).toEqual({ passes: 1, empty: 0, taken: 10 });
  });

  it('has a running pass look again for what was woken meanwhile, instead of starting passes of its own', async () => {
    const { q, runner, settled } = queue({ batch: 50, maxPasses: 4 });
    let open!: () => void;
    q.gate = new Promise((r) => (open = r));
    q.waiting = 10;
    runner.wake();
    await new Promise((r) => setImmediate(r));
    // Registered while the pass runs, after its claim: three events, three wakes.
    q.waiting += 5;
    runner.wake();
    runner.wake();
    runner.wake();
    expect(runner.size).toBe(1);
    q.gate = undefined;
    open();
    await settled();
    expect({ passes: q.passes, empty: q.empty, taken: q.taken, waiting: q.waiting }).toEqual({
      passes: 2,
      empty: 0,
      taken: 15,
      waiting: 0,
    });
    expect(q.maxConcurrent).toBe(1);
  });

  it('starts passes beside a full one, up to the limit, and takes everything once', async () => {
    const { q, runner, settled } = queue({ batch: 50, maxPasses: 4 });
    q.waiting = 1_000;
    runner.wake();
    await settled();
    expect(q.taken).toBe(1_000);
    expect(q.waiting).toBe(0);
    expect(q.maxConcurrent).toBe(4);
    // Each of the (at most four) passes that ran dry looks once more, no more.
    expect(q.empty).toBeLessThanOrEqual(4);
  });

  it('wakes a pass when none runs, and none after stop', async () => {
    const { q, runner, settled } = queue({ batch: 50, maxPasses: 4 });
    runner.wake();
    await settled();
    q.waiting = 3;
    runner.wake();
    await settled();
    expect(q.taken).toBe(3);
    await runner.stop();
    q.waiting = 7;
    runner.wake();
    await settled();
    expect(q.taken).toBe(3);
  });
});
