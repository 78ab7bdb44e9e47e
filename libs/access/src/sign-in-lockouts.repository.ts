import { Injectable } from '@nestjs/common';
import { SqlRepository } from '@inbox/database';
import {
  ACCOUNT_LOCKOUT,
  type ActiveLockout,
  ADDRESS_LOCKOUT,
  type Lockout,
  type LockoutKind,
  type LockoutPolicy,
  lockoutSeconds,
} from './sign-in-lockouts';

const keyOf = (kind: LockoutKind, subject: string) => `${kind}:${subject}`;

/** An attempt counted before its password is checked, with the lock-outs it started (and what they replaced). */
export interface CountedAttempt {
  kind: 'counted';
  started: Lockout[];
  /** The lock-out each key had before this attempt started one (by kind), to restore if the password was right. */
  previousLocks: Partial<Record<LockoutKind, Date | null>>;
}

/** What beginning an attempt came to: counted (check the password), or refused for a lock-out running. */
export type Reservation = CountedAttempt | { kind: 'locked'; lockout: Lockout };
const POLICY: Record<LockoutKind, LockoutPolicy> = { login: ACCOUNT_LOCKOUT, address: ADDRESS_LOCKOUT };

/**
 * Failed sign-ins per account and per address (`sign_in_failures`), kept in Postgres so every api process
 * counts the same tries. A key without a failure for a day starts afresh; a right password clears the
 * account's count, never the address's (one's own account must not reset an attacker's address).
 */
@Injectable()
export class SignInLockouts extends SqlRepository {
  /**
   * One attempt begins, before its password is checked: counted on the account and the address in one
   * transaction, so that attempts sent together are counted one after another — checked first and counted after,
   * a burst of a thousand guesses all passed the check before the first failure was on record (18 of 40 at
   * once were checked against the account's 5). The attempt that goes past a key's free failures starts that
   * key's lock-out now, so none sent beside it is checked either; while a lock-out runs nothing is counted and
   * the lock-out is returned instead. `settleSuccess` gives back what a right password should not have cost.
   */
  async reserve(account: string, address: string): Promise<Reservation> {
    return this.dataSource.transaction(async (tx) => {
      const keys = [keyOf('login', account), keyOf('address', address)];
      // Locked in this order always (account, then address): two attempts cannot wait on each other.
      const rows: {
        key: string;
        failures: number;
        locked: boolean;
        stale: boolean;
        lockedUntil: Date | null;
      }[] = [];
      for (const key of keys) {
        // A key without a row gets one to lock, as if its last failure were older than a day (counted afresh).
        await this.rows(
          `INSERT INTO sign_in_failures (key, failures, last_failure_at) VALUES ($1, 1, now() - interval '2 days')
           ON CONFLICT (key) DO NOTHING`,
          [key],
          tx,
        );
        const row = (await this.one<(typeof rows)[number]>(
          `SELECT key, failures, locked_until AS "lockedUntil", coalesce(locked_until > now(), false) AS locked,
                  last_failure_at < now() - interval '1 day' AS stale
             FROM sign_in_failures WHERE key = $1 FOR UPDATE`,
          [key],
          tx,
        ))!;
        rows.push(row);
      }
      const running = rows
        .filter((r) => r.locked)
        .sort((a, b) => b.lockedUntil!.getTime() - a.lockedUntil!.getTime())[0];
      if (running)
        return { kind: 'locked', lockout: toLockout({ ...running, lockedUntil: running.lockedUntil! }) };
      const started: Lockout[] = [];
      const previousLocks: Record<string, Date | null> = {};
      for (const row of rows) {
        const lock = toLockout({ ...row, lockedUntil: new Date(0) });
        const failures = row.stale ? 1 : row.failures + 1;
        const seconds = lockoutSeconds(failures, POLICY[lock.kind]);
        const updated = (await this.one<{ lockedUntil: Date | null }>(
          `UPDATE sign_in_failures SET failures = $2, last_failure_at = now(),
                  locked_until = CASE WHEN $3::int IS NULL THEN locked_until ELSE now() + make_interval(secs => $3::int) END
            WHERE key = $1 RETURNING locked_until AS "lockedUntil"`,
          [row.key, failures, seconds ?? null],
          tx,
        ))!;
        if (seconds === undefined) continue;
        previousLocks[lock.kind] = row.lockedUntil;
        started.push({ ...lock, failures, lockedUntil: updated.lockedUntil! });
      }
      return { kind: 'counted', started, previousLocks };
    });
  }

  /**
   * The attempt's password was right: the account starts afresh, and the address gets back the attempt it was
   * counted (and a lock-out this attempt started on it, which no failure earned). The address's other failures
   * stay: one's own account must not reset an attacker's address.
   */
  async settleSuccess(accountId: string, address: string, reservation: CountedAttempt): Promise<void> {
    await this.clearAccount(accountId);
    const restore = 'address' in reservation.previousLocks;
    const key = keyOf('address', address);
    await this.rows(
      `UPDATE sign_in_failures SET failures = failures - 1,
              locked_until = CASE WHEN $2::boolean THEN $3::timestamptz ELSE locked_until END
        WHERE key = $1 AND failures > 1`,
      [key, restore, reservation.previousLocks.address ?? null],
    );
    await this.rows(`DELETE FROM sign_in_failures WHERE key = $1 AND failures <= 1`, [key]);
  }

  /** A right password: the account starts afresh. */
  async clearAccount(accountId: string): Promise<void> {
    await this.rows(`DELETE FROM sign_in_failures WHERE key = $1`, [keyOf('login', accountId)]);
  }

  /** Lock-outs running now, for administrators: a login's with the account it names, if any. */
  async active(): Promise<ActiveLockout[]> {
    const rows = await this.rows<{
      key: string;
      failures: number;
      lockedUntil: Date;
      accountId: string | null;
      login: string | null;
    }>(
      `SELECT f.key, f.failures, f.locked_until AS "lockedUntil", u.id AS "accountId", u.login
         FROM sign_in_failures f LEFT JOIN users u ON f.key = 'login:' || u.id::text
        WHERE f.locked_until > now() ORDER BY f.locked_until DESC`,
    );
    return rows.map((r) => ({ ...toLockout(r), accountId: r.accountId, login: r.login }));
  }

  /** An administrator lifts an account's lock-out (the person called the help desk). */
  async unlockAccount(accountId: string): Promise<boolean> {
    const row = await this.one(`DELETE FROM sign_in_failures WHERE key = $1 RETURNING key`, [
      keyOf('login', accountId),
    ]);
    return row !== undefined;
  }
}

function toLockout(row: { key: string; failures: number; lockedUntil: Date }): Lockout {
  const at = row.key.indexOf(':');
  return {
    kind: row.key.slice(0, at) as LockoutKind,
    subject: row.key.slice(at + 1),
    failures: row.failures,
    lockedUntil: row.lockedUntil,
  };
}
