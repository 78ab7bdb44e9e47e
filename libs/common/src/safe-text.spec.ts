import { isSafeText, unsafeTextPaths } from './safe-text';

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
});
