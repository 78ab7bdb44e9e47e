import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';

const LOAD_COLUMNS = `a.id, a.registered_at, a.received_at, a.regime, a.channel, a.subject, a.text, a.address,
       a.territory_code, a.channel_category, a.topic_id, a.subtopic_id, a.fast_track, a.status, a.extended,
       a.time_zone, a.classification_state, a.suggested_organisation_ids::text[] AS suggested,
       i.payload->'features' AS features,
       coalesce(trim(p.surname), '') <> '' AS has_surname,
       coalesce(trim(p.postal_address), '') <> '' AS has_postal_address,
       coalesce(trim(p.email), '') <> '' AS has_email`;
const LOAD_FROM = `FROM appeals a JOIN inbound_items i ON i.id = a.inbound_item_id JOIN applicants p ON p.id = a.applicant_id`;
const LOAD_SQL = `SELECT ${LOAD_COLUMNS} ${LOAD_FROM}`;

/**
 * $1 the ids a pass just claimed: their rows by primary key, with whether each is still pending (`pending`), in
 * the claim's order. The pending state is read, not asked for: asked for in the WHERE, it matched the partial
 * index of pending appeals, which is in the claim's order, and the planner walked that index testing each row's
 * id, so every pass read the whole backlog's rows (a burst of 2 000 pending: 2 000 rows and 1 961 buffers for a
 * batch of 50; by key 50 rows and 233).
 */
export const CLAIMED_SQL = `SELECT ${LOAD_COLUMNS},
       a.classification_state = 'pending' AND a.classified_at IS NULL AS pending
  ${LOAD_FROM} WHERE a.id = ANY($1::uuid[]) ORDER BY a.created_at`;

/** An appeal's route suggestions, written with the end of its pass. */
export interface PassRoute {
  id: string;
  organisationIds: string[];
}

/**
 * What a pass writes to one appeal's row, in one write (PipelineAppealsRepository.writePass): how it was
 * classified — `confirmed` (a person chose the topic first), `auto` (the model's topic), `manual` (the manual
 * queue), `unchanged` (a pass again over a classified appeal) —, its fast-track term if a rule matched, and
 * always its route suggestions and the end of its pass.
 */
export type PassWrite = PassRoute & {
  fastTrack?: { answerDueDate: string; answerDueAt: Date | string; warnings: unknown[] };
} & (
    | { classification: 'confirmed' | 'unchanged' }
    | { classification: 'manual'; confidence: number | null; modelId: string | null }
    | {
        classification: 'auto';
        topicId: string | null;
        subtopicId: string | null;
        typicalNeed: string | null;
        confidence: number;
        modelId: string;
      }
  );

/** What a pass decided on, as the appeal's row has it now (PipelineAppealsRepository.lockForPass). */
export interface PassBasis {
  id: string;
  classification_state: PipelineAppeal['classification_state'];
  topic_id: string | null;
  subtopic_id: string | null;
  fast_track: boolean;
  extended: boolean;
  status: string;
  text: string;
  subject: string | null;
}

/** What the pipeline reads of an appeal, its inbound item and its applicant. */
export interface PipelineAppeal {
  id: string;
  registered_at: Date;
  received_at: Date;
  regime: string;
  channel: string;
  subject: string | null;
  text: string;
  address: string | null;
  territory_code: string | null;
  channel_category: { id?: string; subcategoryId?: string } | null;
  topic_id: string | null;
  subtopic_id: string | null;
  fast_track: boolean;
  status: string;
  extended: boolean;
  time_zone: string;
  classification_state: 'pending' | 'auto' | 'manual' | 'confirmed';
  suggested: string[];
  features: Record<string, unknown> | null;
  has_surname: boolean;
  has_postal_address: boolean;
  has_email: boolean;
}

/**
 * The appeal columns the classification pipeline owns (classification state and confidence, the model, the
 * fast-track term, suggested organisations). Every write is guarded, so a retried job changes nothing twice.
 */
@Injectable()
export class PipelineAppealsRepository extends SqlRepository {
  load(appealId: string): Promise<PipelineAppeal | undefined> {
    return this.one<PipelineAppeal>(`${LOAD_SQL} WHERE a.id = $1`, [appealId]);
  }

