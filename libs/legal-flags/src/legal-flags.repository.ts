import { Injectable } from '@nestjs/common';
import { type AccessScope, appealScopeSql } from '@inbox/access';
import { flagEvidenceSql } from '@inbox/appeals';
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
  /** The appeal this one is earlier than. */
  for_id: string;
  id: string;
  registration_number: string;
  subject: string | null;
  text: string;
}

/** A flag's columns but its evidence, which each read takes as its reader may see it (flagEvidenceSql). */
const FLAG_COLUMNS = `f.id, f.appeal_id AS "appealId", f.flag, f.status, f.decided_by AS "decidedBy",
  f.decided_at AS "decidedAt", f.created_at AS "createdAt"`;

/**
 * $1 appeal ids, $2 the limit: for each, the applicant's answered or closed appeals registered before it (see
 * `earlierAnswered`). Newest first per applicant (appeals_applicant_idx), then across them: one walk of the whole
 * registration order, filtered by applicant, took minutes at 10 M appeals (test/integration/earlier-answered-plan).
 */
export const EARLIER_ANSWERED_SQL = `
        SELECT me.id AS for_id, e.id, e.registration_number, e.subject, e.text
         FROM (SELECT a.id, a.applicant_id, a.registered_at, lower(p.email) AS email
                 FROM appeals a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = ANY($1::uuid[])) me
        CROSS JOIN LATERAL (
          SELECT x.* FROM (SELECT me.applicant_id AS applicant_id
                           UNION SELECT p.id FROM applicants p
                                  WHERE me.email IS NOT NULL AND lower(p.email) = me.email) who
          CROSS JOIN LATERAL (
            SELECT a2.id, a2.registration_number, a2.subject, a2.text, a2.registered_at
              FROM appeals a2
             WHERE a2.applicant_id = who.applicant_id AND a2.id <> me.id AND a2.registered_at <= me.registered_at
               AND a2.status IN ('answered', 'closed')
             ORDER BY a2.registered_at DESC LIMIT $2) x
           ORDER BY x.registered_at DESC LIMIT $2) e
        ORDER BY me.id, e.registered_at DESC`;

/** The `appeal_flags` table, and what the detectors read of an appeal and its applicant. */
@Injectable()
export class LegalFlagsRepository extends SqlRepository {
  /**
   * For each appeal: the applicant's answered or closed appeals registered before it (the same applicant, or
   * one with the same e-mail), newest first, up to `limit` each.
   */
  earlierAnswered(db: Db, appealIds: string[], limit = 20): Promise<EarlierAppealRow[]> {
    return this.rows<EarlierAppealRow>(EARLIER_ANSWERED_SQL, [appealIds, limit], db);
  }

  /** Raises the flags the appeals do not have yet (one statement); returns those raised. */
  insert(
    tx: Db,
    flags: { appealId: string; flag: LegalFlag; evidence: Record<string, unknown> }[],
  ): Promise<{ id: string; appealId: string; flag: LegalFlag }[]> {
    if (flags.length === 0) return Promise.resolve([]);
    return this.rows(
      `INSERT INTO appeal_flags (appeal_id, flag, evidence)
       SELECT (f.x->>'appealId')::uuid, f.x->>'flag', f.x->'evidence'
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS f(x, n) ORDER BY f.n
       ON CONFLICT (appeal_id, flag) DO NOTHING RETURNING id, appeal_id AS "appealId", flag`,
      [JSON.stringify(flags)],
      tx,
    );
  }

  /** The appeal's flags, their evidence as the scope may read it (flagEvidenceSql). */
  forAppeal(appealId: string, scope: AccessScope): Promise<FlagRow[]> {
    const params: unknown[] = [appealId];
    return this.rows<FlagRow>(
      `SELECT ${FLAG_COLUMNS}, ${flagEvidenceSql(scope, params)} AS evidence
         FROM appeal_flags f WHERE f.appeal_id = $1 ORDER BY f.created_at, f.flag`,
      params,
    );
  }

  lock(tx: Db, appealId: string, flagId: string): Promise<FlagRow | undefined> {
    return this.one<FlagRow>(
      `SELECT ${FLAG_COLUMNS}, f.evidence FROM appeal_flags f WHERE f.id = $1 AND f.appeal_id = $2 FOR UPDATE`,
      [flagId, appealId],
      tx,
    );
  }

  find(tx: Db, flagId: string, scope: AccessScope): Promise<FlagRow | undefined> {
    const params: unknown[] = [flagId];
    return this.one<FlagRow>(
      `SELECT ${FLAG_COLUMNS}, ${flagEvidenceSql(scope, params)} AS evidence FROM appeal_flags f WHERE f.id = $1`,
      params,
      tx,
    );
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
