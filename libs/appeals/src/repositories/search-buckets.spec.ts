import { bucketQuery } from './appeals.repository';

const HOUR = 3_600_000;

/** The time buckets a search window asks the index for (migration AppealSearchScopeIndex). */
describe('bucketQuery', () => {
  it('covers a window with at most eight buckets of the smallest size that can', () => {
    expect(bucketQuery(0, 2 * HOUR)).toBe(`'h1#0' | 'h1#1' | 'h1#2'`);
    expect(bucketQuery(0, 7 * HOUR)).toBe(
      `'h1#0' | 'h1#1' | 'h1#2' | 'h1#3' | 'h1#4' | 'h1#5' | 'h1#6' | 'h1#7'`,
    );
    expect(bucketQuery(0, 17 * HOUR)).toBe(`'h16#0' | 'h16#1'`);
    expect(bucketQuery(4096 * HOUR - 1, 4096 * 2 * HOUR)).toBe(`'h4096#0' | 'h4096#1' | 'h4096#2'`);
    expect(bucketQuery(5 * HOUR, 300 * HOUR, 'd')).toBe(`'d256#0' | 'd256#1'`);
    // 49 days: five 256-hour buckets, not two of 4096 hours (340 days).
    expect(bucketQuery(0, 1176 * HOUR, 'd')).toBe(`'d256#0' | 'd256#1' | 'd256#2' | 'd256#3' | 'd256#4'`);
  });

  it('includes the hours holding both ends, whatever the minutes', () => {
    expect(bucketQuery(5 * HOUR + 59 * 60_000, 5 * HOUR + 60_000 * 61)).toBe(`'h1#5' | 'h1#6'`);
  });

  it.each([1, 7, 90, 1_000, 9_000, 30_000])('covers every hour of a window of %i hours', (length) => {
    const from = 123_457 * HOUR + 17;
    const to = from + length * HOUR;
    const terms = bucketQuery(from, to).split(' | ');
    const hours = new Set(
      terms.flatMap((term) => {
        const [, size, index] = /^'h(\d+)#(\d+)'$/.exec(term)!.map(Number);
        return Array.from({ length: size }, (_, i) => index * size + i);
      }),
    );
    const missing: number[] = [];
    for (let hour = Math.floor(from / HOUR); hour <= Math.floor(to / HOUR); hour++)
      if (!hours.has(hour)) missing.push(hour);
    expect(missing).toEqual([]);
    if (length <= 7 * 4096) expect(terms.length).toBeLessThanOrEqual(8);
  });
});