  /**
   * These appeals, claimed as claimPending does (waiting for a pass that holds one) and their rows locked, in
   * id order so that two callers cannot deadlock on them.
   */
  async loadLocked(tx: Db, appealIds: string[]): Promise<PipelineAppeal[]> {
    await this.rows(
      `SELECT pg_advisory_xact_lock(hashtextextended('classify:' || id::text, 0))
         FROM unnest($1::uuid[]) AS id ORDER BY id`,
      [appealIds],
      tx,
    );
    return this.rows<PipelineAppeal>(
      `${LOAD_SQL} WHERE a.id = ANY($1::uuid[]) ORDER BY a.id FOR NO KEY UPDATE OF a`,
      [appealIds],
      tx,
    );
  }

  /**
   * Claims up to `limit` appeals the pipeline has not been through yet, oldest first, by a transaction-level
   * advisory lock each (a concurrent pass skips them, so no appeal is taken by two passes). The rows themselves
   * are not locked here: a follow-up or an acknowledgement may write to them while the pass computes; the pass
   * locks them (loadLocked) just before it writes and leaves out any that changed meanwhile.
   */
  async claimPending(tx: Db, limit: number): Promise<PipelineAppeal[]> {
    // The oldest pending appeals, tried in that order: the limit above the lock stops the scan, so only the
    // appeals returned are locked (a LIMIT is never crossed by the filter above it). One round trip, not two.
    const claimed = await this.rows<{ id: string }>(
      `SELECT c.id
         FROM (SELECT id FROM appeals WHERE classification_state = 'pending' AND classified_at IS NULL
                ORDER BY created_at LIMIT $1) AS c
        WHERE pg_try_advisory_xact_lock(hashtextextended('classify:' || c.id::text, 0)) LIMIT $2`,
      [limit * 10, limit],
      tx,
    );
    if (claimed.length === 0) return [];
    // A statement of its own, so a snapshot taken after the locks: an appeal another pass finished and let go
    // of a moment ago is seen done here, and left.
    const rows = await this.rows<PipelineAppeal & { pending: boolean }>(
      CLAIMED_SQL,
      [claimed.map((c) => c.id)],
      tx,
    );
    return rows.filter((r) => r.pending).map(({ pending: _, ...appeal }) => appeal);
  }

  /** Appeals still waiting for the pipeline after this long (their job was lost), oldest first. */
  async stalePending(olderThanMs: number, limit: number): Promise<string[]> {
    const rows = await this.rows<{ id: string }>(
      `SELECT id FROM appeals WHERE classification_state = 'pending' AND created_at < now() - $1 * interval '1 millisecond'
        ORDER BY created_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * The rows a pass is about to write, locked (`FOR NO KEY UPDATE`, in id order so that two callers cannot
   * deadlock on them) as they are now: what the pass decided on, for it to check that none changed since it
   * read them. The pass takes them after its other statements, just before its one write and its commit, so a
   * follow-up's touch of one of them waits for those two statements only.
   */
  lockForPass(tx: Db, appealIds: string[]): Promise<PassBasis[]> {
    return this.rows<PassBasis>(
      `SELECT id, classification_state, topic_id, subtopic_id, fast_track, extended, status, text, subject
         FROM appeals WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
      [appealIds],
      tx,
    );
  }

