import { createHash } from 'node:crypto';
import {
  accessCodeMatches,
  derivedAccessCode,
  hashAccessCode,
  keyedLegacyHash,
  newAccessCode,
} from './access-code';

describe('access code', () => {
  const key = 'k'.repeat(32);
  const appeal = { id: '3f1c0b9e-5d4a-4c1e-9f7a-2b6d8e0a1c3f', registrationNumber: '2026-000001' };
  const other = { id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', registrationNumber: '2026-000002' };

  it('matches its own hash, case-insensitively, and not another appeal', () => {
    const code = newAccessCode();
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    const hash = hashAccessCode(key, appeal.id, code);
    expect(accessCodeMatches(key, appeal, code.toLowerCase(), hash)).toBe(true);
    expect(accessCodeMatches(key, other, code, hash)).toBe(false);
    expect(accessCodeMatches(key, appeal, 'WRONG123', hash)).toBe(false);
  });

  it('stores a hash no one without ACCESS_CODE_KEY can try a code against; codes hashed before keep working', () => {
    const code = newAccessCode();
    // What the database held before: SHA-256 of `number:code`, 31^8 codes to try offline, seconds on a GPU.
    const unkeyed = createHash('sha256').update(`${appeal.registrationNumber}:${code}`).digest('hex');
    const hash = hashAccessCode(key, appeal.id, code);
    expect(hash).not.toContain(unkeyed);
    // Another key, as a leaked database without the environment has to guess it: nothing matches.
    expect(accessCodeMatches('x'.repeat(32), appeal, code, hash)).toBe(false);
    // A code issued before the key: its unkeyed hash opens the appeal, and so does that hash keyed in place.
    expect(accessCodeMatches(key, appeal, code, unkeyed)).toBe(true);
    const keyed = keyedLegacyHash(key, unkeyed);
    expect(accessCodeMatches(key, appeal, code.toLowerCase(), keyed)).toBe(true);
    expect(accessCodeMatches(key, appeal, 'WRONG123', keyed)).toBe(false);
    expect(accessCodeMatches('x'.repeat(32), appeal, code, keyed)).toBe(false);
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
