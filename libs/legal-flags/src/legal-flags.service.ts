import { Injectable } from '@nestjs/common';
import { type AccessScope, AuditLog, refusalOnRecord } from '@inbox/access';
import { AppealHistoryRepository, AppealsRepository } from '@inbox/appeals';
import { conflictError, notFoundError, UUID } from '@inbox/common';
import { type Db, Transactions } from '@inbox/database';
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
import { type EarlierAppealRow, type FlagRow, LegalFlagsRepository } from './legal-flags.repository';

/** A flag as staff see it: with its title in Russian. */
export interface FlagView extends FlagRow {
  title: string;
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

/** A flag a detector found on an appeal, with its evidence (LegalFlags.detectMany). */
export interface DetectedFlag {
  appealId: string;
  flag: LegalFlag;
  evidence: Record<string, unknown>;
}

/** A `legal-flag-raised` entry of an appeal's history, for the caller to append (LegalFlags.raiseMany). */
export interface FlagHistoryEvent {
  appealId: string;
  type: 'legal-flag-raised';
  data: { flagId: string; flag: LegalFlag };
}

/**
 * 59-ФЗ flags: raised with their evidence for a person to confirm or dismiss, never acted on automatically.
 * A decision is recorded in the appeal's history and the audit log; nothing else about the appeal changes.
 */
@Injectable()
export class LegalFlags {
  constructor(
    private readonly repository: LegalFlagsRepository,
    private readonly transactions: Transactions,
    private readonly history: AppealHistoryRepository,
    private readonly appeals: AppealsRepository,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Runs every detector on each appeal (one read of the applicants' earlier answered appeals) and returns what
   * it found, writing nothing: a caller that locks the appeals detects first, so no row lock waits on the read
   * (issue 18: a follow-up's touch of an appeal waited on the classification pass's whole transaction).
   */
  async detectMany(
    db: Db,
    subjects: FlagSubject[],
    options: { repeatedSimilarity: number; multiTopicConfidence: number },
  ): Promise<DetectedFlag[]> {
    if (subjects.length === 0) return [];
    const earlierOf = new Map<string, EarlierAppealRow[]>();
    for (const e of await this.repository.earlierAnswered(
      db,
      subjects.map((s) => s.appealId),
    )) {
      earlierOf.set(e.for_id, [...(earlierOf.get(e.for_id) ?? []), e]);
    }
    return subjects.flatMap((s) =>
      detectFlags(s, earlierOf.get(s.appealId) ?? [], options).map((f) => ({ appealId: s.appealId, ...f })),
    );
  }

  /**
   * Raises the detected flags (once per appeal and flag) in the caller's transaction, in one insert. Returns
   * the raised flags per appeal and their `legal-flag-raised` history events, which the caller appends in the
   * same transaction (the classification pass writes all of its history in one statement).
   */
  async raiseMany(
    tx: Db,
    found: DetectedFlag[],
  ): Promise<{ raised: Map<string, LegalFlag[]>; events: FlagHistoryEvent[] }> {
    const inserted = await this.repository.insert(tx, found);
    const idOf = new Map(inserted.map((r) => [`${r.appealId}:${r.flag}`, r.id]));
    const raised = new Map<string, LegalFlag[]>();
    const events: FlagHistoryEvent[] = [];
    for (const f of found) {
      const flagId = idOf.get(`${f.appealId}:${f.flag}`);
      if (!flagId) continue;
      raised.set(f.appealId, [...(raised.get(f.appealId) ?? []), f.flag]);
      events.push({ appealId: f.appealId, type: 'legal-flag-raised', data: { flagId, flag: f.flag } });
    }
    return { raised, events };
  }

  async list(appealId: string, scope: AccessScope): Promise<FlagView[]> {
    await this.assertVisible(appealId, scope);
    return (await this.repository.forAppeal(appealId, scope)).map(withTitle);
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
    // Out of scope (the 404, like no such appeal or flag) or a refusal of rights: on record as denied.
    return refusalOnRecord(
      this.audit,
      { userId: actor.userId, action, entityType: 'appeal', entityId: UUID.test(appealId) ? appealId : null },
      () =>
        this.transactions.run(async (tx) => {
          await this.assertVisible(appealId, actor.scope, { db: tx, lock: true });
          const flag = await this.repository.lock(tx, appealId, flagId);
          if (!flag) throw notFoundError('Признак не найден');
          if (flag.status !== 'raised') {
            throw conflictError(
              flag.status === 'confirmed' ? 'Признак уже подтверждён' : 'Признак уже отклонён',
            );
          }
          await this.repository.decide(tx, flagId, decision, actor.userId);
          await this.history.append(
            tx,
            appealId,
            decision === 'confirmed' ? 'legal-flag-confirmed' : 'legal-flag-dismissed',
            actor.userId,
            { flagId, flag: flag.flag, ...(comment?.trim() ? { comment: comment.trim() } : {}) },
          );
          // The appeal changed (its card shows the decision): a new version for those who cache it.
          await this.appeals.touch(tx, appealId);
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
          return withTitle((await this.repository.find(tx, flagId, actor.scope))!);
        }),
    );
  }

  /** Out of scope and missing look the same (404). */
  private async assertVisible(
    appealId: string,
    scope: AccessScope,
    options: { db?: Db; lock?: boolean } = {},
  ) {
    if (!UUID.test(appealId)) throw notFoundError('Обращение не найдено');
    if (!(await this.repository.appealVisible(appealId, scope, options))) {
      throw notFoundError('Обращение не найдено');
    }
  }
}

/** Every detector on one appeal, given the applicant's earlier answered appeals. */
function detectFlags(
  subject: FlagSubject,
  earlier: EarlierAppealRow[],
  options: { repeatedSimilarity: number; multiTopicConfidence: number },
): { flag: LegalFlag; evidence: Record<string, unknown> }[] {
  const found: { flag: LegalFlag; evidence: Record<string, unknown> }[] = [];
  const anonymous = detectAnonymous(subject);
  if (anonymous) found.push({ flag: LegalFlag.Anonymous, evidence: anonymous });
  const offensive = detectOffensive(subject.text);
  if (offensive) found.push({ flag: LegalFlag.Offensive, evidence: offensive });
  const court = detectCourtDecision(subject.text);
  if (court) found.push({ flag: LegalFlag.CourtDecision, evidence: court });
  const several = detectSeveralTopics(subject.signals, subject.keywordTopics, options.multiTopicConfidence);
  if (several) found.push({ flag: LegalFlag.SeveralTopics, evidence: several });
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
  return found;
}

function withTitle(row: FlagRow): FlagView {
  return { ...row, title: LEGAL_FLAG_TEXT_RU[row.flag] ?? row.flag };
}
