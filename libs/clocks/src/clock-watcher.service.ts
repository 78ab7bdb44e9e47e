import { Inject, Injectable } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { Transactions } from '@inbox/database';
import { CLOCK_TEXT_RU, type ClockMarkKind } from './clock-names';
import { type ClockMark, ClockMarksRepository, type StaffNotification } from './clock-marks.repository';

export type { ClockMark, StaffNotification } from './clock-marks.repository';

export interface SweepResult {
  /** New marks, all clocks and kinds together. */
  marks: number;
  /** New marks per 'clock/kind', e.g. { 'answer/overdue': 3 }. */
  byClock: Record<string, number>;
  /** Notifications written appeal by appeal (own organisation's supervisors, the holder or clerks and heads). */
  notifications: number;
  /** Supervisors' counted notices (one per organisation, kind and day) written or updated. */
  digests: number;
  events: number;
  tookMs: number;
  /**
   * The database's clock minus this process's (ms, the round trip's midpoint), and whether the sweep was held
   * for it: the database ahead by more than CLOCK_SKEW_MAX_MS.
   */
  skewMs?: number;
  held?: boolean;
}

export interface ViolationsQuery {
  /** The caller's AccessScope.organisationIds: null = every organisation. */
  organisationIds: string[] | null;
  /** Default 'overdue' (a violation); 'at-risk' lists the warnings. */
  kind?: ClockMarkKind;
  clock?: string;
  /** Due time range, from inclusive, to exclusive. */
  from?: Date;
  to?: Date;
  limit: number;
}

const MAX_LIMIT = 1000;

/**
 * Watches the deadline clocks (answer, line-2 answer, line-1 escalation) and records when one becomes at
 * risk or overdue, exactly once per (appeal, organisation, clock, kind, due time), however many workers
 * sweep at once (one statement does it: see ClockMarksRepository). Registration (59-ФЗ 3 days) and redirect
 * (7 days) are checked by the workflow at the moment of the action, not here. Also the read side for
 * supervisors: violations and notifications.
 */
@Injectable()
export class ClockWatcher {
  private readonly log = rootLogger.child('clocks');

  // Explicit tokens: DI does not hang on decorator metadata, and the imports stay value imports.
  constructor(
    @Inject(ClockMarksRepository) private readonly marks: ClockMarksRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(Transactions) private readonly transactions: Transactions,
  ) {}

  /** Sweeps up to `now`: by default the database's now(), the same for every worker whatever its own clock. */
  async sweep(now?: Date): Promise<SweepResult> {
    const started = Date.now();
    if (!now) {
      const skewMs = await this.skew();
      if (Math.abs(skewMs) > this.config.clockSkewMaxMs) {
        // One of the two clocks jumped (an NTP step, `date -s`, a VM restored). Marks are by the database's clock;
        // made early, they stay and notify supervisors, so a database ahead holds the sweep until the clocks agree
        // again (the watermark stays: nothing is skipped). A database behind only makes marks late: swept as usual.
        const held = skewMs > 0;
        this.log.error('database clock differs from this process', {
          skewMs,
          maxMs: this.config.clockSkewMaxMs,
          sweep: held ? 'held until the clocks agree' : 'by the database clock',
        });
        if (held)
          return {
            marks: 0,
            byClock: {},
            notifications: 0,
            digests: 0,
            events: 0,
            tookMs: Date.now() - started,
            skewMs,
            held,
          };
      }
    }
    // One statement over every open clock (a full sweep) or every appeal queued since the last (after an import,
    // millions): minutes, legitimately. Cut at the pool's bound it rolled back, and the next sweep had more to
    // do, so it is long work (Transactions.runLong), not a stuck statement.
    const swept = await this.transactions.runLong((tx) =>
      this.marks.sweep(tx, {
        now,
        answerLeadSeconds: this.config.atRiskAnswerHours * 3600,
        line2LeadSeconds: this.config.atRiskLine2Minutes * 60,
        escalationLeadSeconds: this.config.atRiskEscalationMinutes * 60,
        clockTexts: CLOCK_TEXT_RU,
      }),
    );
    await this.marks.vacuumQueueAfter(swept);
    const { rows } = swept;
    const result: SweepResult = {
      marks: 0,
      byClock: {},
      notifications: 0,
      digests: 0,
      events: 0,
      tookMs: 0,
    };
    for (const row of rows) {
      if (row.what === 'mark' && row.key) {
        result.byClock[row.key] = row.n;
        result.marks += row.n;
      } else if (row.what === 'notification') result.notifications = row.n;
      else if (row.what === 'digest') result.digests = row.n;
      else if (row.what === 'event') result.events = row.n;
    }
    result.tookMs = Date.now() - started;
    // Counts only: marks carry ids, never personal data.
    if (result.marks > 0) this.log.info('clock marks recorded', { ...result });
    else this.log.debug('clocks swept, nothing new', { tookMs: result.tookMs });
    return result;
  }

  /** The database's clock minus this process's, in ms, read against the midpoint of the round trip. */
  async skew(): Promise<number> {
    const sent = Date.now();
    const dbNow = await this.marks.databaseClock();
    const received = Date.now();
    return Math.round(dbNow.getTime() - (sent + received) / 2);
  }

  /** Recorded marks for supervisors and reports, newest due time first. */
  async violations(query: ViolationsQuery): Promise<ClockMark[]> {
    if (query.organisationIds !== null && query.organisationIds.length === 0) return [];
    return this.marks.violations({
      organisationIds: query.organisationIds,
      kind: query.kind ?? 'overdue',
      clock: query.clock ?? null,
      from: query.from ?? null,
      to: query.to ?? null,
      limit: clampLimit(query.limit),
    });
  }

  /** A user's notifications, newest first. */
  notificationsFor(
    userId: string,
    options: { unreadOnly?: boolean; limit?: number } = {},
  ): Promise<StaffNotification[]> {
    return this.marks.notificationsFor(userId, options.unreadOnly === true, clampLimit(options.limit ?? 100));
  }

  /** Marks the user's own notification read; false when it is not theirs or does not exist. */
  async markNotificationRead(userId: string, id: string): Promise<boolean> {
    if (!/^\d{1,18}$/.test(id)) return false;
    return this.marks.markNotificationRead(userId, id);
  }
}

function clampLimit(limit: number): number {
  return Math.min(Math.max(Math.trunc(limit) || 1, 1), MAX_LIMIT);
}
