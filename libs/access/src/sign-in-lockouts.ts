/** How many failed sign-ins a key is allowed, and how the lock-out grows after that. */
export interface LockoutPolicy {
  /** Failures tolerated; the next one locks. */
  freeFailures: number;
  /** The first lock-out; each further failure doubles it. */
  firstLockSeconds: number;
  maxLockSeconds: number;
}

/** One account: five tries, then 1 min, 2 min, 4 min … up to an hour. */
export const ACCOUNT_LOCKOUT: LockoutPolicy = { freeFailures: 5, firstLockSeconds: 60, maxLockSeconds: 3600 };
/** One address (many people may share it behind a NAT): twenty tries, then the same growth. */
export const ADDRESS_LOCKOUT: LockoutPolicy = {
  freeFailures: 20,
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
  /** The login or the address. */
  subject: string;
  failures: number;
  lockedUntil: Date;
}
