import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type StaffSession } from '@inbox/access';
import { RateLimitStore } from '../rate-limits/rate-limits';

const TICKET_SECONDS = 30;

/**
 * The live stream's way in without the session token in the URL (where proxies and access logs keep it):
 * a signed-in client asks for a ticket with its bearer token, and opens the stream with `?ticket=` within
 * 30 seconds. A ticket is random, names the session it was asked for, and works once (Redis GETDEL, across api
 * processes).
 */
@Injectable()
export class StreamTickets {
  constructor(private readonly store: RateLimitStore) {}

  private key(ticket: string): string {
    return `${this.store.prefix}:stream-ticket:${ticket}`;
  }

  async issue(session: StaffSession): Promise<{ ticket: string; expiresAt: Date }> {
    const ticket = randomBytes(32).toString('base64url');
    await this.store.redis.set(this.key(ticket), JSON.stringify(session), 'EX', TICKET_SECONDS);
    return { ticket, expiresAt: new Date(Date.now() + TICKET_SECONDS * 1000) };
  }

  /** The session the ticket was issued to, once; undefined for an unknown, used or expired ticket. */
  async redeem(ticket: string): Promise<StaffSession | undefined> {
    if (!/^[\w-]{43}$/.test(ticket)) return undefined;
    const stored = await this.store.redis.getdel(this.key(ticket));
    // A ticket another version of the api issued (a user id alone) is not one: the workspace asks again.
    try {
      const session = stored ? (JSON.parse(stored) as Partial<StaffSession> | null) : undefined;
      return typeof session?.userId === 'string' ? (session as StaffSession) : undefined;
    } catch {
      return undefined;
    }
  }
}
