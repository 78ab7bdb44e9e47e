import { hashPassword, verifyPassword } from './passwords';
import { Role } from './roles';
import { TokenSigner } from './tokens';

describe('passwords', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('Пароль-2026!');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('Пароль-2026!', stored)).toBe(true);
    expect(await verifyPassword('пароль-2026!', stored)).toBe(false);
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
  });
});

describe('tokens', () => {
  const signer = new TokenSigner('s'.repeat(40));

  it('round-trips claims until expiry', () => {
    const now = Date.UTC(2026, 10, 22, 12);
    const { token, expiresAt } = signer.sign('u1', Role.Clerk, 1800, now);
    expect(expiresAt.toISOString()).toBe('2026-11-22T12:30:00.000Z');
    expect(signer.verify(token, now + 60_000)).toMatchObject({ sub: 'u1', role: 'clerk' });
    expect(signer.verify(token, now + 1801_000)).toBeUndefined();
  });

  it('refuses a forged or tampered token', () => {
    const { token } = signer.sign('u1', Role.Clerk, 1800);
    const [h, , m] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'u1', role: 'admin', iat: 0, exp: 9e9 })).toString(
      'base64url',
    );
    expect(signer.verify(`${h}.${forged}.${m}`)).toBeUndefined();
    expect(new TokenSigner('t'.repeat(40)).verify(token)).toBeUndefined();
    expect(signer.verify('garbage')).toBeUndefined();
  });
});
