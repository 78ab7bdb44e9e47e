import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';
import { type Role } from './roles';

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
  /** The password was set by an administrator: until its owner changes it, only that is allowed. */
  mustChangePassword: boolean;
  /** The work e-mail an enrolment code after a password reset goes to; null: none (the code is handed over). */
  email: string | null;
}

/** An account as the administrator's list shows it: with the enrolment code it waits on, if any. */
export interface ListedStaffUser extends StaffUser {
  /** The open enrolment code's end (past: it ran out); null when none is open. */
  enrolmentUntil: Date | null;
  /** How the open code went: to the work e-mail, handed over by the administrator, or the letter failed. */
  enrolmentDelivery: EnrolmentDelivery | null;
}

export type EnrolmentDelivery = 'email' | 'shown' | 'email-failed';

/** Someone an appeal may be assigned to. */
export interface Assignee {
  id: string;
  fullName: string;
  role: Role;
  organisationId: string;
}

export interface NewStaffUserRow {
  login: string;
  passwordHash: string;
  fullName: string;
  role: Role;
  organisationId: string;
  seesSubordinates: boolean;
  mustChangePassword: boolean;
  email: string | null;
}

const USER_COLUMNS = `u.id, u.login, u.full_name AS "fullName", u.role, u.organisation_id AS "organisationId",
  o.short_name AS "organisationName", o.kind AS "organisationKind", u.sees_subordinates AS "seesSubordinates",
  u.active, u.must_change_password AS "mustChangePassword", u.email`;

/** Postgres: a unique index refused the row. */
const UNIQUE_VIOLATION = '23505';

