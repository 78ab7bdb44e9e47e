/** A value the column's statistics list as most common (pg_stats), and the share of the table's rows it holds. */
export interface CommonTime {
  at: number;
  share: number;
}

/** Appeals of the page's statuses registered on one day: [from, to) in milliseconds. */
export interface DayCount {
  from: number;
  to: number;
  count: number;
}

/**
 * Where appeals lie along one time column (registration or the answer's due time), as a count: `position(t)` is
 * about how many appeals come before `t`, `at(n)` the time before which about `n` do. It is a rising line through
 * knots (time, appeals before it), straight between them; before the first and after the last at the average
 * rate `perMs`. The search sizes its windows in appeals by it, so a window over the sparse first days of due times
 * spans as many appeals as one anywhere else rather than as many days, and a burst registered at one time counts
 * as the appeals it holds.
 */
export class AppealSpread {
  /** Knots: times strictly rising, the appeals before each never falling. */
  private constructor(
    private readonly times: number[],
    private readonly counts: number[],
    private readonly perMs: number,
  ) {}

  /**
   * From the column's statistics (pg_stats): each bucket of the histogram holds as many of the rows outside the
   * most common values as the next, spread evenly within it; each most common value holds its share of `rows` at
   * its own time (a registration pass stamps its whole batch with one time, and ANALYZE keeps a burst's batches
   * there, out of the histogram).
   */
  static ofStatistics(
    bounds: number[],
    common: CommonTime[],
    rows: number,
    perMs: number,
    nullFrac = 0,
  ): AppealSpread {
    const commonShare = common.reduce((s, c) => s + c.share, 0);
    const perBucket =
      bounds.length > 1 ? (rows * Math.max(1 - nullFrac - commonShare, 0)) / (bounds.length - 1) : 0;
    // Bounds must rise for a bucket to have a width to spread its appeals over: a repeated time gets a millisecond.
    const b: number[] = [];
    for (const t of bounds) b.push(Math.max(t, (b.at(-1) ?? -Infinity) + 1));
    const histogram = (t: number): number => {
      if (b.length < 2 || t <= b[0]) return 0;
      if (t >= b[b.length - 1]) return (b.length - 1) * perBucket;
      const i = upperIndex(b, t) - 1;
      return (i + (t - b[i]) / (b[i + 1] - b[i])) * perBucket;
    };
    // A common value steps up by its appeals over one millisecond: knots at its time and the next millisecond.
    const steps = common
      .map((c) => ({ at: Math.round(c.at), appeals: c.share * rows }))
      .sort((x, y) => x.at - y.at);
    const times = [...new Set([...(b.length > 1 ? b : []), ...steps.flatMap((s) => [s.at, s.at + 1])])].sort(
      (x, y) => x - y,
    );
    const counts: number[] = [];
    let j = 0;
    let before = 0;
    for (const t of times) {
      while (j < steps.length && steps[j].at < t) before += steps[j++].appeals;
      counts.push(histogram(t) + before);
    }
    return new AppealSpread(times, counts, perMs);
  }

  /**
   * Appeals of some statuses, from their counts per day (exact, kept by triggers): within a day they lie as
   * `within` (the whole table's) lies, evenly where it puts none. A window sized by the whole table for a status
   * the newest appeals never have (a burst of registrations holds no appeal in work) spans next to none of them.
   */
  static ofDays(days: DayCount[], within: AppealSpread, perMs: number): AppealSpread {
    const times: number[] = [];
    const counts: number[] = [];
    const knot = (t: number, n: number) => {
      if (times.length && t <= times[times.length - 1]) return;
      times.push(t);
      counts.push(n);
    };
    let before = 0;
    for (const { from, to, count } of days) {
      if (to <= from) continue;
      knot(from, before);
      const p0 = within.position(from);
      const span = within.position(to) - p0;
      if (span > 0) {
        for (let i = upperIndex(within.times, from); i < within.times.length && within.times[i] < to; i++)
          knot(within.times[i], before + (count * (within.counts[i] - p0)) / span);
      }
      before += count;
      knot(to, before);
    }
    return new AppealSpread(times, counts, perMs);
  }

  position(t: number): number {
    const { times, counts } = this;
    const n = times.length;
    if (n === 0) return t * this.perMs;
    if (t <= times[0]) return counts[0] + (t - times[0]) * this.perMs;
    if (t >= times[n - 1]) return counts[n - 1] + (t - times[n - 1]) * this.perMs;
    const i = upperIndex(times, t) - 1;
    return counts[i] + ((counts[i + 1] - counts[i]) * (t - times[i])) / (times[i + 1] - times[i]);
  }

  at(position: number): number {
    const { times, counts } = this;
    const n = times.length;
    if (n === 0) return position / this.perMs;
    if (position <= counts[0]) return times[0] + (position - counts[0]) / this.perMs;
    if (position >= counts[n - 1]) return times[n - 1] + (position - counts[n - 1]) / this.perMs;
    // The first knot with at least `position` appeals before it; the one before has fewer.
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (counts[mid] >= position) hi = mid;
      else lo = mid;
    }
    return times[lo] + ((times[hi] - times[lo]) * (position - counts[lo])) / (counts[hi] - counts[lo]);
  }
}

/** The index of the first of the rising `values` above `t` (their length if none is). */
function upperIndex(values: number[], t: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
