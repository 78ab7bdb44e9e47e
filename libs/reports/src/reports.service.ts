import { Injectable } from '@nestjs/common';
import { type AccessScope } from '@inbox/access';
import { invalidInput, rootLogger } from '@inbox/common';
import { Transactions } from '@inbox/database';
import {
  type ClocksByOrganisationRow,
  type ClocksByTopicRow,
  type DashboardTotalsRow,
  type FastTrackRow,
  type HandledRow,
  type PoorRatingRow,
  type RatingKindRow,
  type ReportGroupBy,
  ReportsRepository,
  type VolumeRow,
} from './reports.repository';

/** Russian names of the channels, for report rows grouped by channel. */
export const CHANNEL_NAME_RU: Record<string, string> = {
  website: 'Сайт (форма)',
  pos: 'Платформа обратной связи',
  email: 'Электронная почта',
  medo: 'МЭДО',
  vk: 'ВКонтакте',
  ok: 'Одноклассники',
  telegram: 'Telegram',
  operator: 'Оператор (звонок, приём, почта)',
  import: 'Импорт',
};

/** Who asks: their organisation (whose zone dates the periods) and their scope. */
export interface ReportViewer {
  organisationId: string;
  scope: AccessScope;
}

export interface Dashboard {
  generatedAt: string;
  totals: DashboardTotalsRow & { atRisk: number; overdueMarked: number };
  fastTrack: FastTrackRow[];
  clocks: { byOrganisation: ClocksByOrganisationRow[]; byTopic: ClocksByTopicRow[] };
  volume: { from: string; to: string; days: VolumeRow[] };
  ratings: { byKind: RatingKindRow[]; poorByOrganisationTopic: PoorRatingRow[] };
}

type Counts = Omit<HandledRow, 'key' | 'label'>;

export interface HandledReport {
  from: string;
  to: string;
  groupBy: ReportGroupBy;
  rows: (HandledRow & { onTimeShare: number | null })[];
  totals: Counts & { onTimeShare: number | null };
}

const DAY_MS = 86_400_000;
/** How long a dashboard view waits for its fold: a few deltas fold in milliseconds, an import's in minutes. */
const VIEW_FOLD_WAIT_MS = 2_000;

/**
 * Supervisor dashboard and reports. Everything is scoped like the inbox: regional supervisors and admins
 * see the region, a clerk or a department supervisor their own organisation(s).
 */
@Injectable()
export class Reports {
  private readonly log = rootLogger.child('reports');

  constructor(
    private readonly reports: ReportsRepository,
    private readonly transactions: Transactions,
  ) {}

  /** Moves the appeal count deltas into the daily counts (the worker's timer, and each dashboard view). */
  async foldCounts(): Promise<number> {
    if (!(await this.reports.deltasPending())) return 0;
    // Its one statement's cost is the deltas since the last fold: after an import or a fill of millions of
    // appeals, minutes. Cut at the pool's bound it would roll back, and every later fold would retry a bigger
    // one, so it is long work (Transactions.runLong), not a stuck statement.
    const folded = await this.transactions.runLong((tx) => this.reports.fold(tx));
    await this.reports.vacuumAfterFold(folded.deltas);
    return folded.rows;
  }

  /**
   * A view's fold, waited for at most VIEW_FOLD_WAIT_MS: after an import it is long work (minutes, runLong), and a
   * supervisor must not wait on it. It goes on without the view, whose readers add what is not folded yet; a fold
   * that fails is left to the worker's timer.
   */
  private async foldForView(): Promise<void> {
    const fold = this.foldCounts().then(
      () => undefined,
      (error: unknown) =>
        this.log.warn('count fold for a dashboard view failed; the worker folds later', {
          error: error instanceof Error ? error.message : String(error),
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, VIEW_FOLD_WAIT_MS);
    });
    await Promise.race([fold, waited]);
    clearTimeout(timer);
  }

