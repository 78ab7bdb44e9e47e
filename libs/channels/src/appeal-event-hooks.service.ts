import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { Transactions } from '@inbox/database';
import {
  type AppealEventRecord,
  AppealEventsOutbox,
  type ClaimedEvent,
  type ConsumerSubscription,
} from './appeal-events-outbox.repository';

/** Reacts to an appeal's history event of a given channel (a status notice, a ПОС status push…). */
export type AppealEventHook = (event: AppealEventRecord) => Promise<void>;

interface Consumer extends ConsumerSubscription {
  hook: AppealEventHook;
}

/** Rows one consumer takes per transaction, and transactions per run before it yields to the next tick. */
const BATCH = 200;
const BATCHES_PER_RUN = 10;
/**
 * Consumers running at once in a process. Each holds a pooled connection for its transaction while its hooks use
 * others, so this stays well under the pool's size.
 */
const PARALLEL_RUNS = 4;
/** A hook still running after this long counts as failed (it is retried later; hooks are idempotent). */
export const HOOK_TIMEOUT_MS = 30_000;
const MAX_BACKOFF_MS = 10 * 60_000;

export function hookBackoffMs(attempts: number, firstMs: number): number {
  return Math.min(MAX_BACKOFF_MS, firstMs * 2 ** Math.min(Math.max(attempts - 1, 0), 20));
}

class HookTimeout extends Error {
  constructor() {
    super(`hook did not finish within ${HOOK_TIMEOUT_MS} ms`);
  }
}

/**
 * Channel hooks over the appeals' history, through the outbox (`event_outbox`). Each hook is a consumer of its
 * own (a citizen notice per channel, ПОС status pushes, МЭДО receipts…): the trigger on `appeal_events` queues a
 * row for it in the transaction that appends the event, so an event committed late is queued like any other.
 * A consumer takes its rows in its own transaction (one worker at a time per consumer, oldest first), deletes
 * what its hook handled, and backs off what failed without holding back any other consumer; after the last
 * attempt a row stays as a dead letter that staff can retry. Delivery is at least once: hooks are idempotent.
 */
@Injectable()
export class AppealEventHooks implements OnApplicationBootstrap {
  private readonly consumers = new Map<string, Consumer>();
  private readonly running = new Map<string, Promise<number>>();
  private readonly log = rootLogger.child('appeal-event-hooks');
  private stopping = false;

  constructor(
    private readonly outbox: AppealEventsOutbox,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
  ) {}

  /**
   * `channel` '*' listens to every channel. The consumer is named after the hook and, for one channel, the
   * channel too (`citizen-notices:telegram`), so each channel's notices back off on their own.
   */
  on(name: string, channel: string, types: string[], hook: AppealEventHook): void {
    const consumer = channel === '*' ? name : `${name}:${channel}`;
    if (this.consumers.has(consumer)) throw new Error(`event hook ${consumer} is registered twice`);
    this.consumers.set(consumer, { name: consumer, channels: [channel], types: [...new Set(types)], hook });
  }

  /** The consumers this process runs. */
  names(): string[] {
    return [...this.consumers.keys()];
  }

  /**
   * Every hook is registered in its module's init; from here on the trigger queues their events (an install
   * does not notify about the past).
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.outbox.register([...this.consumers.values()].map(({ hook: _, ...s }) => s));
  }

  /**
   * Starts a run for each consumer with due rows that is not already running in this process, and returns at
   * once with the runs (a slow hook holds back only its own consumer).
   */
  async startDue(): Promise<Promise<number>[]> {
    if (this.stopping || this.consumers.size === 0) return [];
    const due = await this.outbox.due(this.names());
    const runs: Promise<number>[] = [];
    for (const name of due) {
      const running = this.running.get(name);
      if (running) runs.push(running);
      else if (this.running.size < PARALLEL_RUNS) runs.push(this.run(name));
    }
    return runs;
  }

  /** One pass over every due consumer, awaited; returns how many events the hooks handled. */
  async drain(): Promise<number> {
    const counts = await Promise.all(await this.startDue());
    return counts.reduce((a, b) => a + b, 0);
  }

  /** No new runs; the running ones finish their transaction. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running.values()]);
  }

  private run(name: string): Promise<number> {
    const existing = this.running.get(name);
    if (existing) return existing;
    const run = (async () => {
      let handled = 0;
      for (let i = 0; i < BATCHES_PER_RUN && !this.stopping; i++) {
        const batch = await this.batch(this.consumers.get(name)!);
        handled += batch.handled;
        if (batch.claimed < BATCH) break;
      }
      return handled;
    })()
      .catch((error: unknown) => {
        this.log.warn('outbox run failed; retried on the next tick', { consumer: name, reason: error });
        return 0;
      })
      .finally(() => this.running.delete(name));
    this.running.set(name, run);
    return run;
  }

  private batch(consumer: Consumer): Promise<{ claimed: number; handled: number }> {
    return this.transactions.run(async (tx) => {
      if (!(await this.outbox.takeTurn(tx, consumer.name))) return { claimed: 0, handled: 0 };
      const events = await this.outbox.claim(tx, consumer.name, BATCH);
      const done: string[] = [];
      // An appeal whose event failed in this batch: its later events wait for the retry, in order.
      const held = new Set<string>();
      for (const event of events) {
        if (held.has(event.appealId)) continue;
        try {
          await withTimeout(consumer.hook(strip(event)));
          done.push(event.id);
        } catch (error) {
          held.add(event.appealId);
          await this.failed(tx, consumer.name, event, error);
          if (error instanceof HookTimeout) break;
        }
      }
      await this.outbox.done(tx, consumer.name, done);
      return { claimed: events.length, handled: done.length };
    });
  }

  private async failed(
    tx: Parameters<AppealEventsOutbox['failed']>[0],
    consumer: string,
    event: ClaimedEvent,
    error: unknown,
  ): Promise<void> {
    const attempts = event.attempts + 1;
    const reason = error instanceof Error ? error.message : String(error);
    const final = attempts >= this.config.eventHookAttempts;
    const retryIn = hookBackoffMs(attempts, this.config.eventHookRetryMs);
    await this.outbox.failed(tx, consumer, event.id, reason, final ? 'dead' : retryIn);
    const details = { consumer, eventId: event.id, type: event.type, attempt: attempts, reason: error };
    if (final) this.log.error('event hook failed for good: a dead letter now', details);
    else this.log.warn('event hook failed; backing off', { ...details, retryInMs: retryIn });
  }
}

function strip({ attempts: _, ...event }: ClaimedEvent): AppealEventRecord {
  return event;
}

async function withTimeout(work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  // A hook that outlives its timeout may still fail later: that is already counted.
  work.catch(() => undefined);
  try {
    await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HookTimeout()), HOOK_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
