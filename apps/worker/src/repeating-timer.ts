/**
 * A sweep on a timer in each worker: once started, `work` runs `everyMs` after the previous run ended (a slow run never
 * overlaps the next), a failure is reported and the timer goes on. `stop()` clears the timer and awaits the run
 * in flight, so nothing touches the database after shutdown (no Bull delayed job outlives the worker).
 */
export class RepeatingTimer {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopping = false;

  constructor(
    private readonly work: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(everyMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.running = this.work()
        .catch(this.onError)
        .finally(() => this.start(everyMs));
    }, everyMs);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
