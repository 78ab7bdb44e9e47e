import { Injectable } from '@nestjs/common';
import { type AccessScope, appealScopeSql } from '@inbox/access';
import { type Db, SqlRepository } from '@inbox/database';
import { type LegalFlag } from './legal-flags';

/** A flag as stored, before its Russian title is added. */
export interface FlagRow {
  id: string;
  appealId: string;
  flag: LegalFlag;
  evidence: Record<string, unknown>;
  status: 'raised' | 'confirmed' | 'dismissed';
  decidedBy: string | null;
  decidedAt: Date | null;
  createdAt: Date;
}

/** An earlier appeal of the same applicant, for the repeated-appeal check. */
export interface EarlierAppealRow {
  id: string;
  registration_number: string;
  subject: string | null;
  text: string;
}

const FLAG_COLUMNS = `f.id, f.appeal_id AS "appealId", f.flag, f.evidence, f.status, f.decided_by AS "decidedBy",
  f.decided_at AS "decidedAt", f.created_at AS "createdAt"`;

/** The `appeal_flags` table, and what the detectors read of an appeal and its applicant. */
@Injectable()
export class LegalFlagsRepository extends SqlRepository {
  /**
   * The applicant's answered or closed appeals registered before this one (the same applicant, or one with
   * the same e-mail), newest first.
   */
  earlierAnswered(appealId: string, limit = 20): Promise<EarlierAppealRow[]> {
    return this.rows<EarlierAppealRow>(
      `WITH me AS (
         SELECT a.applicant_id, a.registered_at, lower(p.email) AS email
           FROM appeals a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = $1
       ), same AS (
         SELECT applicant_id AS id FROM me
         UNION SELECT p.id FROM applicants p, me WHERE me.email IS NOT NULL AND lower(p.email) = me.email
       )
       SELECT a2.id, a2.registration_number, a2.subject, a2.text
         FROM appeals a2, me
        WHERE a2.applicant_id IN (SELECT id FROM same) AND a2.id <> $1 AND a2.registered_at <= me.registered_at
          AND a2.status IN ('answered', 'closed')
        ORDER BY a2.registered_at DESC LIMIT $2`,
      [appealId, limit],
    );
  }

  /** Raises a flag unless the appeal has it already; returns the new flag's id, or undefined. */
  async insert(
    tx: Db,
    appealId: string,
    flag: LegalFlag,
    evidence: Record<string, unknown>,
  ): Promise<string | undefined> {
    const row = await this.one<{ id: string }>(
      `INSERT INTO appeal_flags (appeal_id, flag, evidence) VALUES ($1, $2, $3)
       ON CONFLICT (appeal_id, flag) DO NOTHING RETURNING id`,
      [appealId, flag, evidence],
      tx,
    );
    return row?.id;
  }

  forAppeal(appealId: string): Promise<FlagRow[]> {
    return this.rows<FlagRow>(
      `SELECT ${FLAG_COLUMNS} FROM appeal_flags f WHERE f.appeal_id = $1 ORDER BY f.created_at, f.flag`,
      [appealId],
    );
  }

  lock(tx: Db, appealId: string, flagId: string): Promise<FlagRow | undefined> {
    return this.one<FlagRow>(
      `SELECT ${FLAG_COLUMNS} FROM appeal_flags f WHERE f.id = $1 AND f.appeal_id = $2 FOR UPDATE`,
      [flagId, appealId],
      tx,
    );
  }

  find(tx: Db, flagId: string): Promise<FlagRow | undefined> {
    return this.one<FlagRow>(`SELECT ${FLAG_COLUMNS} FROM appeal_flags f WHERE f.id = $1`, [flagId], tx);
  }

  async decide(tx: Db, flagId: string, decision: 'confirmed' | 'dismissed', userId: string): Promise<void> {
    await this.rows(
      `UPDATE appeal_flags SET status = $2, decided_by = $3, decided_at = now() WHERE id = $1`,
      [flagId, decision, userId],
      tx,
    );
  }

  /** Is the appeal there and within the scope (locked when asked)? */
  async appealVisible(
    appealId: string,
    scope: AccessScope,
    options: { db?: Db; lock?: boolean } = {},
  ): Promise<boolean> {
    const params: unknown[] = [appealId];
    const scoped = appealScopeSql(scope, params);
    const row = await this.one(
      `SELECT a.id FROM appeals a WHERE a.id = $1 AND ${scoped} ${options.lock ? 'FOR UPDATE OF a' : ''}`,
      params,
      options.db,
    );
    return row !== undefined;
  }
}
