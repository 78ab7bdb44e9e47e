import { backoffMs } from './feed-action-runner.service';

describe('feed action back-off', () => {
  it('doubles from 2 s, honours Retry-After, and stops at 10 minutes', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n))).toEqual([2000, 4000, 8000, 16000]);
    expect(backoffMs(3, 7000)).toBe(7000);
    expect(backoffMs(40)).toBe(600_000);
  });
});
