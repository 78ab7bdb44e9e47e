import { randomUUID } from 'node:crypto';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { bootWrite, Transactions } from '@inbox/database';
import { ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';
import {
  type AppealEventRecord,
  AppealEventsOutbox,
  type ClaimedEvent,
  type ConsumerSubscription,
  type FailedAttempt,
} from './appeal-events-outbox.repository';

/** Reacts to an appeal's history event of a given channel (a status notice, a ПОС status push…). */
export type AppealEventHook = (event: AppealEventRecord) => Promise<void>;

/**
 * What a batch hook says of one event it was given: handled; failed (it backs off, and after the last attempt
 * stays as a dead letter); or not tried (it stays due as it was, its attempts not counted).
 */
export type HookOutcome = 'done' | 'untried' | { failed: unknown };

/**
 * Reacts to a batch of history events at once, set-based (one statement for the batch rather than one per
 * event). An appeal has at most one event in a batch, and the batch is in event order; an event tried before comes
 * alone. Returns each event's outcome by event id (an event left out counts as failed), or nothing when every
 * event is done; a throw fails every event of the batch.
 */
export type AppealEventBatchHook = (
  events: AppealEventRecord[],
) => Promise<ReadonlyMap<string, HookOutcome> | void>;

interface Consumer extends ConsumerSubscription {
  hook: AppealEventBatchHook;
  /** The whole call is timed (a batch hook); else the hook times each event itself (`on`). */
  timed: boolean;
}

/** Rows one consumer leases per batch, and batches per run before it yields to the next tick. */
const BATCH = 200;
const BATCHES_PER_RUN = 10;
/** Consumers running at once in a process (each holds a pooled connection only for its claim and its settle). */
const PARALLEL_RUNS = 4;
/** A hook still running after this long counts as failed (it is retried later; hooks are idempotent). */
export const HOOK_TIMEOUT_MS = 30_000;
/**
 * The longest wait between two attempts at a failing event: after an outage of any length, the channel's (or our
 * database's) return is noticed within this.
 */
const MAX_BACKOFF_MS = 5 * 60_000;

export function hookBackoffMs(attempts: number, firstMs: number): number {
  return Math.min(MAX_BACKOFF_MS, firstMs * 2 ** Math.min(Math.max(attempts - 1, 0), 20));
}

/**
 * A hook's error that another attempt cannot cure (the event is malformed for the remote side, the recipient is
 * gone): the event is a dead letter at once. Any other error is taken as transient and retried.
 */
export class PermanentHookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentHookError';
  }
}

/**
 * Whether a hook's error is permanent: declared so (PermanentHookError); a channel that refused the request as
 * malformed or its addressee as unknown (a ConnectorError's InvalidPayload, NotFound — unlike a refused account,
 * which staff put right and which then goes through); or Postgres refusing the data itself (SQLSTATE class 22,
 * a data exception). An outage (a connection refused or cut, a timeout, a rate limit) is transient.
 */
