import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';

const LOAD_SQL = `SELECT a.id, a.registered_at, a.received_at, a.regime, a.channel, a.subject, a.text, a.address,
       a.territory_code, a.channel_category, a.topic_id, a.subtopic_id, a.fast_track, a.status, a.extended,
       a.time_zone, a.classification_state, a.incident_id, a.suggested_organisation_ids::text[] AS suggested,
       i.payload->'features' AS features,
       coalesce(trim(p.surname), '') <> '' AS has_surname,
       coalesce(trim(p.postal_address), '') <> '' AS has_postal_address,
       coalesce(trim(p.email), '') <> '' AS has_email
  FROM appeals a JOIN inbound_items i ON i.id = a.inbound_item_id JOIN applicants p ON p.id = a.applicant_id`;

/**
 * The end of a pass in an appeal's row (its route suggestions; classified_at: the first pass only), set by the
 * pass's first write to the row, so that the row is written once (issue 18: each write of an `appeals` row adds
 * a version to every one of its indexes, the search GINs' expressions computed again, and runs its triggers).
 */
const PASS_DONE = `suggested_organisation_ids = v."organisationIds",
              classified_at = coalesce(a.classified_at, clock_timestamp())`;

/** An appeal's route suggestions, written with the end of its pass. */
export interface PassRoute {
  id: string;
  organisationIds: string[];
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
  incident_id: string | null;
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
    const candidates = await this.rows<{ id: string }>(
      `SELECT id FROM appeals WHERE classification_state = 'pending' AND classified_at IS NULL
        ORDER BY created_at LIMIT $1`,
      [limit * 10],
      tx,
    );
    if (candidates.length === 0) return [];
    // The array is scanned in order and the limit stops it: only the appeals returned are locked.
    const claimed = await this.rows<{ id: string }>(
      `SELECT c.id FROM unnest($1::uuid[]) AS c(id)
        WHERE pg_try_advisory_xact_lock(hashtextextended('classify:' || c.id::text, 0)) LIMIT $2`,
      [candidates.map((c) => c.id), limit],
      tx,
    );
    if (claimed.length === 0) return [];
    return this.rows<PipelineAppeal>(
      `${LOAD_SQL} WHERE a.id = ANY($1::uuid[]) AND a.classification_state = 'pending' AND a.classified_at IS NULL
        ORDER BY a.created_at`,
      [claimed.map((c) => c.id)],
      tx,
    );
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
   * A person chose the topic before the model got to it: that choice stands. With the end of the pass
   * (PASS_DONE); the ids confirmed.
   */
  async confirmPending(tx: Db, routes: PassRoute[]): Promise<Set<string>> {
    if (routes.length === 0) return new Set();
    const rows = await this.rows<{ id: string }>(
      `UPDATE appeals a SET classification_state = 'confirmed', ${PASS_DONE}
         FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, "organisationIds" uuid[])
        WHERE a.id = v.id AND a.classification_state = 'pending' RETURNING a.id`,
      [JSON.stringify(routes)],
      tx,
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * The model's topics, unless a person or another pass got there first, with the end of the pass (PASS_DONE);
   * the ids where applied.
   */
  async applyAuto(
    tx: Db,
    topics: (PassRoute & {
      topicId: string | null;
      subtopicId: string | null;
      typicalNeed: string | null;
      confidence: number;
      modelId: string;
    })[],
  ): Promise<Set<string>> {
    if (topics.length === 0) return new Set();
    const rows = await this.rows<{ id: string }>(
      `UPDATE appeals a SET topic_id = v."topicId", subtopic_id = v."subtopicId",
              typical_need = coalesce(a.typical_need, v."typicalNeed"), classification_state = 'auto',
              classification_confidence = v.confidence, classifier_model_id = v."modelId",
              updated_at = now(), version = a.version + 1, ${PASS_DONE}
         FROM jsonb_to_recordset($1::jsonb)
              AS v(id uuid, "topicId" uuid, "subtopicId" uuid, "typicalNeed" text, confidence real, "modelId" uuid,
                   "organisationIds" uuid[])
        WHERE a.id = v.id AND a.classification_state = 'pending' AND a.topic_id IS NULL RETURNING a.id`,
      [JSON.stringify(topics)],
      tx,
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Into the manual classification queue, unless already classified, with the end of the pass (PASS_DONE); the
   * ids queued.
   */
  async queueManual(
    tx: Db,
    entries: (PassRoute & { confidence: number | null; modelId: string | null })[],
  ): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    const rows = await this.rows<{ id: string }>(
      `UPDATE appeals a SET classification_state = 'manual', classification_confidence = v.confidence,
              classifier_model_id = v."modelId", ${PASS_DONE}
         FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, confidence real, "modelId" uuid, "organisationIds" uuid[])
        WHERE a.id = v.id AND a.classification_state = 'pending' RETURNING a.id`,
      [JSON.stringify(entries)],
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

  /**
   * The route suggestions and the end of the pass (PASS_DONE) of the appeals the pass wrote nothing else to (a
   * pass again over classified ones, or a guard that did not hold).
   */
  async finishPass(tx: Db, routes: PassRoute[]): Promise<void> {
    if (routes.length === 0) return;
    await this.rows(
      `UPDATE appeals a SET ${PASS_DONE}
         FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, "organisationIds" uuid[])
        WHERE a.id = v.id`,
      [JSON.stringify(routes)],
      tx,
    );
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
