import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { conflictError, forbiddenError, notFoundError } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { Settings } from '@inbox/database';
import { type AccessScope, canSeeOrganisation } from './access-scope';
import { hashPassword, verifyPassword } from './passwords';
import { Role } from './roles';
import { type Assignee, type StaffUser, StaffUsersRepository } from './staff-users.repository';
import { TokenSigner } from './tokens';

export type { Assignee, StaffUser } from './staff-users.repository';

export interface NewStaffUser {
  login: string;
  password: string;
  fullName: string;
  role: Role;
  organisationId: string;
  seesSubordinates?: boolean;
}

const LOGIN_TAKEN = 'Логин уже занят';
const USER_NOT_FOUND = 'Сотрудник не найден';

/** Staff accounts, sign-in and the scope each account works in. */
@Injectable()
export class StaffUsers {
  private signerPromise?: Promise<TokenSigner>;

  constructor(
    private readonly users: StaffUsersRepository,
    private readonly settings: Settings,
    private readonly config: AppConfig,
  ) {}

  /** Refuses a login already taken (`conflict`, by field). */
  async create(input: NewStaffUser): Promise<StaffUser> {
    const id = await this.users.insert({
      login: loginKey(input.login),
      passwordHash: await hashPassword(input.password),
      fullName: input.fullName,
      role: input.role,
      organisationId: input.organisationId,
      seesSubordinates: input.seesSubordinates ?? false,
    });
    if (!id) throw conflictError(LOGIN_TAKEN, { login: LOGIN_TAKEN });
    return (await this.users.byId(id))!;
  }

  /** Changes what an account is: name, role, organisation, whether it sees subordinate bodies. */
  async update(
    id: string,
    patch: { fullName: string; role: Role; organisationId: string; seesSubordinates?: boolean },
  ): Promise<StaffUser> {
    const done = await this.users.update(id, { ...patch, seesSubordinates: patch.seesSubordinates ?? false });
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

  /** A new password set by the administrator (the user is told it out of band). */
  async resetPassword(id: string, password: string): Promise<void> {
    if (!(await this.users.setPasswordHash(id, await hashPassword(password))))
      throw notFoundError(USER_NOT_FOUND);
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

  list(): Promise<StaffUser[]> {
    return this.users.list();
  }

  /** Whom an appeal may be assigned to in an organisation of the caller's scope (`forbidden` outside it). */
  async assignees(scope: AccessScope, organisationId: string): Promise<Assignee[]> {
    if (!canSeeOrganisation(scope, organisationId))
      throw forbiddenError('Организация вне вашей области видимости');
    return this.users.assignees(organisationId);
  }

  /** A token for the right login and password; undefined otherwise (no hint which one was wrong). */
  async signIn(
    login: string,
    password: string,
  ): Promise<{ token: string; expiresAt: Date; user: StaffUser } | undefined> {
    const row = await this.users.credentials(loginKey(login));
    // Hash anyway when the login is unknown, so timing does not tell which logins exist.
    const ok = await verifyPassword(password, row?.passwordHash ?? DUMMY_HASH);
    if (!row || !ok || !row.active) return undefined;
    const user = (await this.users.byId(row.id))!;
    return { ...(await this.issue(user)), user };
  }

  async issue(user: StaffUser): Promise<{ token: string; expiresAt: Date }> {
    return (await this.signer()).sign(user.id, user.role, this.config.authTokenTtlSeconds);
  }

  /** The active user behind a token, or undefined for a bad, expired or revoked one. */
  async authenticate(token: string): Promise<StaffUser | undefined> {
    const claims = await (await this.signer()).verify(token);
    if (!claims) return undefined;
    const user = await this.users.byId(claims.sub);
    return user?.active ? user : undefined;
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
   * The signing secret: AUTH_TOKEN_SECRET when set, else one generated on first use and kept in the
   * database, so every api process signs and checks with the same one.
   */
  private signer(): Promise<TokenSigner> {
    this.signerPromise ??= (async () => {
      if (this.config.authTokenSecret) return new TokenSigner(this.config.authTokenSecret);
      const secret = await this.settings.getOrInit(
        'auth-token-secret',
        randomBytes(48).toString('base64url'),
      );
      return new TokenSigner(secret);
    })();
    return this.signerPromise;
  }
}

function loginKey(login: string): string {
  return login.trim().toLowerCase();
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
