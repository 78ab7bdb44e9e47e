import { accessCodeMatches, derivedAccessCode, hashAccessCode, newAccessCode } from './access-code';

describe('access code', () => {
  it('matches its own hash, case-insensitively, and not another number', () => {
    const code = newAccessCode();
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    const hash = hashAccessCode('2026-000001', code);
    expect(accessCodeMatches('2026-000001', code.toLowerCase(), hash)).toBe(true);
    expect(accessCodeMatches('2026-000002', code, hash)).toBe(false);
    expect(accessCodeMatches('2026-000001', 'WRONG123', hash)).toBe(false);
  });

  it('derives the same code from the same subject and secret, another from another of either', () => {
    const code = derivedAccessCode('s'.repeat(32), 'form:key\nbody');
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(derivedAccessCode('s'.repeat(32), 'form:key\nbody')).toBe(code);
    expect(derivedAccessCode('s'.repeat(32), 'form:key\nother body')).not.toBe(code);
    expect(derivedAccessCode('t'.repeat(32), 'form:key\nbody')).not.toBe(code);
  });
});

describe('registration number', () => {
  it('pads to six digits and grows beyond', async () => {
    const { formatRegistrationNumber, isRegistrationNumber } = await import('./registration-number');
    expect(formatRegistrationNumber(2026, 123)).toBe('2026-000123');
    expect(formatRegistrationNumber(2026, 1234567)).toBe('2026-1234567');
    expect(isRegistrationNumber('2026-1234567')).toBe(true);
    expect(isRegistrationNumber('26-1')).toBe(false);
  });
});