/** The `users` table (staff accounts) and the organisation subtree a scope is built from. */
@Injectable()
export class StaffUsersRepository extends SqlRepository {
  /** The new user's id, or undefined when the login is taken (also by a concurrent insert). */
  async insert(row: NewStaffUserRow): Promise<string | undefined> {
    try {
      const inserted = await this.one<{ id: string }>(
        `INSERT INTO users (login, password_hash, full_name, role, organisation_id, sees_subordinates,
                            must_change_password, email)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          row.login,
          row.passwordHash,
          row.fullName,
          row.role,
          row.organisationId,
          row.seesSubordinates,
          row.mustChangePassword,
          row.email,
        ],
      );
      return inserted!.id;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return undefined;
      throw error;
    }
  }

  /**
   * Changes the account's name, role, organisation, subordinates flag and work e-mail (undefined: kept); false when
   * there is no such user.
   */
  async update(
    id: string,
    patch: {
      fullName: string;
      role: Role;
      organisationId: string;
      seesSubordinates: boolean;
      email?: string | null;
    },
  ): Promise<boolean> {
    const row = await this.one(
      `UPDATE users SET full_name = $2, role = $3, organisation_id = $4, sees_subordinates = $5,
              email = CASE WHEN $6 THEN $7 ELSE email END
        WHERE id = $1 RETURNING id`,
      [
        id,
        patch.fullName,
        patch.role,
        patch.organisationId,
        patch.seesSubordinates,
        patch.email !== undefined,
        patch.email ?? null,
      ],
    );
    return row !== undefined;
  }

  /**
   * Turns sign-in on or off; false when there is no such user. Turning it off ends every session (the session
   * epoch goes up): a token issued before, a stolen one too, used to work again once the account was back on.
   */
  async setActive(id: string, active: boolean): Promise<boolean> {
    return (
      (await this.one(
        `UPDATE users SET active = $2,
                session_epoch = session_epoch + CASE WHEN $2 THEN 0 ELSE 1 END,
                session_kept = CASE WHEN $2 THEN session_kept END
          WHERE id = $1 RETURNING id`,
        [id, active],
      )) !== undefined
    );
  }

  /**
   * An administrator's reset: the password becomes `unusableHash` (of random bytes nobody was told), and every
   * session of the account ends at once (the session epoch goes up, none is kept). False when there is no such user.
   */
  async resetPassword(id: string, unusableHash: string, db: Db = this.pool): Promise<boolean> {
    return (
      (await this.one(
        `UPDATE users SET password_hash = $2, must_change_password = false, session_epoch = session_epoch + 1,
                session_kept = NULL
          WHERE id = $1 RETURNING id`,
        [id, unusableHash],
        db,
      )) !== undefined
    );
  }

  /**
   * The owner's own new password: every token issued before ends (the session epoch goes up) but those of
   * `keptSession`, the session that changed it, if any. False when there is no such user.
   */
  async setOwnPassword(
    id: string,
    passwordHash: string,
    keptSession: string | null,
    db: Db = this.pool,
  ): Promise<boolean> {
    return (
      (await this.one(
        `UPDATE users SET password_hash = $2, must_change_password = false, session_epoch = session_epoch + 1,
                session_kept = $3::uuid
          WHERE id = $1 RETURNING id`,
        [id, passwordHash, keptSession],
        db,
      )) !== undefined
    );
  }

  /** The account's session epoch, or undefined when there is no such user. */
  async sessionEpoch(id: string): Promise<number | undefined> {
    return (await this.one<{ epoch: number }>(`SELECT session_epoch AS epoch FROM users WHERE id = $1`, [id]))
      ?.epoch;
  }

  /**
   * The user behind a token, with whether the token is still good: issued in the account's current session
   * epoch (or the one kept when its session changed the password) and not signed out.
   */
  async forToken(
    id: string,
    epoch: number,
    sessionId: string | null,
  ): Promise<{ user: StaffUser; current: boolean } | undefined> {
    const row = await this.one<StaffUser & { current: boolean }>(
      `SELECT ${USER_COLUMNS},
              (u.session_epoch = $2 OR u.session_kept = $3::uuid) AND NOT EXISTS (
                SELECT 1 FROM revoked_staff_sessions r WHERE r.session_id = $3::uuid) AS current
         FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1`,
      [id, epoch, sessionId],
    );
    if (!row) return undefined;
    const { current, ...user } = row;
    return { user, current };
  }

  /** Signs one session out until its last token would have expired; sessions long over are dropped on the way. */
  async revokeSession(sessionId: string, expiresAt: Date): Promise<void> {
    await this.rows(`DELETE FROM revoked_staff_sessions WHERE expires_at < now() - interval '1 hour'`);
    await this.rows(
      `INSERT INTO revoked_staff_sessions (session_id, expires_at) VALUES ($1, $2)
         ON CONFLICT (session_id) DO UPDATE SET expires_at = GREATEST(revoked_staff_sessions.expires_at, $2)`,
      [sessionId, expiresAt],
    );
  }

  /** The same password hashed anew (stronger parameters): whether it is temporary does not change. */
  async setPasswordHash(id: string, passwordHash: string): Promise<boolean> {
    return (
      (await this.one(`UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING id`, [
        id,
        passwordHash,
      ])) !== undefined
    );
  }

  async loginTaken(login: string): Promise<boolean> {
    return (await this.one(`SELECT 1 FROM users WHERE login = $1`, [login])) !== undefined;
  }

  byId(id: string): Promise<StaffUser | undefined> {
    return this.one<StaffUser>(
      `SELECT ${USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1`,
      [id],
    );
  }

  /** Every account with the enrolment code it waits on (a reset's), if one is open. */
  list(): Promise<ListedStaffUser[]> {
    return this.rows<ListedStaffUser>(
      `SELECT ${USER_COLUMNS}, c.expires_at AS "enrolmentUntil", c.delivery AS "enrolmentDelivery"
         FROM users u JOIN organisations o ON o.id = u.organisation_id
         LEFT JOIN staff_enrolment_codes c ON c.user_id = u.id AND c.used_at IS NULL AND c.cancelled_at IS NULL
        ORDER BY u.login`,
    );
  }

  credentials(login: string): Promise<{ id: string; passwordHash: string; active: boolean } | undefined> {
    return this.one(`SELECT id, password_hash AS "passwordHash", active FROM users WHERE login = $1`, [
      login,
    ]);
  }

  passwordHashOf(id: string): Promise<{ login: string; passwordHash: string } | undefined> {
    return this.one(`SELECT login, password_hash AS "passwordHash" FROM users WHERE id = $1`, [id]);
  }

  /** Active line-1/line-2 staff and supervisors of one organisation, by name. */
  assignees(organisationId: string): Promise<Assignee[]> {
    return this.rows<Assignee>(
      `SELECT u.id, u.full_name AS "fullName", u.role, u.organisation_id AS "organisationId"
         FROM users u WHERE u.active AND u.organisation_id = $1 AND u.role IN ('operator', 'clerk', 'supervisor')
        ORDER BY u.full_name`,
      [organisationId],
    );
  }

  /** The organisation and every body below it. */
  async organisationSubtree(organisationId: string): Promise<string[]> {
    const rows = await this.rows<{ id: string }>(
      `WITH RECURSIVE tree AS (
         SELECT id FROM organisations WHERE id = $1
         UNION ALL SELECT o.id FROM organisations o JOIN tree t ON o.parent_id = t.id
       ) SELECT id FROM tree`,
      [organisationId],
    );
    return rows.map((r) => r.id);
  }
}
