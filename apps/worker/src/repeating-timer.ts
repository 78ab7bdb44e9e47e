import { type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { rootLogger } from '@inbox/common';

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

/**
 * A worker provider whose one job is a sweep on a RepeatingTimer: `run` every `everyMs`, started with the module
 * and stopped (the run in flight awaited) at shutdown; a failed run is logged as `failure` and tried again at
 * the next tick.
 */
export class SweepWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly timer: RepeatingTimer;

  protected constructor(
    private readonly sweep: { log: string; failure: string; everyMs: number; run: () => Promise<unknown> },
  ) {
    const log = rootLogger.child(sweep.log);
    this.timer = new RepeatingTimer(sweep.run, (error) => log.warn(sweep.failure, { reason: error }));
  }

  onModuleInit(): void {
    this.timer.start(this.sweep.everyMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.timer.stop();
  }
}
