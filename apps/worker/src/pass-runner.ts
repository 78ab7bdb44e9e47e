/**
 * Runs a worker's passes over a queue kept in the database (the classification pass): up to `maxPasses` at once,
 * each taking up to `batch` and going on while it finds a full batch, which also starts another beside it.
 *
 * Issue 18: every wake used to start a pass of its own whenever fewer than `maxPasses` ran, and each ran until
 * one found nothing — an empty transaction of four round trips. A wake is a hint that work was queued (a
 * registration's event, the poll, the sweep): while passes run, one of them takes it, since it looks again
 * before it stops — so a wake only starts a pass when none runs. Work queued before a pass's claim is seen by
 * that claim; a wake after it has the pass (or, when it has just ended, a new one) look again.
 */
export class PassRunner {
  private readonly running = new Set<Promise<void>>();
  /** Woken since the last claim began: some pass looks again before the last one stops. */
  private again = false;
  private stopping = false;

  constructor(
    /** One pass: takes up to `batch` and says how many it took, or 'stop' (e.g. its work is deferred). */
    private readonly pass: (batch: number) => Promise<number | 'stop'>,
    private readonly options: { batch: number; maxPasses: number; onError: (error: unknown) => void },
  ) {}

  get size(): number {
    return this.running.size;
  }

  /** Work may be waiting: a pass looks for it (a new one only when none runs). */
  wake(): void {
    if (this.stopping) return;
    if (this.running.size > 0) this.again = true;
    else this.start();
  }

  /** No new passes; waits for the running ones. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.running]);
  }

  private start(): void {
    if (this.stopping || this.running.size >= this.options.maxPasses) return;
    const run: Promise<void> = this.drain()
      .catch((error: unknown) => this.options.onError(error))
      .finally(() => {
        this.running.delete(run);
        // Woken after the last pass's final look: that wake's work has not been looked for.
        if (this.again && this.running.size === 0) this.wake();
      });
    this.running.add(run);
  }

  private async drain(): Promise<void> {
    while (!this.stopping) {
      this.again = false;
      const taken = await this.pass(this.options.batch);
      if (taken === 'stop') return;
      if (taken >= this.options.batch) this.start();
      else if (!this.again) return;
    }
  }
}
