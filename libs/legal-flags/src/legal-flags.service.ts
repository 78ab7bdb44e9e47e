import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type AccessScope, AuditLog } from '@inbox/access';
import { conflictError, DomainError, notFoundError, UUID } from '@inbox/common';
import { type StemmedText } from '@inbox/text-classifier';
import { wordShingles } from '@inbox/text-classifier';
import {
  detectAnonymous,
  detectCourtDecision,
  detectOffensive,
  detectRepeated,
  detectSeveralTopics,
  LEGAL_FLAG_TEXT_RU,
  LegalFlag,
  type TopicSignal,
} from './legal-flags';

export interface FlagView {
  id: string;
  appealId: string;
  flag: LegalFlag;
  title: string;
  evidence: Record<string, unknown>;
  status: 'raised' | 'confirmed' | 'dismissed';
  decidedBy: string | null;
  decidedAt: Date | null;
  createdAt: Date;
}

export interface FlagSubject {
  appealId: string;
  regime: string;
  hasSurname: boolean;
  hasPostalAddress: boolean;
  hasEmail: boolean;
  text: StemmedText;
  shingles: ReadonlySet<string>;
  signals: readonly TopicSignal[];
  /** Top-level topic id → typical-need phrases of it found in the text. */
  keywordTopics: ReadonlyMap<string, string[]>;
}

const SCOPE_CONDITION =
  'EXISTS (SELECT 1 FROM appeal_organisations so WHERE so.appeal_id = a.id AND so.organisation_id = ANY($2))';

const FLAG_COLUMNS = `f.id, f.appeal_id AS "appealId", f.flag, f.evidence, f.status, f.decided_by AS "decidedBy",
  f.decided_at AS "decidedAt", f.created_at AS "createdAt"`;

/**
 * 59-ФЗ flags: raised with their evidence for a person to confirm or dismiss, never acted on automatically.
 * A decision is recorded in the appeal's history and the audit log; nothing else about the appeal changes.
 */
