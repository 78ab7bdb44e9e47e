import { bucketQuery } from './appeals.repository';

const HOUR = 3_600_000;

/** The hour buckets a newest-first search window asks the index for (migration AppealSearchRecentIndex). */
describe('bucketQuery', () => {
  it('covers a window with the largest aligned buckets, hours at the edges', () => {
    expect(bucketQuery(0, 17 * HOUR)).toBe(`'h16#0' | 'h1#16' | 'h1#17'`);
    expect(bucketQuery(4096 * HOUR - 1, 4096 * 2 * HOUR)).toBe(`'h1#4095' | 'h4096#1' | 'h1#8192'`);
  });

  it('includes the hours holding both ends, whatever the minutes', () => {
    expect(bucketQuery(5 * HOUR + 59 * 60_000, 5 * HOUR + 60_000 * 61)).toBe(`'h1#5' | 'h1#6'`);
  });

  it('covers every hour exactly once over a long window', () => {
    const from = 123_457 * HOUR + 17;
    const to = from + 9_000 * HOUR;
    const hours = bucketQuery(from, to)
      .split(' | ')
      .flatMap((term) => {
        const [, size, index] = /^'h(\d+)#(\d+)'$/.exec(term)!.map(Number);
        return Array.from({ length: size }, (_, i) => index * size + i);
      });
    const first = Math.floor(from / HOUR);
    expect(hours).toEqual(Array.from({ length: Math.floor(to / HOUR) - first + 1 }, (_, i) => first + i));
    expect(hours.length).toBeGreaterThan(9_000);
  });
});
