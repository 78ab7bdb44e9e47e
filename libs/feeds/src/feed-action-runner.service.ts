import { Injectable } from '@nestjs/common';
import { AdvisoryLocks } from '@inbox/database';
import { rootLogger } from '@inbox/common';
import { ConnectorError } from '@inbox/integrations/contract';
import { type FeedActionKind, type FeedActionRow } from './feed-actions.repository';
import { FeedActions } from './feed-actions.service';

export type FeedActionHandler = (row: FeedActionRow) => Promise<void>;

export interface FeedActionReport {
  done: number;
  failed: number;
  retrying: number;
}

const BATCH = 50;
const MAX_BACKOFF_MS = 10 * 60_000;
/** An unexpected (non-connector) error is retried this many times before it is given up for good. */
const MAX_UNEXPECTED_ATTEMPTS = 20;

export function backoffMs(attempts: number, retryAfterMs?: number): number {
  return Math.min(MAX_BACKOFF_MS, retryAfterMs ?? 2000 * 2 ** Math.min(Math.max(attempts - 1, 0), 12));
}

/**
 * Runs pending feed actions, one kind at a time across all workers (an advisory lock), oldest first. A
 * temporary failure backs the action off and stops the kind's batch: the remote side is down, and later
 * actions must not overtake it (ПОС would see "answered" before "taken"). A permanent one fails the action
 * with the reason on the appeal.
 */
@Injectable()
export class FeedActionRunner {
  private readonly handlers = new Map<FeedActionKind, FeedActionHandler>();
  private readonly running = new Set<FeedActionKind>();
  private readonly again = new Set<FeedActionKind>();
  private readonly log = rootLogger.child('feed-actions');

  constructor(
    private readonly locks: AdvisoryLocks,
    private readonly actions: FeedActions,
  ) {}

  register(kind: FeedActionKind, handler: FeedActionHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Runs soon, in this process; a trigger during a run makes one more run afterwards. */
  trigger(kind: FeedActionKind): void {
    if (this.running.has(kind)) {
      this.again.add(kind);
      return;
    }
    setImmediate(
      () =>
        void this.run(kind).catch((error: unknown) => this.log.warn('run failed', { kind, reason: error })),
    );
  }

  async runAll(now = new Date()): Promise<Record<string, FeedActionReport>> {
    const out: Record<string, FeedActionReport> = {};
    for (const kind of this.handlers.keys()) out[kind] = await this.run(kind, now);
    return out;
  }

  async run(kind: FeedActionKind, now = new Date()): Promise<FeedActionReport> {
    const report: FeedActionReport = { done: 0, failed: 0, retrying: 0 };
    const handler = this.handlers.get(kind);
    if (!handler || this.running.has(kind)) return report;
    this.running.add(kind);
    try {
      await this.locks.withLock(`feed-actions:${kind}`, async () => {
        for (const row of await this.actions.due(kind, BATCH, now)) {
          const stop = await this.one(row, handler, report);
          if (stop) break;
        }
      });
    } finally {
      this.running.delete(kind);
      if (this.again.delete(kind)) this.trigger(kind);
    }
    return report;
  }

  /** Returns true when the batch should stop (the remote side is failing). */
  private async one(
    row: FeedActionRow,
    handler: FeedActionHandler,
    report: FeedActionReport,
  ): Promise<boolean> {
    try {
      await handler(row);
      await this.actions.done(row.id);
      report.done++;
      return false;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // As the puller records an account's failure: a message written for the administrator is kept as it is; any
      // other connector error gets its code before it (the web turns the code into Russian, the rest is detail).
      const code = error instanceof ConnectorError ? error.code : 'Internal';
      const coded =
        error instanceof ConnectorError && error.details.toAdministrator ? message : `${code}: ${message}`;
      if (error instanceof ConnectorError && !error.retryable) {
        await this.actions.fail(row, coded);
        report.failed++;
        this.log.warn('feed action failed for good', {
          kind: row.kind,
          feedActionId: row.id,
          code: error.code,
        });
        return false;
      }
      if (!(error instanceof ConnectorError) && row.attempts + 1 >= MAX_UNEXPECTED_ATTEMPTS) {
        await this.actions.fail(row, message);
        report.failed++;
        return false;
      }
      const delay = backoffMs(
        row.attempts + 1,
        error instanceof ConnectorError ? error.details.retryAfterMs : undefined,
      );
      await this.actions.retryLater(row.id, coded, delay);
      report.retrying++;
      this.log.warn('feed action will be retried', {
        kind: row.kind,
        feedActionId: row.id,
        code,
        delayMs: delay,
      });
      return true;
    }
  }
}
