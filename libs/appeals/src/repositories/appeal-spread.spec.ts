import { AppealSpread } from './appeal-spread';

const DAY = 86_400_000;

describe('AppealSpread', () => {
  // 100 appeals over the first 20 days, 900 over the next 10 (ten buckets of 100), 10 a day on average outside.
  const bounds = [0, 20 * DAY, ...Array.from({ length: 9 }, (_, i) => (20 + (10 * (i + 1)) / 9) * DAY)];
  const spread = AppealSpread.ofStatistics(bounds, [], 1000, 10 / DAY);

  it('counts the appeals before a time from the histogram, evenly within a bucket', () => {
    expect(spread.position(10 * DAY)).toBeCloseTo(50);
    expect(spread.position(20 * DAY)).toBeCloseTo(100);
    expect(spread.position(30 * DAY)).toBeCloseTo(1000);
    // Beyond the bounds at the average rate.
    expect(spread.position(31 * DAY)).toBeCloseTo(1010);
    expect(spread.position(-DAY)).toBeCloseTo(-10);
  });

  it('gives the time before which so many appeals lie, the inverse of position', () => {
    for (const t of [-2 * DAY, 0, 3 * DAY, 20 * DAY, 21.5 * DAY, 29 * DAY, 35 * DAY])
      expect(spread.at(spread.position(t)) / DAY).toBeCloseTo(t / DAY);
    // Sixteen times a window of 50 appeals from the start spans 20 sparse days and 700 appeals of the dense ones.
    expect(spread.at(800) / DAY).toBeCloseTo(20 + (10 * 700) / 900);
  });

  it('without a histogram, spreads every appeal at the average rate', () => {
    const even = AppealSpread.ofStatistics([], [], 1000, 10 / DAY);
    expect(even.at(even.position(5 * DAY) + 20) / DAY).toBeCloseTo(7);
  });

  it('counts a most common time as its share of the rows at that time', () => {
    // 1 000 appeals: 600 over ten days by the histogram, then a burst of 400 at one time a day later.
    const burst = 11 * DAY;
    const withBurst = AppealSpread.ofStatistics(
      Array.from({ length: 11 }, (_, i) => i * DAY),
      [{ at: burst, share: 0.4 }],
      1000,
      1 / DAY,
    );
    expect(withBurst.position(10 * DAY)).toBeCloseTo(600);
    expect(withBurst.position(burst)).toBeCloseTo(600);
    expect(withBurst.position(burst + 1)).toBeCloseTo(1000);
    // 200 appeals back from just after the burst: inside the burst's millisecond, not days back.
    expect(burst - withBurst.at(withBurst.position(burst + 1) - 200)).toBeLessThanOrEqual(1);
    expect(withBurst.at(500) / DAY).toBeCloseTo(500 / 60);
  });

  it('of some statuses, counts their appeals per day and places them within a day as the whole table', () => {
    // The whole table: 100 appeals a day for three days, then a burst of 1 000 at the middle of day 2; the status
    // counted: 50 on day 0, 10 on day 2, none in the burst's day's second half and none at all on day 1.
    const whole = AppealSpread.ofStatistics(
      Array.from({ length: 4 }, (_, i) => i * DAY),
      [{ at: 2.5 * DAY, share: 1000 / 1300 }],
      1300,
      100 / DAY,
    );
    const status = AppealSpread.ofDays(
      [
        { from: 0, to: DAY, count: 50 },
        { from: 2 * DAY, to: 3 * DAY, count: 10 },
      ],
      whole,
      20 / DAY,
    );
    expect(status.position(0.5 * DAY)).toBeCloseTo(25);
    expect(status.position(2 * DAY)).toBeCloseTo(50);
    // Within day 2 by the whole table: its first half holds 50 of its 1 100 appeals.
    expect(status.position(2.5 * DAY)).toBeCloseTo(50 + (10 * 50) / 1100);
    expect(status.position(3 * DAY)).toBeCloseTo(60);
    // Thirty appeals back from the end of day 2 reach into day 0, past the burst and the empty day.
    expect(status.at(30) / DAY).toBeCloseTo(0.6);
    expect(status.position(4 * DAY)).toBeCloseTo(80);
  });
});
