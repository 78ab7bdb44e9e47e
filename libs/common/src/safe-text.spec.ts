import { isSafeText, nestedDeeperThan, unsafeTextPaths } from './safe-text';

describe('safe text', () => {
  it('refuses NUL and lone surrogates, keeps every real character', () => {
    expect(isSafeText('Обращение №5 😀 ok')).toBe(true);
    expect(isSafeText('a\u0000b')).toBe(false);
    expect(isSafeText('a\ud800')).toBe(false);
    expect(isSafeText('\udc00a')).toBe(false);
    expect(isSafeText('\ud83d\ude00')).toBe(true);
  });

  it('names the path of each unsafe string in a request value, keys included, buffers skipped', () => {
    expect(
      unsafeTextPaths({
        text: 'ok',
        applicant: { surname: 'Ив\u0000анов' },
        ids: ['a', '\ud800'],
        ['bad\u0000key']: 1,
        file: Buffer.from([0, 0, 0]),
      }),
    ).toEqual(['applicant.surname', 'ids.1', 'bad\u0000key']);
    expect(unsafeTextPaths('x\u0000')).toEqual(['value']);
    expect(unsafeTextPaths(undefined)).toEqual([]);
  });

  it('tells a value nested deeper than a bound, without walking past it', () => {
    const nest = (depth: number): unknown => (depth === 0 ? 'x' : { a: [nest(depth - 1)] });
    expect(nestedDeeperThan(nest(3), 6)).toBe(false);
    expect(nestedDeeperThan(nest(4), 6)).toBe(true);
    expect(nestedDeeperThan({ file: Buffer.alloc(10), at: new Date() }, 1)).toBe(false);
    expect(nestedDeeperThan('text', 0)).toBe(false);
    // Half a million levels, as a megabyte of JSON can nest: answered at once, no stack overflow.
    expect(nestedDeeperThan(JSON.parse('['.repeat(500_000) + ']'.repeat(500_000)), 32)).toBe(true);
  });
});
