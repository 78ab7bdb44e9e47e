import { hashPassword, needsRehash, OWASP_SCRYPT, verifyPassword } from './passwords';
import { Role } from './roles';
import { ACCOUNT_LOCKOUT, ADDRESS_LOCKOUT, lockoutSeconds } from './sign-in-lockouts';
import { TokenSigner } from './tokens';

describe('passwords', () => {
  const cheap = { n: 2 ** 14, r: 8, p: 1 };

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('Пароль-2026!', cheap);
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('Пароль-2026!', stored)).toBe(true);
    expect(await verifyPassword('пароль-2026!', stored)).toBe(false);
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
  });

  it("hashes by OWASP's current scrypt guidance by default (N = 2^17, r = 8, p = 1)", async () => {
    expect(OWASP_SCRYPT).toEqual({ n: 131072, r: 8, p: 1 });
    const stored = await hashPassword('Пароль-2026!');
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword('Пароль-2026!', stored)).toBe(true);
    expect(needsRehash(stored)).toBe(false);
    // Full-strength scrypt (128 MiB, twice) took over Jest's 5 s default on a loaded 2-core machine.
  }, 30_000);

  it('asks for a re-hash of anything weaker than today, and never lets a stored hash set an unbounded cost', async () => {
    expect(needsRehash(await hashPassword('x', cheap))).toBe(true);
    expect(needsRehash(await hashPassword('x', cheap), cheap)).toBe(false);
    expect(needsRehash('plain-text')).toBe(true);
    // A corrupt or hostile row asking for N = 2^30 is refused, not run.
    expect(await verifyPassword('x', 'scrypt$1073741824$8$1$AAAA$AAAA')).toBe(false);
  });
});

describe('sign-in lock-outs', () => {
  it('lets an account try five times, then locks it 1, 2, 4 … minutes, up to an hour', () => {
    expect([1, 2, 3, 4, 5].map((n) => lockoutSeconds(n, ACCOUNT_LOCKOUT))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect([6, 7, 8, 9, 12, 40].map((n) => lockoutSeconds(n, ACCOUNT_LOCKOUT))).toEqual([
      60, 120, 240, 480, 3600, 3600,
    ]);
  });

  it('gives an address (many people behind one NAT) twenty tries', () => {
    expect(lockoutSeconds(20, ADDRESS_LOCKOUT)).toBeUndefined();
    expect(lockoutSeconds(21, ADDRESS_LOCKOUT)).toBe(60);
  });
});

describe('tokens', () => {
  const signer = new TokenSigner('s'.repeat(40));
  const u1 = '0b7c6a52-5a0e-4c1e-8f43-1f6b0f2a9d11';

  it('round-trips claims until expiry', async () => {
    const now = Date.UTC(2026, 10, 22, 12);
    const { token, expiresAt } = await signer.sign(u1, Role.Clerk, 1800, now);
    expect(expiresAt.toISOString()).toBe('2026-11-22T12:30:00.000Z');
    expect(await signer.verify(token, now + 60_000)).toEqual({
      sub: u1,
      role: 'clerk',
      iat: now / 1000,
      exp: now / 1000 + 1800,
      epoch: 0,
      sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      // A new session begins when its first token is issued.
      sst: now / 1000,
    });
    expect(await signer.verify(token, now + 1799_999)).toMatchObject({ sub: u1 });
    expect(await signer.verify(token, now + 1800_000)).toBeUndefined();
  });

  it('is a standard HS256 JWT', async () => {
    const { token } = await signer.sign(u1, Role.Admin, 60);
    const [head, body] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(head).toEqual({ alg: 'HS256', typ: 'JWT', kid: expect.stringMatching(/^[\w-]{12}$/) });
    expect(Object.keys(body).sort()).toEqual(['exp', 'iat', 'role', 'sep', 'sid', 'sst', 'sub']);
  });

  it('refuses a forged, tampered, unsigned or foreign token', async () => {
    const { token } = await signer.sign(u1, Role.Clerk, 1800);
    const [h, , m] = token.split('.');
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const forged = b64({ sub: u1, role: 'admin', iat: 0, exp: 9e9 });
    expect(await signer.verify(`${h}.${forged}.${m}`)).toBeUndefined();
    expect(await signer.verify(`${b64({ alg: 'none', typ: 'JWT' })}.${forged}.`)).toBeUndefined();
    expect(await new TokenSigner('t'.repeat(40)).verify(token)).toBeUndefined();
    expect(await signer.verify('garbage')).toBeUndefined();
  });

  it('refuses a token whose role is not a staff role', async () => {
    const { SignJWT } = await import('jose');
    const odd = await new SignJWT({ role: 'root' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(u1)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('s'.repeat(40)));
    expect(await signer.verify(odd)).toBeUndefined();
  });

  it('refuses a well-signed token whose subject is not a user id', async () => {
    const { SignJWT } = await import('jose');
    const odd = await new SignJWT({ role: 'clerk' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject("admin' OR 1=1--")
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('s'.repeat(40)));
    expect(await signer.verify(odd)).toBeUndefined();
  });

  it('carries the session epoch and the session id, kept by a renewal; a token from before them is epoch 0', async () => {
    const sid = '5d1f1d0e-2b9c-4d55-9a6e-0d6c1c3e8f20';
    const renewed = await signer.sign(u1, Role.Clerk, 600, Date.now(), 3, sid);
    expect(await signer.verify(renewed.token)).toMatchObject({ epoch: 3, sid });
    const a = await signer.verify((await signer.sign(u1, Role.Clerk, 600)).token);
    const b = await signer.verify((await signer.sign(u1, Role.Clerk, 600)).token);
    expect(a?.sid).not.toBe(b?.sid);
    const { SignJWT } = await import('jose');
    const legacy = await new SignJWT({ role: 'clerk' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(u1)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('s'.repeat(40)));
    expect(await signer.verify(legacy)).toEqual(expect.objectContaining({ sub: u1, epoch: 0 }));
    expect((await signer.verify(legacy))?.sid).toBeUndefined();
    const badEpoch = await new SignJWT({ role: 'clerk', sep: 'x', sid })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(u1)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('s'.repeat(40)));
    expect(await signer.verify(badEpoch)).toBeUndefined();
  });

  it('rotates: signs with the new secret, still accepts the previous one, refuses a retired one', async () => {
    const old = new TokenSigner('o'.repeat(40));
    const { token: oldToken } = await old.sign(u1, Role.Clerk, 600);
    const rotated = new TokenSigner('n'.repeat(40), ['o'.repeat(40)]);
    expect(await rotated.verify(oldToken)).toMatchObject({ sub: u1 });
    const { token: newToken } = await rotated.sign(u1, Role.Clerk, 600);
    expect(await old.verify(newToken)).toBeUndefined();
    expect(await new TokenSigner('n'.repeat(40)).verify(newToken)).toMatchObject({ sub: u1 });
    expect(await new TokenSigner('n'.repeat(40)).verify(oldToken)).toBeUndefined();
  });

  it('wants a secret of 32 characters or more', () => {
    expect(() => new TokenSigner('short')).toThrow();
  });
});