@Injectable()
export class LegalFlags {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  /** Runs every detector and raises what they found (once per appeal and flag). Returns the raised flags. */
  async detectAndRaise(
    subject: FlagSubject,
    options: { repeatedSimilarity: number; multiTopicConfidence: number },
  ) {
    const found: { flag: LegalFlag; evidence: Record<string, unknown> }[] = [];
    const anonymous = detectAnonymous(subject);
    if (anonymous) found.push({ flag: LegalFlag.Anonymous, evidence: anonymous });
    const offensive = detectOffensive(subject.text);
    if (offensive) found.push({ flag: LegalFlag.Offensive, evidence: offensive });
    const court = detectCourtDecision(subject.text);
    if (court) found.push({ flag: LegalFlag.CourtDecision, evidence: court });
    const several = detectSeveralTopics(subject.signals, subject.keywordTopics, options.multiTopicConfidence);
    if (several) found.push({ flag: LegalFlag.SeveralTopics, evidence: several });
    const earlier = (await this.dataSource.query(
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
        ORDER BY a2.registered_at DESC LIMIT 20`,
      [subject.appealId],
    )) as { id: string; registration_number: string; subject: string | null; text: string }[];
    const repeated = detectRepeated(
      subject.shingles,
      earlier.map((e) => ({
        id: e.id,
        registrationNumber: e.registration_number,
        shingles: wordShingles(e.subject ? `${e.subject}.\n${e.text}` : e.text),
      })),
      options.repeatedSimilarity,
    );
    if (repeated) found.push({ flag: LegalFlag.Repeated, evidence: repeated });
    return this.raise(subject.appealId, found);
  }

  async raise(
    appealId: string,
    found: { flag: LegalFlag; evidence: Record<string, unknown> }[],
  ): Promise<LegalFlag[]> {
    if (found.length === 0) return [];
    return this.dataSource.transaction(async (tx) => {
      const raised: LegalFlag[] = [];
      for (const f of found) {
        const [row] = (await tx.query(
          `INSERT INTO appeal_flags (appeal_id, flag, evidence) VALUES ($1, $2, $3)
           ON CONFLICT (appeal_id, flag) DO NOTHING RETURNING id`,
          [appealId, f.flag, f.evidence],
        )) as { id: string }[];
        if (!row) continue;
        raised.push(f.flag);
        await tx.query(
          `INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'legal-flag-raised', $2)`,
          [appealId, { flagId: row.id, flag: f.flag }],
        );
      }
      return raised;
    });
  }

  async list(appealId: string, scope: AccessScope): Promise<FlagView[]> {
    await this.assertVisible(this.dataSource.manager, appealId, scope);
    const rows = (await this.dataSource.query(
      `SELECT ${FLAG_COLUMNS} FROM appeal_flags f WHERE f.appeal_id = $1 ORDER BY f.created_at, f.flag`,
      [appealId],
    )) as Omit<FlagView, 'title'>[];
    return rows.map(withTitle);
  }

  /** A person's decision on a raised flag; a flag is decided once. */
  async decide(
    appealId: string,
    flagId: string,
    decision: 'confirmed' | 'dismissed',
    actor: { userId: string; scope: AccessScope },
    comment?: string,
  ): Promise<FlagView> {
    if (!UUID.test(flagId)) throw notFoundError('Признак не найден');
    const action = decision === 'confirmed' ? 'legal-flag.confirm' : 'legal-flag.dismiss';
    try {
      return await this.dataSource.transaction(async (tx) => {
        await this.assertVisible(tx, appealId, actor.scope, true);
        const [flag] = (await tx.query(
          `SELECT ${FLAG_COLUMNS} FROM appeal_flags f WHERE f.id = $1 AND f.appeal_id = $2 FOR UPDATE`,
          [flagId, appealId],
        )) as Omit<FlagView, 'title'>[];
        if (!flag) throw notFoundError('Признак не найден');
        if (flag.status !== 'raised') {
          throw conflictError(
            flag.status === 'confirmed' ? 'Признак уже подтверждён' : 'Признак уже отклонён',
          );
        }
        await tx.query(
          `UPDATE appeal_flags SET status = $2, decided_by = $3, decided_at = now() WHERE id = $1`,
          [flagId, decision, actor.userId],
        );
        await tx.query(`INSERT INTO appeal_events (appeal_id, type, actor, data) VALUES ($1, $2, $3, $4)`, [
          appealId,
          decision === 'confirmed' ? 'legal-flag-confirmed' : 'legal-flag-dismissed',
          actor.userId,
          { flagId, flag: flag.flag, ...(comment?.trim() ? { comment: comment.trim() } : {}) },
        ]);
        await tx.query(`UPDATE appeals SET updated_at = now(), version = version + 1 WHERE id = $1`, [
          appealId,
        ]);
        await this.audit.record(
          {
            userId: actor.userId,
            action,
            entityType: 'appeal',
            entityId: appealId,
            details: { flagId, flag: flag.flag },
          },
          tx,
        );
        const [after] = (await tx.query(`SELECT ${FLAG_COLUMNS} FROM appeal_flags f WHERE f.id = $1`, [
          flagId,
        ])) as Omit<FlagView, 'title'>[];
        return withTitle(after);
      });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not-found') {
        await this.audit.record({
          userId: actor.userId,
          action,
          entityType: 'appeal',
          entityId: UUID.test(appealId) ? appealId : null,
          outcome: 'denied',
        });
      }
      throw error;
    }
  }

  /** Out of scope and missing look the same (404). */
  private async assertVisible(db: EntityManager, appealId: string, scope: AccessScope, lock = false) {
    if (!UUID.test(appealId)) throw notFoundError('Обращение не найдено');
    const scoped = scope.organisationIds !== null;
    const rows = (await db.query(
      `SELECT a.id FROM appeals a WHERE a.id = $1 ${scoped ? `AND ${SCOPE_CONDITION}` : ''} ${lock ? 'FOR UPDATE' : ''}`,
      scoped ? [appealId, scope.organisationIds] : [appealId],
    )) as unknown[];
    if (rows.length === 0) throw notFoundError('Обращение не найдено');
  }
}

function withTitle(row: Omit<FlagView, 'title'>): FlagView {
  return { ...row, title: LEGAL_FLAG_TEXT_RU[row.flag] ?? row.flag };
}
