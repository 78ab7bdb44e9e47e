import { CachedLoad } from './cached-load';

describe('CachedLoad', () => {
  let now = 1_000_000;
  beforeEach(() => jest.spyOn(Date, 'now').mockImplementation(() => now));
  afterEach(() => jest.restoreAllMocks());

  it('loads once per TTL, shares a load in flight, and loads again after invalidate', async () => {
    let loads = 0;
    const cache = new CachedLoad(100, async () => ++loads);
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    now += 100;
    expect(await cache.get()).toBe(1);
    now += 1;
    expect(await cache.get()).toBe(2);
    cache.invalidate();
    expect(await cache.get()).toBe(3);
  });

  it('does not keep a failed load', async () => {
    let loads = 0;
    const cache = new CachedLoad(60_000, async () => {
      loads += 1;
      if (loads === 1) throw new Error('database away');
      return loads;
    });
    await expect(cache.get()).rejects.toThrow('database away');
    expect(await cache.get()).toBe(2);
  });
});
