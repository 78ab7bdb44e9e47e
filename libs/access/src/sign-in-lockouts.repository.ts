import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';
import {
  ACCOUNT_LOCKOUT,
  ACCOUNT_WIDE_LOCKOUT,
  type ActiveLockout,
  ADDRESS_LOCKOUT,
  KNOWN_SOURCE_LOCKOUT,
  type Lockout,
  type LockoutPolicy,
  lockoutSeconds,
} from './sign-in-lockouts';

/**
 * What failures are counted under: the account from one address (`login:<account>@<address>`), the account from
 * all addresses (`login:<account>`), the address whatever account it tries (`address:<address>`).
 */
type KeyKind = 'pair' | 'account' | 'address';
const KEY_KINDS: KeyKind[] = ['pair', 'account', 'address'];
const keyOf = (kind: KeyKind, account: string, address: string) =>
  kind === 'pair'
    ? `login:${account}@${address}`
    : kind === 'account'
      ? `login:${account}`
      : `address:${address}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How long an address an account signed in from keeps it out of the account's lock-out from all addresses. */
const KNOWN_SOURCE_DAYS = 90;

/** An attempt counted before its password is checked, with the lock-outs it started (and what they replaced). */
export interface CountedAttempt {
  kind: 'counted';
  /** The keys the attempt was counted on (an address the account signed in from lately: not the account's). */
  counted: KeyKind[];
  started: Lockout[];
  /** The lock-out each key had before this attempt started one (by kind), to restore if the password was right. */
  previousLocks: Partial<Record<KeyKind, Date | null>>;
}

/** What beginning an attempt came to: counted (check the password), or refused for a lock-out running. */
export type Reservation = CountedAttempt | { kind: 'locked'; lockout: Lockout };
const POLICY: Record<KeyKind, LockoutPolicy> = {
  pair: ACCOUNT_LOCKOUT,
  account: ACCOUNT_WIDE_LOCKOUT,
  address: ADDRESS_LOCKOUT,
};
/** The policy of a key for an attempt from an address the account signed in from lately (`known`) or not. */
const policyOf = (kind: KeyKind, known: boolean): LockoutPolicy =>
  kind === 'pair' && known ? KNOWN_SOURCE_LOCKOUT : POLICY[kind];

/**
 * Failed sign-ins per account and address, per account and per address (`sign_in_failures`), kept in Postgres so
 * every api process counts the same tries. A key without a failure for a day starts afresh; a right password
 * clears the account's count from its address, never the address's (one's own account must not reset an
 * attacker's address) nor the account's from everywhere (the employee must not reset a spread-out guessing).
 * At an address the account signed in from lately, neither the account's count from everywhere nor the address's
 * locks it out, its failures there are not counted on the account's from everywhere (its lock-out is earned by
 * failures from many or unknown addresses only), and its own count there allows fifty (KNOWN_SOURCE_LOCKOUT), not
 * five: an office behind one NAT address is not locked out of an account by a colleague's typos of its login, the
 * owner signs in at their desk, while guessing across logins that never signed in from there, and guessing from
 * anywhere else, is stopped as before.
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
      const known = await this.knownSource(account, address, tx);
      const rows: {
        kind: KeyKind;
        key: string;
        failures: number;
        locked: boolean;
        stale: boolean;
        lockedUntil: Date | null;
      }[] = [];
      // Locked in this order always (the pair, the account, the address): two attempts cannot wait on each other.
      // From an address the account signed in from lately its count from everywhere is left alone.
      const counted = KEY_KINDS.filter((kind) => !(kind === 'account' && known));
      for (const kind of counted) {
        const key = keyOf(kind, account, address);
        // A key without a row gets one to lock, as if its last failure were older than a day (counted afresh).
        await this.rows(
          `INSERT INTO sign_in_failures (key, failures, last_failure_at) VALUES ($1, 1, now() - interval '2 days')
           ON CONFLICT (key) DO NOTHING`,
          [key],
          tx,
        );
        const row = (await this.one<Omit<(typeof rows)[number], 'kind'>>(
          `SELECT key, failures, locked_until AS "lockedUntil", coalesce(locked_until > now(), false) AS locked,
                  last_failure_at < now() - interval '1 day' AS stale
             FROM sign_in_failures WHERE key = $1 FOR UPDATE`,
          [key],
          tx,
        ))!;
        rows.push({ ...row, kind });
      }
      // An address the account signed in from lately is spared the locks others' failures start: the account's
      // from everywhere (a guesser elsewhere) and the address's (a colleague or a guesser behind the same NAT).
      const running = rows
        .filter((r) => r.locked && !(r.kind !== 'pair' && known))
        .sort((a, b) => b.lockedUntil!.getTime() - a.lockedUntil!.getTime())[0];
      if (running)
        return { kind: 'locked', lockout: toLockout({ ...running, lockedUntil: running.lockedUntil! }) };
      const started: Lockout[] = [];
      const previousLocks: Partial<Record<KeyKind, Date | null>> = {};
      for (const row of rows) {
        const failures = row.stale ? 1 : row.failures + 1;
        const seconds = lockoutSeconds(failures, policyOf(row.kind, known));
        const updated = (await this.one<{ lockedUntil: Date | null }>(
          `UPDATE sign_in_failures SET failures = $2, last_failure_at = now(),
                  locked_until = CASE WHEN $3::int IS NULL THEN locked_until ELSE now() + make_interval(secs => $3::int) END
            WHERE key = $1 RETURNING locked_until AS "lockedUntil"`,
          [row.key, failures, seconds ?? null],
          tx,
        ))!;
        if (seconds === undefined) continue;
        previousLocks[row.kind] = row.lockedUntil;
        started.push({
          ...toLockout({ ...row, lockedUntil: new Date(0) }),
          failures,
          lockedUntil: updated.lockedUntil!,
        });
      }
      return { kind: 'counted', counted, started, previousLocks };
    });
  }

  /** Whether the account signed in from this address within the last KNOWN_SOURCE_DAYS. */
  async knownSource(account: string, address: string, tx?: Db): Promise<boolean> {
    if (!UUID.test(account)) return false;
    const rows = await this.rows(
      `SELECT 1 FROM sign_in_known_sources
        WHERE account_id = $1 AND source = $2 AND signed_in_at > now() - make_interval(days => $3)`,
      [account, address, KNOWN_SOURCE_DAYS],
      tx,
    );
    return rows.length > 0;
  }

  /**
   * The attempt's password was right: the account starts afresh from this address, which it now knows; the
   * account's count from everywhere and the address's get back the attempt they were counted (and a lock-out
   * this attempt started on them, which no failure earned). Their other failures stay: one's own account must
   * not reset an attacker's address, nor the employee a guessing spread over many addresses.
   */
  async settleSuccess(accountId: string, address: string, reservation: CountedAttempt): Promise<void> {
    await this.rows(`DELETE FROM sign_in_failures WHERE key = $1`, [keyOf('pair', accountId, address)]);
    for (const kind of ['account', 'address'] as const) {
      if (!reservation.counted.includes(kind)) continue;
      const key = keyOf(kind, accountId, address);
      const restore = kind in reservation.previousLocks;
      await this.rows(
        `UPDATE sign_in_failures SET failures = failures - 1,
                locked_until = CASE WHEN $2::boolean THEN $3::timestamptz ELSE locked_until END
          WHERE key = $1 AND failures > 1`,
        [key, restore, reservation.previousLocks[kind] ?? null],
      );
      await this.rows(`DELETE FROM sign_in_failures WHERE key = $1 AND failures <= 1`, [key]);
    }
    await this.rows(
      `INSERT INTO sign_in_known_sources (account_id, source, signed_in_at) VALUES ($1, $2, now())
       ON CONFLICT (account_id, source) DO UPDATE SET signed_in_at = now()`,
      [accountId, address],
    );
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
         FROM sign_in_failures f
         LEFT JOIN users u ON f.key LIKE 'login:%' AND split_part(substr(f.key, 7), '@', 1) = u.id::text
        WHERE f.locked_until > now() ORDER BY f.locked_until DESC`,
    );
    return rows.map((r) => ({ ...toLockout(r), accountId: r.accountId, login: r.login }));
  }

  /**
   * Forgets failures nothing counts any more (none for a day, no lock-out running) and addresses past the days
   * they spare an account: both hold addresses, and a guesser rotating them left a row each for good.
   */
  async forgetStale(): Promise<{ failures: number; knownSources: number }> {
    const failures = await this.rows(
      `DELETE FROM sign_in_failures
        WHERE last_failure_at < now() - interval '1 day' AND (locked_until IS NULL OR locked_until <= now())
        RETURNING key`,
    );
    const knownSources = await this.rows(
      `DELETE FROM sign_in_known_sources WHERE signed_in_at < now() - make_interval(days => $1) RETURNING source`,
      [KNOWN_SOURCE_DAYS],
    );
    return { failures: failures.length, knownSources: knownSources.length };
  }

  /** An administrator lifts an account's lock-out (the person called the help desk). */
  async unlockAccount(accountId: string): Promise<boolean> {
    const rows = await this.rows(
      `DELETE FROM sign_in_failures WHERE key = $1 OR key LIKE $1 || '@%' RETURNING key`,
      [keyOf('account', accountId, '')],
    );
    return rows.length > 0;
  }
}

/** A key's lock-out: a login's subject is the account (or unknown login) without the address it came from. */
function toLockout(row: { key: string; failures: number; lockedUntil: Date }): Lockout {
  const at = row.key.indexOf(':');
  const kind = row.key.slice(0, at) as Lockout['kind'];
  const subject = row.key.slice(at + 1);
  return {
    kind,
    subject: kind === 'login' ? subject.split('@')[0] : subject,
    failures: row.failures,
    lockedUntil: row.lockedUntil,
  };
}
