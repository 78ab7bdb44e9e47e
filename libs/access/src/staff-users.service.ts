import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@inbox/config';
import { type AccessScope } from './access-scope';
import { hashPassword, verifyPassword } from './passwords';
import { Role } from './roles';
import { TokenSigner } from './tokens';

export interface StaffUser {
  id: string;
  login: string;
  fullName: string;
  role: Role;
  organisationId: string;
  organisationName: string;
  organisationKind: string;
  seesSubordinates: boolean;
  active: boolean;
}

const USER_COLUMNS = `u.id, u.login, u.full_name AS "fullName", u.role, u.organisation_id AS "organisationId",
  o.short_name AS "organisationName", o.kind AS "organisationKind", u.sees_subordinates AS "seesSubordinates",
  u.active`;

/** Staff accounts, sign-in and the scope each account works in. */
@Injectable()
export class StaffUsers {
  private signerPromise?: Promise<TokenSigner>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async create(input: {
    login: string;
    password: string;
    fullName: string;
    role: Role;
    organisationId: string;
    seesSubordinates?: boolean;
  }): Promise<StaffUser> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO users (login, password_hash, full_name, role, organisation_id, sees_subordinates)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        input.login.trim().toLowerCase(),
        await hashPassword(input.password),
        input.fullName,
        input.role,
        input.organisationId,
        input.seesSubordinates ?? false,
      ],
    )) as { id: string }[];
    return (await this.byId(row.id))!;
  }

  /** Creates the account only if the login is free; returns whether it did. */
  async ensure(input: Parameters<StaffUsers['create']>[0]): Promise<boolean> {
    const [existing] = (await this.dataSource.query(`SELECT id FROM users WHERE login = $1`, [
      input.login.trim().toLowerCase(),
    ])) as { id: string }[];
    if (existing) return false;
    await this.create(input);
    return true;
  }

  async byId(id: string): Promise<StaffUser | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT ${USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1`,
      [id],
    )) as StaffUser[];
    return row;
  }

  async list(): Promise<StaffUser[]> {
    return (await this.dataSource.query(
      `SELECT ${USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id ORDER BY u.login`,
    )) as StaffUser[];
  }

  /** A token for the right login and password; undefined otherwise (no hint which one was wrong). */
  async signIn(
    login: string,
    password: string,
  ): Promise<{ token: string; expiresAt: Date; user: StaffUser } | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT id, password_hash, active FROM users WHERE login = $1`,
      [login.trim().toLowerCase()],
    )) as { id: string; password_hash: string; active: boolean }[];
    // Hash anyway when the login is unknown, so timing does not tell which logins exist.
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok || !row.active) return undefined;
    const user = (await this.byId(row.id))!;
    return { ...(await this.issue(user)), user };
  }

  async issue(user: StaffUser): Promise<{ token: string; expiresAt: Date }> {
    return (await this.signer()).sign(user.id, user.role, this.config.authTokenTtlSeconds);
  }

  /** The active user behind a token, or undefined for a bad, expired or revoked one. */
  async authenticate(token: string): Promise<StaffUser | undefined> {
    const claims = (await this.signer()).verify(token);
    if (!claims) return undefined;
    const user = await this.byId(claims.sub);
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
    const rows = (await this.dataSource.query(
      `WITH RECURSIVE tree AS (
         SELECT id FROM organisations WHERE id = $1
         UNION ALL SELECT o.id FROM organisations o JOIN tree t ON o.parent_id = t.id
       ) SELECT id FROM tree`,
      [user.organisationId],
    )) as { id: string }[];
    return { ...base, organisationIds: rows.map((r) => r.id) };
  }

  /**
   * The signing secret: AUTH_TOKEN_SECRET when set, else one generated on first use and kept in the
   * database, so every api process signs and checks with the same one.
   */
  private signer(): Promise<TokenSigner> {
    this.signerPromise ??= (async () => {
      if (this.config.authTokenSecret) return new TokenSigner(this.config.authTokenSecret);
      await this.dataSource.query(
        `INSERT INTO settings (key, value) VALUES ('auth-token-secret', $1) ON CONFLICT (key) DO NOTHING`,
        [randomBytes(48).toString('base64url')],
      );
      const [row] = (await this.dataSource.query(
        `SELECT value FROM settings WHERE key = 'auth-token-secret'`,
      )) as {
        value: string;
      }[];
      return new TokenSigner(row.value);
    })();
    return this.signerPromise;
  }
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
