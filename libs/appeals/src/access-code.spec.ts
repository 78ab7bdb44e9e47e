import { accessCodeMatches, hashAccessCode, newAccessCode } from './access-code';

describe('access code', () => {
  it('matches its own hash, case-insensitively, and not another number', () => {
    const code = newAccessCode();
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    const hash = hashAccessCode('2026-000001', code);
    expect(accessCodeMatches('2026-000001', code.toLowerCase(), hash)).toBe(true);
    expect(accessCodeMatches('2026-000002', code, hash)).toBe(false);
    expect(accessCodeMatches('2026-000001', 'WRONG123', hash)).toBe(false);
  });
});
