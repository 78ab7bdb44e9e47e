import { createHmac, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type Db, Transactions } from '@inbox/database';
import { decodeJwt } from 'jose';
import { conflictError, DomainError, forbiddenError, notFoundError, rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { type AccessScope, canSeeOrganisation } from './access-scope';
import { hashPassword, needsRehash, OWASP_SCRYPT, type ScryptParams, verifyPassword } from './passwords';
import { type ActiveLockout, type Lockout } from './sign-in-lockouts';
import { SignInLockouts } from './sign-in-lockouts.repository';
import { Role } from './roles';
import {
  ENROLMENT_CODE_HOURS,
  enrolmentCodeMatches,
  hashEnrolmentCode,
  newEnrolmentCode,
} from './enrolment-code';
import { StaffEnrolmentRepository } from './staff-enrolment.repository';
import {
  type Assignee,
  type ListedStaffUser,
  type StaffUser,
  StaffUsersRepository,
} from './staff-users.repository';
import { TokenSigner } from './tokens';

export type { Assignee, EnrolmentDelivery, ListedStaffUser, StaffUser } from './staff-users.repository';

export interface NewStaffUser {
  login: string;
  password: string;
  fullName: string;
  role: Role;
  organisationId: string;
  seesSubordinates?: boolean;
  /**
   * The password was chosen by someone else (an administrator): the account may do nothing but change it at
   * its first sign-in. Demo and test accounts made in code are not marked.
   */
  temporaryPassword?: boolean;
  /** The work e-mail a reset's enrolment code goes to. */
  email?: string | null;
}

/** A reset's enrolment code, issued: the code itself exists only here, never stored. */
export interface EnrolmentIssued {
  codeId: string;
  code: string;
  expiresAt: Date;
  delivery: 'email' | 'shown';
  /** The account as it was reset. */
  user: StaffUser;
}

/** What redeeming an enrolment code came to. */
export type EnrolmentOutcome =
  | { kind: 'enrolled'; user: StaffUser }
  /** No such login, no open code, or the wrong code (no hint which); counted as a failed sign-in. */
  | { kind: 'refused'; accountId: string | null; lockoutsStarted: Lockout[] }
  /** The right code, past its time: the administrator issues a new one. */
  | { kind: 'expired'; accountId: string }
  | { kind: 'locked'; accountId: string | null; lockout: Lockout };

/** What changing one's own password came to. */
export type PasswordChangeOutcome =
  | { kind: 'changed' }
  /** The current password given is not the account's (counted like a failed sign-in). */
  | { kind: 'wrong-current'; lockoutsStarted: Lockout[] }
  /** The new password is the temporary one again. */
  | { kind: 'unchanged' }
  /** The account or the address is locked out after failed attempts: nothing was checked. */
  | { kind: 'locked'; lockout: Lockout };

/** What a sign-in attempt came to. */
export type SignInOutcome =
  | { kind: 'signed-in'; token: string; expiresAt: Date; user: StaffUser }
  /**
   * Wrong login or password (no hint which), with the lock-outs this failure started. `accountId`: the account
   * the login named, null when it named none — for the audit log, which never keeps the typed login (it may be a
   * password typed into the wrong field).
   */
  | { kind: 'refused'; accountId: string | null; lockoutsStarted: Lockout[] }
  /** The account or the address is locked out: the password was not even checked. */
  | { kind: 'locked'; accountId: string | null; lockout: Lockout };

const LOGIN_TAKEN = 'Логин уже занят';
const USER_NOT_FOUND = 'Сотрудник не найден';
const OWN_PASSWORD = 'Свой пароль меняют в профиле, указав текущий';
const OWN_ACCESS = 'Свою роль и организацию меняет другой администратор';

/** A signed-in session as its tokens name it: whose, of which password (epoch), which sign-in, until when. */
export interface StaffSession {
  userId: string;
  epoch: number;
  sessionId: string | null;
  /** Epoch milliseconds: the session's absolute end (AUTH_SESSION_MAX_SECONDS from its sign-in). */
  endsAt: number;
}

/** Staff accounts, sign-in and the scope each account works in. */
@Injectable()
export class StaffUsers {
  private signerInstance?: TokenSigner;
  private dummy?: Promise<string>;
  private unknownLoginKey?: Buffer;
  private readonly log = rootLogger.child('access');

  constructor(
    private readonly users: StaffUsersRepository,
    private readonly lockouts: SignInLockouts,
    private readonly config: AppConfig,
    private readonly enrolment: StaffEnrolmentRepository,
    private readonly transactions: Transactions,
  ) {}

  /** A hash of nothing with today's parameters: an unknown login costs what a known one does. */
  private dummyHash(): Promise<string> {
    this.dummy ??= hashPassword(randomBytes(16).toString('hex'), this.scrypt);
    return this.dummy;
  }

  private get scrypt(): ScryptParams {
    return { ...OWASP_SCRYPT, n: this.config.passwordScryptN };
  }

  /** Refuses a login already taken (`conflict`, by field). */
  async create(input: NewStaffUser): Promise<StaffUser> {
    const id = await this.users.insert({
      login: loginKey(input.login),
      passwordHash: await hashPassword(input.password, this.scrypt),
      fullName: input.fullName,
      role: input.role,
      organisationId: input.organisationId,
      seesSubordinates: input.seesSubordinates ?? false,
      mustChangePassword: input.temporaryPassword ?? false,
      email: input.email ?? null,
    });
    if (!id) throw conflictError(LOGIN_TAKEN, { login: LOGIN_TAKEN });
    return (await this.users.byId(id))!;
  }

  /**
   * Changes what an account is: name, role, organisation, whether it sees subordinate bodies. An administrator
   * changes their own name only: made an operator or a clerk by their own hand, the account read every applicant's
   * data its role keeps from it (and a stolen session could do the same); another administrator decides that.
   */
  async update(
    actorId: string,
    id: string,
    patch: {
      fullName: string;
      role: Role;
      organisationId: string;
      seesSubordinates?: boolean;
      email?: string | null;
    },
  ): Promise<StaffUser> {
    const seesSubordinates = patch.seesSubordinates ?? false;
    if (actorId === id) {
      const own = await this.users.byId(id);
      if (
        own &&
        (own.role !== patch.role ||
          own.organisationId !== patch.organisationId ||
          own.seesSubordinates !== seesSubordinates)
      )
        throw conflictError(OWN_ACCESS);
    }
    const done = await this.users.update(id, { ...patch, seesSubordinates });
    if (!done) throw notFoundError(USER_NOT_FOUND);
    return (await this.users.byId(id))!;
  }

  /**
   * Deactivated accounts cannot sign in, and their tokens stop working at once (authenticate reads `active`).
   * An administrator cannot lock themself out.
   */
  async setActive(actorId: string, id: string, active: boolean): Promise<StaffUser> {
    if (!active && actorId === id) throw conflictError('Нельзя отключить собственную учётную запись');
    if (!(await this.users.setActive(id, active))) throw notFoundError(USER_NOT_FOUND);
    return (await this.users.byId(id))!;
  }

  /**
   * An administrator's reset. The administrator learns no password: the account's password becomes one of random
   * bytes nobody is told, every session of the account ends at once, and a one-time enrolment code is issued
   * (ENROLMENT_CODE_HOURS, single use, only its keyed hash stored; the code before, if any, is cancelled) with which
   * the owner sets a password of their own (`redeemEnrolment`). `delivery` says how the code reaches them: to the
   * work e-mail, or shown to the administrator to hand over in person. `alongside` writes in the same transaction
   * (the owner's notice, the audit entry).
   */
  async resetPassword(
    actorId: string,
    id: string,
    delivery: (user: StaffUser) => 'email' | 'shown',
    alongside: (tx: Db, issued: EnrolmentIssued) => Promise<void>,
  ): Promise<EnrolmentIssued> {
    // One's own password is changed by proving the current one (changeOwnPassword): a reset of it asked none, so a
    // stolen administrator's session took the account over with it.
    if (actorId === id) throw conflictError(OWN_PASSWORD);
    const user = await this.users.byId(id);
    if (!user) throw notFoundError(USER_NOT_FOUND);
    const unusable = await hashPassword(randomBytes(32).toString('base64url'), this.scrypt);
    const code = newEnrolmentCode();
    const expiresAt = new Date(Date.now() + ENROLMENT_CODE_HOURS * 3600_000);
    const how = delivery(user);
    return this.transactions.run(async (tx) => {
      if (!(await this.users.resetPassword(id, unusable, tx))) throw notFoundError(USER_NOT_FOUND);
      await this.enrolment.cancelOpen(id, tx);
      const codeId = await this.enrolment.insert(
        {
          userId: id,
          codeHash: hashEnrolmentCode(this.config.accessCodeKey, id, code),
          issuedBy: actorId,
          expiresAt,
          delivery: how,
        },
        tx,
      );
      const issued: EnrolmentIssued = { codeId, code, expiresAt, delivery: how, user };
      await alongside(tx, issued);
      return issued;
    });
  }

  /** The letter with a reset's code did not go out: the code stays open, the administrator's screen says so. */
  enrolmentLetterFailed(codeId: string): Promise<void> {
    return this.enrolment.markDelivery(codeId, 'email-failed');
  }

  /** Cancels the account's open enrolment code; false when it had none. */
  async cancelEnrolment(id: string): Promise<boolean> {
    if (!(await this.users.byId(id))) throw notFoundError(USER_NOT_FOUND);
    return this.enrolment.cancelOpen(id);
  }

  /**
   * Sign-in by a reset's enrolment code: the right login and code, open and in time, set the owner's own password
   * (`password`) and spend the code. Wrong codes count towards the sign-in lock-outs as wrong passwords do, and
   * nothing is checked while the login or address is locked out. Every session from before stays ended.
   */
  async redeemEnrolment(
    login: string,
    code: string,
    password: string,
    address: string,
  ): Promise<EnrolmentOutcome> {
    const key = loginKey(login);
    const row = await this.users.credentials(key);
    const accountId = row?.id ?? null;
    const attempt = await this.lockouts.reserve(this.lockoutSubject(key, accountId), address);
    if (attempt.kind === 'locked') return { ...attempt, accountId };
    const open = row && row.active ? await this.enrolment.open(row.id) : undefined;
    if (!row || !open || !enrolmentCodeMatches(this.config.accessCodeKey, row.id, code, open.codeHash))
      return { kind: 'refused', accountId, lockoutsStarted: attempt.started };
    await this.lockouts.settleSuccess(row.id, address, attempt);
    if (open.expiresAt.getTime() <= Date.now()) return { kind: 'expired', accountId: row.id };
    const hash = await hashPassword(password, this.scrypt);
    const spent = await this.transactions.run(async (tx) => {
      if (!(await this.enrolment.use(open.id, tx))) return false;
      await this.users.setOwnPassword(row.id, hash, null, tx);
      return true;
    });
    // Spent by a redemption sent at the same moment, or it ran out in between: as if it had not matched.
    if (!spent) return { kind: 'refused', accountId, lockoutsStarted: [] };
    return { kind: 'enrolled', user: (await this.users.byId(row.id))! };
  }

  /**
   * The account's owner replaces their password, proving the current one (a stolen session alone cannot take
   * the account over). Wrong guesses count towards the same lock-outs as failed sign-ins. Clears the
   * temporary-password mark. Every other session of the account ends (a token stolen before does not outlive
   * the password); the one of `sessionToken`, which changed it, goes on.
   */
  async changeOwnPassword(
    userId: string,
    current: string,
    next: string,
    address: string,
    sessionToken: string,
  ): Promise<PasswordChangeOutcome> {
    const row = await this.users.passwordHashOf(userId);
    if (!row) throw notFoundError(USER_NOT_FOUND);
    const attempt = await this.lockouts.reserve(userId, address);
    if (attempt.kind === 'locked') return attempt;
    if (!(await verifyPassword(current, row.passwordHash))) {
      return { kind: 'wrong-current', lockoutsStarted: attempt.started };
    }
    await this.lockouts.settleSuccess(userId, address, attempt);
    if (current === next) return { kind: 'unchanged' };
    const kept = (await this.signer().verify(sessionToken))?.sid ?? null;
    await this.users.setOwnPassword(userId, await hashPassword(next, this.scrypt), kept);
    return { kind: 'changed' };
  }

  /** Creates the account only if the login is free; returns whether it did. */
  async ensure(input: NewStaffUser): Promise<boolean> {
    if (await this.users.loginTaken(loginKey(input.login))) return false;
    await this.create(input);
    return true;
  }

  byId(id: string): Promise<StaffUser | undefined> {
    return this.users.byId(id);
  }

  list(): Promise<ListedStaffUser[]> {
    return this.users.list();
  }

  /** Whom an appeal may be assigned to in an organisation of the caller's scope (`forbidden` outside it). */
  async assignees(scope: AccessScope, organisationId: string): Promise<Assignee[]> {
    if (!canSeeOrganisation(scope, organisationId))
      throw forbiddenError('Организация вне вашей области видимости');
    return this.users.assignees(organisationId);
  }

  /**
   * A token for the right login and password. Attempts are counted per account and per address with a growing
   * lock-out (sign-in-lockouts.ts), each before its password is checked (a right one is given back); while either
   * is locked the password is not checked at all. A hash made with
   * weaker scrypt parameters than today's is redone with the password just proved.
   */
  async signIn(login: string, password: string, address: string): Promise<SignInOutcome> {
    const key = loginKey(login);
    const row = await this.users.credentials(key);
    const accountId = row?.id ?? null;
    // Counted before the password is checked, so that attempts sent together cannot outrun the count.
    const attempt = await this.lockouts.reserve(this.lockoutSubject(key, accountId), address);
    if (attempt.kind === 'locked') return { ...attempt, accountId };
    // Hash anyway when the login is unknown, so timing does not tell which logins exist.
    const ok = await verifyPassword(password, row?.passwordHash ?? (await this.dummyHash()));
    if (!row || !ok || !row.active) return { kind: 'refused', accountId, lockoutsStarted: attempt.started };
    await this.lockouts.settleSuccess(row.id, address, attempt);
    if (needsRehash(row.passwordHash, this.scrypt)) {
      await this.users.setPasswordHash(row.id, await hashPassword(password, this.scrypt));
    }
    const user = (await this.users.byId(row.id))!;
    return { kind: 'signed-in', ...(await this.issue(user)), user };
  }

  /**
   * What a sign-in's failures count under for its login (as the lock-outs count them: the account, or a keyed hash
   * of a login that names none), and whether the account signed in from this address lately: a guesser elsewhere
   * must not keep the employee out of their own office by spending the login's budget.
   */
  async signInSubject(login: string, address: string): Promise<{ subject: string; knownSource: boolean }> {
    const key = loginKey(login);
    const accountId = (await this.users.credentials(key))?.id ?? null;
    return {
      subject: this.lockoutSubject(key, accountId),
      knownSource: accountId !== null && (await this.lockouts.knownSource(accountId, address)),
    };
  }

  /**
   * What a password change's failures count under (the account: a wrong current password is a guess at it), and
   * whether the account signed in from this address lately, as for a sign-in (signInSubject). Looked up, not
   * assumed: a session's token may be used from an address it was never issued at (another network, a stolen
   * token), and there the login's budget must still count.
   */
  async passwordChangeSubject(
    userId: string,
    address: string,
  ): Promise<{ subject: string; knownSource: boolean }> {
    return { subject: userId, knownSource: await this.lockouts.knownSource(userId, address) };
  }

  /** Lock-outs running now (administrators see them). */
  activeLockouts(): Promise<ActiveLockout[]> {
    return this.lockouts.active();
  }

  /** Lifts an account's lock-out; false when it had none. */
  /** Sign-in records that no longer count (they hold addresses): the worker's retention sweep. */
  forgetStaleSignInRecords(): Promise<{ failures: number; knownSources: number }> {
    return this.lockouts.forgetStale();
  }

  unlock(userId: string): Promise<boolean> {
    return this.lockouts.unlockAccount(userId);
  }

  /**
   * What a login's failures are counted under: the account it names (its id), or, for a login that names none,
   * a keyed hash of it — counted all the same (else a lock-out would tell which logins exist), never kept as
   * typed (it may be a password typed into the wrong field). The key comes from AUTH_TOKEN_SECRET; without one,
   * a random key of this process (as its tokens'), so an unknown login's count does not outlive the process.
   */
  private lockoutSubject(key: string, accountId: string | null): string {
    if (accountId) return accountId;
    this.unknownLoginKey ??= this.config.authTokenSecret
      ? createHmac('sha256', this.config.authTokenSecret).update('sign-in-lockout').digest()
      : randomBytes(32);
    return `unknown:${createHmac('sha256', this.unknownLoginKey).update(key).digest('base64url')}`;
  }

  /** A token of a new session, in the account's current session epoch. */
  issue(user: StaffUser): Promise<{ token: string; expiresAt: Date }> {
    const now = Date.now();
    return this.sessionToken(user, now, undefined, Math.floor(now / 1000));
  }

  /**
   * A new token for the session of `token` (already authenticated as `user`), in the current epoch. A session
   * has an absolute lifetime (AUTH_SESSION_MAX_SECONDS from its sign-in): past it renewal is refused
   * (`unauthenticated`), and no token renewed before outlives it, so a stolen token cannot be kept alive for ever.
   */
  async renew(user: StaffUser, token: string): Promise<{ token: string; expiresAt: Date }> {
    const claims = await this.signer().verify(token);
    // A token from before sessions had a start: its own issue time stands in.
    const start = claims?.sst ?? claims?.iat ?? 0;
    const now = Date.now();
    if (!claims || now / 1000 >= start + this.config.authSessionMaxSeconds) throw sessionEnded();
    return this.sessionToken(user, now, claims.sid, start);
  }

  /** A token of session `sessionId` (a new one when undefined) begun at `start`, never past the session's end. */
  private async sessionToken(user: StaffUser, now: number, sessionId: string | undefined, start: number) {
    const epoch = (await this.users.sessionEpoch(user.id)) ?? 0;
    return this.signer().sign(
      user.id,
      user.role,
      this.config.authTokenTtlSeconds,
      now,
      epoch,
      sessionId,
      start,
      start + this.config.authSessionMaxSeconds,
    );
  }

  /**
   * Whether `token`, refused, is one of ours that ran out with its session's absolute lifetime: the last token
   * of a session expires with it, so its last renewal is asked for with an expired token and was answered only
   * «Требуется вход в систему», never why. Forged and merely short-lived expired tokens are not.
   */
  async sessionLifetimeOver(token: string): Promise<boolean> {
    let exp: unknown;
    try {
      exp = decodeJwt(token).exp;
    } catch {
      return false;
    }
    if (typeof exp !== 'number' || Date.now() < exp * 1000) return false;
    // Well signed as of its last second: ours.
    const claims = await this.signer().verify(token, (exp - 1) * 1000);
    return !!claims && claims.exp >= (claims.sst ?? claims.iat) + this.config.authSessionMaxSeconds;
  }

  /**
   * The active user behind a token, or undefined for a bad, expired or revoked one: signed out, or issued
   * before the account's password changed.
   */
  async authenticate(token: string): Promise<StaffUser | undefined> {
    const session = await this.sessionOf(token);
    const found = session && (await this.users.forToken(session.userId, session.epoch, session.sessionId));
    return found?.current && found.user.active ? found.user : undefined;
  }

  /**
   * The session a good token belongs to, to be checked again without the token (the live stream outlives the
   * short-lived token it was opened with); undefined for a bad or expired token.
   */
  async sessionOf(token: string): Promise<StaffSession | undefined> {
    const claims = await this.signer().verify(token);
    if (!claims) return undefined;
    const start = claims.sst ?? claims.iat;
    return {
      userId: claims.sub,
      epoch: claims.epoch,
      sessionId: claims.sid ?? null,
      endsAt: (start + this.config.authSessionMaxSeconds) * 1000,
    };
  }

  /**
   * The account of a session still going as it began: not signed out, past its absolute lifetime, its password
   * changed or reset since, nor the account deactivated; undefined otherwise.
   */
  async sessionUser(session: StaffSession, now = Date.now()): Promise<StaffUser | undefined> {
    if (now >= session.endsAt) return undefined;
    const found = await this.users.forToken(session.userId, session.epoch, session.sessionId);
    return found?.current && found.user.active && !found.user.mustChangePassword ? found.user : undefined;
  }

  /**
   * Ends the session of this token (sign-out): it and every token renewed from the same sign-in are refused from
   * now on, in every api process. Kept until the last of them would have expired (none is renewed any more).
   */
  async signOut(token: string): Promise<void> {
    const claims = await this.signer().verify(token);
    if (!claims?.sid) return;
    await this.users.revokeSession(claims.sid, new Date(Date.now() + this.config.authTokenTtlSeconds * 1000));
  }

  async scopeOf(user: StaffUser): Promise<AccessScope> {
    const base = { userId: user.id, role: user.role, organisationId: user.organisationId };
    // Line 1 works the whole inbox; admins and supervisors of the region or the management centre see it all.
    const regionWide = user.organisationKind === 'region' || user.organisationKind === 'management-centre';
    if (
      user.role === Role.Operator ||
      user.role === Role.Admin ||
      (user.role === Role.Supervisor && regionWide)
    ) {
      return { ...base, organisationIds: null };
    }
    if (!user.seesSubordinates && user.role !== Role.Supervisor) {
      return { ...base, organisationIds: [user.organisationId] };
    }
    return { ...base, organisationIds: await this.users.organisationSubtree(user.organisationId) };
  }

  /**
   * The signing secret: AUTH_TOKEN_SECRET (with AUTH_TOKEN_PREVIOUS_SECRETS still accepted), required in
   * production. Unset elsewhere: a random one held in this process's memory only, never stored, so tokens do
   * not outlive the process (`npm start` generates one for its api and says so).
   */
  private signer(): TokenSigner {
    if (!this.signerInstance) {
      if (!this.config.authTokenSecret) {
        this.log.warn('AUTH_TOKEN_SECRET is not set: staff tokens are signed with a random per-process key');
      }
      this.signerInstance = new TokenSigner(
        this.config.authTokenSecret ?? randomBytes(48).toString('base64url'),
        this.config.authTokenPreviousSecrets,
      );
    }
    return this.signerInstance;
  }
}

/** A session past its absolute lifetime (AUTH_SESSION_MAX_SECONDS): renewal and its last token are refused. */
export const sessionEnded = () =>
  new DomainError(
    'unauthenticated',
    'Сеанс завершён: истёк наибольший срок работы без повторного входа. Войдите снова',
  );

function loginKey(login: string): string {
  return login.trim().toLowerCase();
}
