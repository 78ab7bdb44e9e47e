import { AppealSpread } from './appeals.repository';

const DAY = 86_400_000;

describe('AppealSpread', () => {
  // 100 appeals over the first 20 days, 900 over the next 10 (ten buckets of 100), 10 a day on average outside.
  const bounds = [0, 20 * DAY, ...Array.from({ length: 9 }, (_, i) => (20 + (10 * (i + 1)) / 9) * DAY)];
  const spread = new AppealSpread(bounds, 1000, 10 / DAY);

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
    const even = new AppealSpread([], 1000, 10 / DAY);
    expect(even.at(even.position(5 * DAY) + 20) / DAY).toBeCloseTo(7);
  });
});
