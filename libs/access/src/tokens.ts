import { createHash, randomUUID } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { isUuid } from '@inbox/common';
import { isRole, type Role } from './roles';

export interface TokenClaims {
  /** User id. */
  sub: string;
  role: Role;
  /** Issued at and expiry, seconds since the epoch. */
  iat: number;
  exp: number;
  /** The user's session epoch when the token was issued (0 for a token from before epochs). */
  epoch: number;
  /**
   * The session the token belongs to: the one sign-in it came from, kept by each renewal; it is signed out as a
   * whole. Undefined for a token from before sessions had ids.
   */
  sid?: string;
  /**
   * When the session began (the sign-in), seconds since the epoch; kept by each renewal, which is refused once
   * the session is AUTH_SESSION_MAX_SECONDS old. Undefined for a token from before: its `iat` stands in.
   */
  sst?: number;
}

const ALGORITHM = 'HS256';
const MIN_SECRET_LENGTH = 32;

interface Key {
  id: string;
  bytes: Uint8Array;
}

/** A key's public name in the token header: a short hash, so the secret itself is never hinted at. */
function keyOf(secret: string): Key {
  if (secret.length < MIN_SECRET_LENGTH)
    throw new Error(`token secret must be at least ${MIN_SECRET_LENGTH} characters`);
  return {
    id: createHash('sha256').update(secret).digest('base64url').slice(0, 12),
    bytes: new TextEncoder().encode(secret),
  };
}

/**
 * Short-lived bearer tokens, JWT HS256 (`jose`), signed with a secret all api processes share. Claims stay
 * minimal: the user is re-read on each request, so a deactivated user or a changed role takes effect at once.
 *
 * Rotation: tokens are signed with the current secret and carry its key id (`kid`); tokens signed with a
 * previous secret still verify until they expire, so a new secret can be rolled out with no one signed out
 * (set AUTH_TOKEN_SECRET to the new one and AUTH_TOKEN_PREVIOUS_SECRETS to the old, for one token lifetime).
 */
export class TokenSigner {
  private readonly current: Key;
  private readonly keys: Key[];

  constructor(secret: string, previous: readonly string[] = []) {
    this.current = keyOf(secret);
    this.keys = [this.current, ...previous.map(keyOf)];
  }

  async sign(
    userId: string,
    role: Role,
    ttlSeconds: number,
    now = Date.now(),
    epoch = 0,
    sessionId: string = randomUUID(),
    sessionStart?: number,
    sessionEnd?: number,
  ): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now / 1000);
    // A token never outlives its session's absolute end.
    const exp = Math.min(iat + ttlSeconds, sessionEnd ?? Number.POSITIVE_INFINITY);
    const token = await new SignJWT({ role, sep: epoch, sid: sessionId, sst: sessionStart ?? iat })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: this.current.id })
      .setSubject(userId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.current.bytes);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The claims, or undefined for anything forged, malformed, of another algorithm, of no known key or expired. */
  async verify(token: string, now = Date.now()): Promise<TokenClaims | undefined> {
    try {
      const { kid } = decodeProtectedHeader(token);
      const candidates = kid === undefined ? this.keys : this.keys.filter((k) => k.id === kid);
      for (const key of candidates) {
        const claims = await this.verifyWith(token, key, now);
        if (claims) return claims;
      }
      return undefined;
    } catch {
      return undefined;
    }
  }

  private async verifyWith(token: string, key: Key, now: number): Promise<TokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, key.bytes, {
        algorithms: [ALGORITHM],
        currentDate: new Date(now),
        requiredClaims: ['sub', 'exp'],
      });
      // A well-signed token naming no user id (another issuer's, an old format) names nobody.
      if (!isUuid(payload.sub) || !isRole(payload.role) || typeof payload.exp !== 'number') return undefined;
      const epoch = payload.sep ?? 0;
      if (!Number.isSafeInteger(epoch) || (payload.sid !== undefined && !isUuid(payload.sid)))
        return undefined;
      if (payload.sst !== undefined && !Number.isSafeInteger(payload.sst)) return undefined;
      return {
        sub: payload.sub,
        role: payload.role,
        iat: payload.iat ?? 0,
        exp: payload.exp,
        epoch: epoch as number,
        ...(payload.sid !== undefined ? { sid: payload.sid } : {}),
        ...(payload.sst !== undefined ? { sst: payload.sst as number } : {}),
      };
    } catch {
      return undefined;
    }
  }
}