  /**
   * The whole pass's writes to its appeals' rows in one statement, each row written once (issue 18: a write
   * of an `appeals` row adds a version to every one of its indexes, the search GINs' expressions computed
   * again, and runs its row triggers): the classification (a person's topic confirmed, the model's topic, or
   * the manual queue — each only while the appeal is still pending, and the model's only while it has no
   * topic), the fast-track term (only on an appeal neither fast-tracked nor extended), the route suggestions
   * and `classified_at` (the first pass only). An appeal whose guard does not hold is not written at all;
   * returns the ids written. `updated_at` and `version` move with a new topic or term, as a person's would.
   */
  async writePass(tx: Db, writes: PassWrite[]): Promise<Set<string>> {
    if (writes.length === 0) return new Set();
    const rows = await this.rows<{ id: string }>(
      `UPDATE appeals a
          SET classification_state = CASE v.kind WHEN 'unchanged' THEN a.classification_state ELSE v.kind END,
              topic_id = CASE WHEN v.kind = 'auto' THEN v."topicId" ELSE a.topic_id END,
              subtopic_id = CASE WHEN v.kind = 'auto' THEN v."subtopicId" ELSE a.subtopic_id END,
              typical_need = CASE WHEN v.kind = 'auto' THEN coalesce(a.typical_need, v."typicalNeed")
                                  ELSE a.typical_need END,
              classification_confidence = CASE WHEN v.kind IN ('auto', 'manual') THEN v.confidence
                                               ELSE a.classification_confidence END,
              classifier_model_id = CASE WHEN v.kind IN ('auto', 'manual') THEN v."modelId"
                                         ELSE a.classifier_model_id END,
              fast_track = a.fast_track OR v."answerDueDate" IS NOT NULL,
              answer_due_date = coalesce(v."answerDueDate", a.answer_due_date),
              answer_due_at = coalesce(v."answerDueAt", a.answer_due_at),
              deadline_warnings = CASE WHEN v."answerDueDate" IS NULL THEN a.deadline_warnings ELSE v.warnings END,
              updated_at = CASE WHEN v.kind = 'auto' OR v."answerDueDate" IS NOT NULL THEN now() ELSE a.updated_at END,
              version = a.version + CASE WHEN v.kind = 'auto' OR v."answerDueDate" IS NOT NULL THEN 1 ELSE 0 END,
              suggested_organisation_ids = v."organisationIds",
              classified_at = coalesce(a.classified_at, clock_timestamp())
         FROM (SELECT v.*, v.classification AS kind, f."answerDueDate", f."answerDueAt", f.warnings
                 FROM jsonb_to_recordset($1::jsonb)
                      AS v(id uuid, classification text, "topicId" uuid, "subtopicId" uuid, "typicalNeed" text,
                           confidence real, "modelId" uuid, "organisationIds" uuid[], "fastTrack" jsonb)
                 LEFT JOIN LATERAL jsonb_to_record(v."fastTrack")
                      AS f("answerDueDate" date, "answerDueAt" timestamptz, warnings jsonb) ON true) v
        WHERE a.id = v.id
          AND CASE v.kind WHEN 'unchanged' THEN true
                          WHEN 'auto' THEN a.classification_state = 'pending' AND a.topic_id IS NULL
                          ELSE a.classification_state = 'pending' END
          AND (v."answerDueDate" IS NULL OR NOT (a.fast_track OR a.extended))
        RETURNING a.id`,
      [JSON.stringify(writes.map((w) => ({ ...w, fastTrack: w.fastTrack ?? null })))],
      tx,
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The fast-track terms, unless fast-tracked or extended already; the ids where applied. */
  async fastTrack(
    tx: Db,
    terms: { id: string; answerDueDate: string; answerDueAt: Date | string; warnings: unknown[] }[],
  ): Promise<Set<string>> {
    if (terms.length === 0) return new Set();
    const rows = await this.rows<{ id: string }>(
      `UPDATE appeals a SET fast_track = true, answer_due_date = v."answerDueDate", answer_due_at = v."answerDueAt",
              deadline_warnings = v.warnings, updated_at = now(), version = a.version + 1
         FROM jsonb_to_recordset($1::jsonb)
              AS v(id uuid, "answerDueDate" date, "answerDueAt" timestamptz, warnings jsonb)
        WHERE a.id = v.id AND NOT a.fast_track AND NOT a.extended RETURNING a.id`,
      [JSON.stringify(terms)],
      tx,
    );
    return new Set(rows.map((r) => r.id));
  }

  async setSuggested(appealId: string, organisationIds: string[]): Promise<void> {
    await this.rows(`UPDATE appeals SET suggested_organisation_ids = $2::uuid[] WHERE id = $1`, [
      appealId,
      organisationIds,
    ]);
  }

  /** A person's classification confirms the topic (when it is still the appeal's topic). */
  async confirmTopic(appealId: string, topicId: string | null): Promise<void> {
    await this.rows(
      `UPDATE appeals SET classification_state = 'confirmed'
        WHERE id = $1 AND classification_state <> 'confirmed' AND topic_id IS NOT DISTINCT FROM $2`,
      [appealId, topicId],
    );
  }

  async suggested(appealId: string): Promise<string[] | undefined> {
    const row = await this.one<{ suggested: string[] }>(
      `SELECT suggested_organisation_ids::text[] AS suggested FROM appeals WHERE id = $1`,
      [appealId],
    );
    return row?.suggested;
  }

  /** Who appended a history event ('system' for the system). */
  async eventActor(eventId: string): Promise<string | undefined> {
    return (await this.one<{ actor: string }>(`SELECT actor FROM appeal_events WHERE id = $1`, [eventId]))
      ?.actor;
  }

  /** The classification event before this one (the model's, the queue's, or a person's). */
  previousClassification(
    appealId: string,
    beforeEventId: string,
  ): Promise<{ type: string; data: Record<string, unknown> } | undefined> {
    return this.one(
      `SELECT type, data FROM appeal_events
        WHERE appeal_id = $1 AND id < $2 AND type IN ('auto-classified', 'classification-queued', 'classified')
        ORDER BY id DESC LIMIT 1`,
      [appealId, beforeEventId],
    );
  }
}
