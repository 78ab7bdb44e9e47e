import {
  enrolmentCodeMatches,
  hashEnrolmentCode,
  newEnrolmentCode,
  normaliseEnrolmentCode,
} from './enrolment-code';

const KEY = 'a key of thirty-two characters or more!';

describe('enrolment codes', () => {
  it('are 10 unambiguous characters in two groups, each new', () => {
    const codes = new Set(Array.from({ length: 200 }, () => newEnrolmentCode()));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}$/);
  });

  it('match as typed: lower case, spaces, no dash, Cyrillic look-alikes; not for another account', () => {
    const stored = hashEnrolmentCode(KEY, 'user-1', 'ABCEK-MHPT7');
    expect(stored).toMatch(/^k1:/);
    expect(stored).not.toContain('ABCEK');
    expect(normaliseEnrolmentCode(' abcek mhpt7 ')).toBe('ABCEKMHPT7');
    for (const typed of ['ABCEK-MHPT7', 'abcek-mhpt7', 'ABCEKMHPT7', 'АВСЕК-МНРТ7'])
      expect(enrolmentCodeMatches(KEY, 'user-1', typed, stored)).toBe(true);
    expect(enrolmentCodeMatches(KEY, 'user-2', 'ABCEK-MHPT7', stored)).toBe(false);
    expect(enrolmentCodeMatches(KEY, 'user-1', 'ABCEK-MHPT8', stored)).toBe(false);
    expect(
      enrolmentCodeMatches('another key of thirty-two characters', 'user-1', 'ABCEK-MHPT7', stored),
    ).toBe(false);
  });
});