export function isPermanentHookError(error: unknown): boolean {
  if (error instanceof PermanentHookError) return true;
  if (error instanceof ConnectorError)
    return error.code === ConnectorErrorCode.InvalidPayload || error.code === ConnectorErrorCode.NotFound;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
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
 * A consumer leases a batch of its rows in a short transaction (claims of one consumer one at a time, oldest
 * first; an appeal's events in one batch at most), runs its hook outside any transaction, then deletes what the
 * hook handled and backs off what failed without holding back any other consumer. A failing row is retried with
 * a capped back-off for EVENT_HOOK_RETRY_FOR_MS (24 h) and at least EVENT_HOOK_ATTEMPTS times, so an outage of
 * hours needs nobody; then, or at once for a permanent error, it stays as a dead letter that staff can retry. Two
 * workers may run one consumer's batches at once, never the same row or two events of one appeal. Delivery is at
 * least once (a worker that dies mid-batch leaves its rows to be taken over when the lease runs out): hooks are
 * idempotent.
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
   * channel too (`citizen-notices:telegram`), so each channel's notices back off on their own. The hook sees one
   * event at a time, each within HOOK_TIMEOUT_MS: for consumers where a batch saves nothing.
   */
  on(name: string, channel: string, types: string[], hook: AppealEventHook): void {
    this.add(name, channel, types, eventByEvent(hook), false);
  }

  /**
   * As `on`, but the hook takes the batch's events at once (see AppealEventBatchHook) and does its work for all
   * of them together, within HOOK_TIMEOUT_MS for the whole call.
   */
  onBatch(name: string, channel: string, types: string[], hook: AppealEventBatchHook): void {
    this.add(name, channel, types, hook, true);
  }

  private add(
    name: string,
    channel: string,
    types: string[],
    hook: AppealEventBatchHook,
    timed: boolean,
  ): void {
    const consumer = channel === '*' ? name : `${name}:${channel}`;
    if (this.consumers.has(consumer)) throw new Error(`event hook ${consumer} is registered twice`);
    this.consumers.set(consumer, {
      name: consumer,
      channels: [channel],
      types: [...new Set(types)],
      hook,
      timed,
    });
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
    await bootWrite('history consumers', () =>
      this.outbox.register(
        [...this.consumers.values()].map(({ name, channels, types }) => ({ name, channels, types })),
      ),
    );
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

  /** No new runs; the running ones finish their batch and settle it. */
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

  /**
   * One batch of a consumer: its due rows leased in a short transaction of their own (committed before any hook
   * runs, so no transaction stays open while the hooks work), handed to the hook in waves — each appeal's earliest
   * event not yet handled, so no event reaches the hook before the one ahead of it in its appeal is done — then
   * settled in one statement: the handled rows deleted, the failed ones backed off (or buried), the rest due again. An appeal
   * whose event failed (or was not tried) keeps its later events for the retry, in order; a timeout ends the
   * batch. While the hooks run the lease is renewed; a worker that dies leaves its rows to whoever claims once the
   * lease has run out.
   */
  private async batch(consumer: Consumer): Promise<{ claimed: number; handled: number }> {
    const lease = randomUUID();
    const leaseMs = this.config.eventHookLeaseMs;
    const events = await this.transactions.run(async (tx) =>
      (await this.outbox.takeTurn(tx, consumer.name))
        ? this.outbox.claim(tx, consumer.name, BATCH, lease, leaseMs)
        : [],
    );
    if (events.length === 0) return { claimed: 0, handled: 0 };
    const renewal = this.renewing(consumer.name, lease, events, leaseMs);
    const done: string[] = [];
    const failures: FailedAttempt[] = [];
    try {
      const held = new Set<string>();
      let rest = events;
      while (rest.length > 0) {
        const wave: ClaimedEvent[] = [];
        const later: ClaimedEvent[] = [];
        const inWave = new Set<string>();
        for (const event of rest) {
          if (held.has(event.appealId)) continue;
          if (inWave.has(event.appealId)) later.push(event);
          else {
            inWave.add(event.appealId);
            wave.push(event);
          }
        }
        if (wave.length === 0) break;
        const outcomes = await this.call(consumer, wave);
        let timedOut = false;
        for (const event of wave) {
          const outcome = outcomes.get(event.id) ?? { failed: new Error('the hook gave no outcome') };
          if (outcome === 'done') {
            done.push(event.id);
            continue;
          }
          held.add(event.appealId);
          if (outcome === 'untried') continue;
          failures.push(this.failure(consumer.name, event, outcome.failed));
          if (outcome.failed instanceof HookTimeout) timedOut = true;
        }
        if (timedOut) break;
        rest = later;
      }
    } finally {
      await renewal.stop();
    }
    const settled = new Set([...done, ...failures.map((f) => f.eventId)]);
    const untried = events.filter((e) => !settled.has(e.id)).map((e) => e.id);
    const buried = await this.outbox.settle(
      consumer.name,
      lease,
      { done, failed: failures, untried },
      { attempts: this.config.eventHookAttempts, afterMs: this.config.eventHookRetryForMs },
    );
    for (const id of buried) {
      const failure = failures.find((f) => f.eventId === id);
      this.log.error('event hook failed for good: a dead letter now', {
        consumer: consumer.name,
        eventId: id,
        permanent: failure?.retryInMs === 'dead',
        reason: failure?.reason,
      });
    }
    return { claimed: events.length, handled: done.length };
  }

  /**
   * Renews a batch's lease every third of its length until stopped (the stop waits for a renewal under way, so
   * it cannot land after the batch has settled). A renewal that fails is logged; the next one tries again.
   */
  private renewing(
    consumer: string,
    lease: string,
    events: ClaimedEvent[],
    leaseMs: number,
  ): { stop(): Promise<void> } {
    const ids = events.map((e) => e.id);
    let current: Promise<unknown> = Promise.resolve();
    const timer = setInterval(
      () => {
        current = this.outbox.renew(consumer, lease, ids, leaseMs).then(
          (held) => {
            if (held < ids.length)
              this.log.warn('outbox lease lost on some rows (taken over after it ran out)', {
                consumer,
                held,
                leased: ids.length,
              });
          },
          (error: unknown) => this.log.warn('outbox lease renewal failed', { consumer, reason: error }),
        );
      },
      Math.floor(leaseMs / 3),
    );
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await current;
      },
    };
  }

  /**
   * The hook's outcomes for a wave. Events tried before go to the hook one at a time, after the fresh ones
   * together: a batch that failed as a whole (one bad event in a set-based statement) is retried event by event,
   * so the bad one fails alone and the others are done. A throw (or a timeout) fails every event of its call;
   * after a timeout the rest of the wave is not tried.
   */
  private async call(consumer: Consumer, wave: ClaimedEvent[]): Promise<Map<string, HookOutcome>> {
    const fresh = wave.filter((e) => e.attempts === 0);
    const calls = [
      ...(fresh.length > 0 ? [fresh] : []),
      ...wave.filter((e) => e.attempts > 0).map((e) => [e]),
    ];
    const outcomes = new Map<string, HookOutcome>();
    let timedOut = false;
    for (const events of calls) {
      if (timedOut) {
        for (const e of events) outcomes.set(e.id, 'untried');
        continue;
      }
      for (const [id, outcome] of await this.callOnce(consumer, events)) {
        outcomes.set(id, outcome);
        if (typeof outcome === 'object' && outcome.failed instanceof HookTimeout) timedOut = true;
      }
    }
    return outcomes;
  }

  private async callOnce(
    consumer: Consumer,
    events: ClaimedEvent[],
  ): Promise<ReadonlyMap<string, HookOutcome>> {
    try {
      const work = consumer.hook(events.map(strip));
      const outcomes = consumer.timed ? await withTimeout(work) : await work;
      return outcomes ?? new Map(events.map((e) => [e.id, 'done' as const]));
    } catch (error) {
      return new Map(events.map((e) => [e.id, { failed: error }]));
    }
  }

  private failure(consumer: string, event: ClaimedEvent, error: unknown): FailedAttempt {
    const attempts = event.attempts + 1;
    const reason = error instanceof Error ? error.message : String(error);
    const permanent = isPermanentHookError(error);
    const retryIn = hookBackoffMs(attempts, this.config.eventHookRetryMs);
    if (!permanent)
      this.log.warn('event hook failed; backing off', {
        consumer,
        eventId: event.id,
        type: event.type,
        attempt: attempts,
        reason: error,
        retryInMs: retryIn,
      });
    return { eventId: event.id, reason, retryInMs: permanent ? 'dead' : retryIn };
  }
}

/**
 * A single-event hook as a batch hook: one event after another, each within HOOK_TIMEOUT_MS; after a timeout
 * the rest of the batch is not tried (the batch ends).
 */
function eventByEvent(hook: AppealEventHook): AppealEventBatchHook {
  return async (events) => {
    const outcomes = new Map<string, HookOutcome>();
    let stopped = false;
    for (const event of events) {
      if (stopped) {
        outcomes.set(event.id, 'untried');
        continue;
      }
      try {
        await withTimeout(hook(event));
        outcomes.set(event.id, 'done');
      } catch (error) {
        outcomes.set(event.id, { failed: error });
        stopped = error instanceof HookTimeout;
      }
    }
    return outcomes;
  };
}

function strip({ attempts: _, ...event }: ClaimedEvent): AppealEventRecord {
  return event;
}

async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // A hook that outlives its timeout may still fail later: that is already counted.
  work.catch(() => undefined);
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HookTimeout()), HOOK_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
