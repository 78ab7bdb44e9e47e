import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';
import { type EnrolmentDelivery } from './staff-users.repository';

/** An enrolment code open for an account (not used, not cancelled), as redemption checks it. */
export interface OpenEnrolmentCode {
  id: string;
  codeHash: string;
  expiresAt: Date;
}

/** `staff_enrolment_codes`: the one-time codes an administrator's password reset issues. */
@Injectable()
export class StaffEnrolmentRepository extends SqlRepository {
  /** Cancels the account's open code (a reissue, or the administrator's cancel); whether there was one. */
  async cancelOpen(userId: string, db: Db = this.pool): Promise<boolean> {
    const rows = await this.rows(
      `UPDATE staff_enrolment_codes SET cancelled_at = now()
        WHERE user_id = $1 AND used_at IS NULL AND cancelled_at IS NULL RETURNING id`,
      [userId],
      db,
    );
    return rows.length > 0;
  }

  /** A new open code (cancel the one before first, in the same transaction); its id. */
  async insert(
    row: {
      userId: string;
      codeHash: string;
      issuedBy: string;
      expiresAt: Date;
      delivery: EnrolmentDelivery;
    },
    db: Db = this.pool,
  ): Promise<string> {
    const inserted = await this.one<{ id: string }>(
      `INSERT INTO staff_enrolment_codes (user_id, code_hash, issued_by, expires_at, delivery)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [row.userId, row.codeHash, row.issuedBy, row.expiresAt, row.delivery],
      db,
    );
    return inserted!.id;
  }

  /** The letter with the code did not go: the administrator's screen says so. */
  async markDelivery(id: string, delivery: EnrolmentDelivery): Promise<void> {
    await this.rows(`UPDATE staff_enrolment_codes SET delivery = $2 WHERE id = $1`, [id, delivery]);
  }

  /** The account's open code, expired or not; undefined when none is open. */
  open(userId: string, db: Db = this.pool): Promise<OpenEnrolmentCode | undefined> {
    return this.one<OpenEnrolmentCode>(
      `SELECT id, code_hash AS "codeHash", expires_at AS "expiresAt" FROM staff_enrolment_codes
        WHERE user_id = $1 AND used_at IS NULL AND cancelled_at IS NULL`,
      [userId],
      db,
    );
  }

  /**
   * Spends the code: true only for the one caller that finds it still open and unexpired (two redemptions sent
   * together cannot both pass).
   */
  async use(id: string, db: Db = this.pool): Promise<boolean> {
    const rows = await this.rows(
      `UPDATE staff_enrolment_codes SET used_at = now()
        WHERE id = $1 AND used_at IS NULL AND cancelled_at IS NULL AND expires_at > now() RETURNING id`,
      [id],
      db,
    );
    return rows.length > 0;
  }
}
