import { instantMsOf } from './instant';

describe('instantMsOf', () => {
  const at = (iso: string) => Date.parse(iso);

  it('reads ISO 8601, epoch milliseconds and seconds, as numbers or digits', () => {
    expect(instantMsOf('2025-02-01T10:00:00Z')).toBe(at('2025-02-01T10:00:00Z'));
    expect(instantMsOf(1738404000000)).toBe(at('2025-02-01T10:00:00Z'));
    expect(instantMsOf(1738404000)).toBe(at('2025-02-01T10:00:00Z'));
    expect(instantMsOf(' 1738404000 ')).toBe(at('2025-02-01T10:00:00Z'));
  });

  it('reads the Russian DD.MM.YYYY day first, with a zone when given', () => {
    expect(instantMsOf('01.02.2025 13:00', '+03:00')).toBe(at('2025-02-01T10:00:00Z'));
    expect(instantMsOf('01.02.2025 13:00:30', '+03:00')).toBe(at('2025-02-01T10:00:30Z'));
    expect(instantMsOf('1.2.2025', '+03:00')).toBe(at('2025-01-31T21:00:00Z'));
    expect(instantMsOf('31.02.2025')).toBeUndefined();
    expect(instantMsOf('2025-02-01 13:00:00', '+03:00')).toBe(at('2025-02-01T10:00:00Z'));
  });

  it('reads a Jackson LocalDateTime array, and nothing else', () => {
    expect(instantMsOf([2025, 2, 1, 13, 0, 0, 500000000], '+03:00')).toBe(at('2025-02-01T10:00:00.500Z'));
    expect(instantMsOf([2025, 2])).toBeUndefined();
    for (const junk of ['вчера', '', null, undefined, {}, -5, 0]) expect(instantMsOf(junk)).toBeUndefined();
  });
});