  async dashboard(viewer: ReportViewer): Promise<Dashboard> {
    const { scope } = viewer;
    const now = new Date();
    // The changes since the last view join the daily counts first (a fold is as long as they are few; readers
    // add what is not folded, so this only keeps the deltas short).
    const [, key] = await Promise.all([this.foldForView(), this.reports.scopeKey(scope)]);
    // The parts are independent reads: side by side on the pool, not one round trip after another.
    const volumeOf = async () => {
      const to = await this.localToday(viewer);
      const from = daysBefore(to, 29);
      return { from, to, days: await this.reports.volume(scope, key, from, to) };
    };
    const [totals, fastTrack, clocks, volume, ratings, poorRatings] = await Promise.all([
      this.reports.totals(scope, key),
      this.reports.fastTrack(scope),
      this.reports.clocks(scope, key),
      volumeOf(),
      this.reports.ratingsByKind(scope),
      this.reports.poorRatings(scope),
    ]);
    const { byOrganisation: clocksByOrganisation, byTopic: clocksByTopic } = clocks;
    return {
      generatedAt: now.toISOString(),
      totals: {
        ...totals,
        atRisk: sum(clocksByTopic, 'atRisk'),
        overdueMarked: sum(clocksByTopic, 'overdue'),
      },
      fastTrack,
      clocks: { byOrganisation: clocksByOrganisation, byTopic: clocksByTopic },
      volume,
      ratings: { byKind: ratings, poorByOrganisationTopic: poorRatings },
    };
  }

  /** Registered in the period (default: the last 30 local days), answered on time vs late, by group. */
  async handled(
    query: { from?: string; to?: string; groupBy?: ReportGroupBy },
    viewer: ReportViewer,
  ): Promise<HandledReport> {
    const groupBy = query.groupBy ?? 'topic';
    for (const field of ['from', 'to'] as const) {
      const v = query[field];
      if (v !== undefined && !isRealDate(v)) {
        throw invalidInput('Некорректная дата периода', { [field]: 'Дата в формате ГГГГ-ММ-ДД' });
      }
    }
    const to = query.to ?? (await this.localToday(viewer));
    const from = query.from ?? daysBefore(to, 29);
    if (from > to) throw invalidInput('Начало периода позже конца', { from: 'Не позже даты окончания' });
    // A period of years reads every appeal of them: long work, not a stuck statement (Transactions.runLong).
    // By organisation an appeal counts in the row of each organisation that held a part of it, so the rows' sum
    // counted it twice or more (450 «Итого» of 301 received on the demo): the totals are the appeals once each,
    // as the lines count them (each appeal is on one line).
    const [rows, totalRows] = await this.transactions.runLong(async (tx) => {
      const grouped = await this.reports.handled(viewer.scope, groupBy, from, to, tx);
      return [
        grouped,
        groupBy === 'organisation' ? await this.reports.handled(viewer.scope, 'line', from, to, tx) : grouped,
      ] as const;
    });
    const withShare = rows.map((r) => ({
      ...r,
      label: groupBy === 'channel' ? (CHANNEL_NAME_RU[r.key] ?? r.key) : r.label,
      onTimeShare: share(r.onTime, r.answered),
    }));
    const totals: Counts = {
      received: sum(totalRows, 'received'),
      answered: sum(totalRows, 'answered'),
      onTime: sum(totalRows, 'onTime'),
      late: sum(totalRows, 'late'),
      inProgress: sum(totalRows, 'inProgress'),
      overdueOpen: sum(totalRows, 'overdueOpen'),
      redirected: sum(totalRows, 'redirected'),
    };
    return {
      from,
      to,
      groupBy,
      rows: withShare,
      totals: { ...totals, onTimeShare: share(totals.onTime, totals.answered) },
    };
  }

  /** Today's date in the viewer's organisation's zone: periods are counted in local dates. */
  private async localToday(viewer: ReportViewer): Promise<string> {
    return (await this.reports.localToday(viewer.organisationId)) ?? isoDate(new Date());
  }
}

/** A real calendar date as YYYY-MM-DD (2026-02-30 is not one). */
function isRealDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function daysBefore(date: string, days: number): string {
  return isoDate(new Date(Date.parse(`${date}T00:00:00Z`) - days * DAY_MS));
}

/** Per cent with one decimal; null when nothing was answered. */
function share(part: number, whole: number): number | null {
  return whole ? Math.round((part / whole) * 1000) / 10 : null;
}

function sum<T>(rows: T[], key: keyof T): number {
  return rows.reduce((n, r) => n + Number(r[key] ?? 0), 0);
}
