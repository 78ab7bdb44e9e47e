import { createHmac, timingSafeEqual } from 'node:crypto';
import { isRole, type Role } from './roles';

export interface TokenClaims {
  /** User id. */
  sub: string;
  role: Role;
  /** Issued at and expiry, seconds since the epoch. */
  iat: number;
  exp: number;
}

/**
 * Short-lived bearer tokens in the JWT HS256 format (readable by any JWT tool), signed with a secret all
 * api processes share. Claims stay minimal: the user is re-read on each request, so a deactivated user
 * or a changed role takes effect at once.
 */
export class TokenSigner {
  constructor(private readonly secret: string) {
    if (secret.length < 32) throw new Error('token secret must be at least 32 characters');
  }

  sign(userId: string, role: Role, ttlSeconds: number, now = Date.now()): { token: string; expiresAt: Date } {
    const iat = Math.floor(now / 1000);
    const claims: TokenClaims = { sub: userId, role, iat, exp: iat + ttlSeconds };
    const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const body = b64(JSON.stringify(claims));
    return {
      token: `${head}.${body}.${this.mac(`${head}.${body}`)}`,
      expiresAt: new Date(claims.exp * 1000),
    };
  }

  /** The claims, or undefined for anything forged, malformed or expired. */
  verify(token: string, now = Date.now()): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [head, body, mac] = parts;
    const expected = Buffer.from(this.mac(`${head}.${body}`));
    const actual = Buffer.from(mac);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
      if (typeof claims.sub !== 'string' || !isRole(claims.role) || typeof claims.exp !== 'number')
        return undefined;
      return claims.exp * 1000 > now ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(data: string): string {
    return createHmac('sha256', this.secret).update(data).digest('base64url');
  }
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
