import { jwtVerify, SignJWT } from 'jose';
import { isRole, type Role } from './roles';

export interface TokenClaims {
  /** User id. */
  sub: string;
  role: Role;
  /** Issued at and expiry, seconds since the epoch. */
  iat: number;
  exp: number;
}

const ALGORITHM = 'HS256';

/**
 * Short-lived bearer tokens, JWT HS256 (`jose`), signed with a secret all api processes share. Claims stay
 * minimal: the user is re-read on each request, so a deactivated user or a changed role takes effect at once.
 */
export class TokenSigner {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('token secret must be at least 32 characters');
    this.key = new TextEncoder().encode(secret);
  }

  async sign(
    userId: string,
    role: Role,
    ttlSeconds: number,
    now = Date.now(),
  ): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now / 1000);
    const exp = iat + ttlSeconds;
    const token = await new SignJWT({ role })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(userId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The claims, or undefined for anything forged, malformed, of another algorithm or expired. */
  async verify(token: string, now = Date.now()): Promise<TokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        currentDate: new Date(now),
        requiredClaims: ['sub', 'exp'],
      });
      if (typeof payload.sub !== 'string' || !isRole(payload.role) || typeof payload.exp !== 'number')
        return undefined;
      return { sub: payload.sub, role: payload.role, iat: payload.iat ?? 0, exp: payload.exp };
    } catch {
      return undefined;
    }
  }
}
