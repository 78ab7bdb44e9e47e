import { Injectable } from '@nestjs/common';
import { SqlRepository } from '@inbox/database';
import {
  ACCOUNT_LOCKOUT,
  ADDRESS_LOCKOUT,
  type Lockout,
  type LockoutKind,
  type LockoutPolicy,
  lockoutSeconds,
} from './sign-in-lockouts';

const keyOf = (kind: LockoutKind, subject: string) => `${kind}:${subject}`;
const POLICY: Record<LockoutKind, LockoutPolicy> = { login: ACCOUNT_LOCKOUT, address: ADDRESS_LOCKOUT };

/**
 * Failed sign-ins per account and per address (`sign_in_failures`), kept in Postgres so every api process
 * counts the same tries. A key without a failure for a day starts afresh; a right password clears the
 * account's count, never the address's (one's own account must not reset an attacker's address).
 */
@Injectable()
export class SignInLockouts extends SqlRepository {
  /** The latest lock-out still running on any of these keys, if one is. */
  async activeLock(login: string, address: string): Promise<Lockout | undefined> {
    const rows = await this.rows<{ key: string; failures: number; lockedUntil: Date }>(
      `SELECT key, failures, locked_until AS "lockedUntil" FROM sign_in_failures
        WHERE key = ANY($1::text[]) AND locked_until > now() ORDER BY locked_until DESC LIMIT 1`,
      [[keyOf('login', login), keyOf('address', address)]],
    );
    return rows.map(toLockout)[0];
  }

  /** Counts one failure on both keys; returns the lock-outs this failure started. */
  async recordFailure(login: string, address: string): Promise<Lockout[]> {
    const started: Lockout[] = [];
    for (const [kind, subject] of [
      ['login', login],
      ['address', address],
    ] as const) {
      const row = await this.one<{ failures: number }>(
        `INSERT INTO sign_in_failures AS f (key, failures, last_failure_at) VALUES ($1, 1, now())
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN f.last_failure_at < now() - interval '1 day' THEN 1 ELSE f.failures + 1 END,
           last_failure_at = now()
         RETURNING failures`,
        [keyOf(kind, subject)],
      );
      const seconds = lockoutSeconds(row!.failures, POLICY[kind]);
      if (seconds === undefined) continue;
      const locked = await this.one<{ lockedUntil: Date }>(
        `UPDATE sign_in_failures SET locked_until = now() + make_interval(secs => $2) WHERE key = $1
         RETURNING locked_until AS "lockedUntil"`,
        [keyOf(kind, subject), seconds],
      );
      started.push({ kind, subject, failures: row!.failures, lockedUntil: locked!.lockedUntil });
    }
    return started;
  }

  /** A right password: the account starts afresh. */
  async clearAccount(login: string): Promise<void> {
    await this.rows(`DELETE FROM sign_in_failures WHERE key = $1`, [keyOf('login', login)]);
  }

  /** Lock-outs running now, for administrators. */
  async active(): Promise<Lockout[]> {
    const rows = await this.rows<{ key: string; failures: number; lockedUntil: Date }>(
      `SELECT key, failures, locked_until AS "lockedUntil" FROM sign_in_failures
        WHERE locked_until > now() ORDER BY locked_until DESC`,
    );
    return rows.map(toLockout);
  }

  /** An administrator lifts an account's lock-out (the person called the help desk). */
  async unlockAccount(login: string): Promise<boolean> {
    const row = await this.one(`DELETE FROM sign_in_failures WHERE key = $1 RETURNING key`, [
      keyOf('login', login),
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
