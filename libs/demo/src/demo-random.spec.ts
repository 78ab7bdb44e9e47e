import { DemoRandom } from './demo-random';

describe('DemoRandom', () => {
  it('keeps int() within inclusive bounds and reaches both ends', () => {
    const rng = new DemoRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const n = rng.int(3, 6);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(6);
      seen.add(n);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('never picks a zero-weight item', () => {
    const rng = new DemoRandom(2);
    for (let i = 0; i < 200; i++) expect(rng.weighted(['a', 'b'], (x) => (x === 'a' ? 0 : 1))).toBe('b');
  });

  it('builds digit strings without a leading zero', () => {
    const rng = new DemoRandom(3);
    for (let i = 0; i < 100; i++) expect(rng.digits(9)).toMatch(/^[1-9]\d{8}$/);
  });
});
