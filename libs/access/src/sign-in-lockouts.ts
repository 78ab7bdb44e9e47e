/** How many failed sign-ins a key is allowed, and how the lock-out grows after that. */
export interface LockoutPolicy {
  /** Failures tolerated; the next one locks. */
  freeFailures: number;
  /** The first lock-out; each further failure doubles it. */
  firstLockSeconds: number;
  maxLockSeconds: number;
}

/**
 * One account from one address (an IPv6 one by its /64): five tries, then 1 min, 2 min, 4 min … up to an hour.
 * It locks that address out of that account only: a guesser elsewhere cannot lock the employee out.
 */
export const ACCOUNT_LOCKOUT: LockoutPolicy = { freeFailures: 5, firstLockSeconds: 60, maxLockSeconds: 3600 };
/**
 * One account from an address it signed in from lately (an office's NAT address, shared with colleagues): fifty
 * tries, then the same growth. Whoever fails there, the owner among them, cannot be told apart by the address, so
 * five locked the owner out at their own desk after a colleague's typos of their login; fifty bound a guesser
 * inside the office as the account's count from everywhere bounds one outside (about 75 guesses a day).
 */
export const KNOWN_SOURCE_LOCKOUT: LockoutPolicy = {
  freeFailures: 50,
  firstLockSeconds: 60,
  maxLockSeconds: 3600,
};
/**
 * One address (many people may share it behind a NAT): twenty tries, then the same growth. It locks out the
 * logins that have not signed in from that address lately: guessing across many logins stops, the office not.
 */
export const ADDRESS_LOCKOUT: LockoutPolicy = {
  freeFailures: 20,
  firstLockSeconds: 60,
  maxLockSeconds: 3600,
};

/**
 * One account from all addresses together (guesses spread over many): fifty tries, then the same growth, so
 * about 75 guesses a day at most. Only failures from addresses the account has not signed in from lately count,
 * and it locks out only those: a colleague's typos at the office do not lock the employee out of a new address.
 */
export const ACCOUNT_WIDE_LOCKOUT: LockoutPolicy = {
  freeFailures: 50,
  firstLockSeconds: 60,
  maxLockSeconds: 3600,
};

/** The lock-out a key earns with this many failures in a row, in seconds; undefined while under the limit. */
export function lockoutSeconds(failures: number, policy: LockoutPolicy): number | undefined {
  if (failures <= policy.freeFailures) return undefined;
  const doublings = Math.min(failures - policy.freeFailures - 1, 30);
  return Math.min(policy.maxLockSeconds, policy.firstLockSeconds * 2 ** doublings);
}

export type LockoutKind = 'login' | 'address';

export interface Lockout {
  kind: LockoutKind;
  /**
   * The address, or what a login's failures count under: the account's id, or `unknown:` and a keyed hash of a
   * login that names no account (never the login as typed: it may be a password typed into the wrong field).
   */
  subject: string;
  failures: number;
  lockedUntil: Date;
}

/** A lock-out as administrators see it: a login's names the account (its id and login), or none for an unknown one. */
export interface ActiveLockout extends Lockout {
  accountId: string | null;
  login: string | null;
}
