import { Injectable } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import {
  type ConsumerBacklog,
  type DeadEvent,
  type OutboxCounts,
  AppealEventsOutbox,
} from './appeal-events-outbox.repository';

/** The whole outbox at a glance: per consumer, and the figures summed for /health. */
export interface OutboxOverview {
  totals: { pending: number; retrying: number; dead: number; oldestPendingAt: Date | null };
  consumers: ConsumerBacklog[];
  dead: DeadEvent[];
  /** Attempts a (consumer, event) gets at least before it is kept as a dead letter (EVENT_HOOK_ATTEMPTS). */
  attemptsBeforeDead: number;
  /** How long a failing (consumer, event) is retried at least before it is a dead letter (EVENT_HOOK_RETRY_FOR_MS). */
  retryForMs: number;
}

export type OutboxTotals = OutboxOverview['totals'];

/**
 * What staff see of the history outbox and what they may do with it: the backlog of every consumer (due,
 * backing off, dead), the dead letters themselves with the last error, and a retry of one dead letter or of all
 * of a consumer's (or every) dead letter. A retry puts the rows back as due now with a fresh count of attempts;
 * the hooks are idempotent, so a retry of something that did get through sends nothing twice.
 */
@Injectable()
export class EventOutboxPanel {
  private readonly log = rootLogger.child('event-outbox');

  constructor(
    private readonly outbox: AppealEventsOutbox,
    private readonly config: AppConfig,
  ) {}

  async overview(limit = 200): Promise<OutboxOverview> {
    const [consumers, dead] = await Promise.all([this.outbox.backlog(), this.outbox.dead(limit)]);
    return {
      totals: totalsOf(consumers),
      consumers,
      dead,
      attemptsBeforeDead: this.config.eventHookAttempts,
      retryForMs: this.config.eventHookRetryForMs,
    };
  }

  /**
   * Summed figures only (no appeal, no registration number): safe for the public /health. Each count stops at
   * HEALTH_COUNT_CAP (a count that reaches it means at least that many), so it costs the same at any size.
   */
  async totals(): Promise<OutboxTotals> {
    return totalsOf(await this.outbox.healthTotals());
  }

  /**
   * Dead letters back to due: one (consumer + eventId), all of one consumer (consumer), or every one (nothing).
   * Returns how many rows were put back.
   */
  async retry(which: { consumer?: string; eventId?: string }): Promise<number> {
    const retried = await this.outbox.retryDead(which);
    this.log.info('dead letters put back for another try', { ...which, retried });
    return retried;
  }
}

function totalsOf(consumers: OutboxCounts[]): OutboxTotals {
  let oldest: Date | null = null;
  const sum = { pending: 0, retrying: 0, dead: 0 };
  for (const c of consumers) {
    sum.pending += c.pending;
    sum.retrying += c.retrying;
    sum.dead += c.dead;
    if (c.oldestPendingAt && (!oldest || c.oldestPendingAt < oldest)) oldest = c.oldestPendingAt;
  }
  return { ...sum, oldestPendingAt: oldest };
}
