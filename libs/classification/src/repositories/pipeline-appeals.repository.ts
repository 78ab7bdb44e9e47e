import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';

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
    return this.one<PipelineAppeal>(
      `SELECT a.id, a.registered_at, a.received_at, a.regime, a.channel, a.subject, a.text, a.address, a.territory_code,
              a.channel_category, a.topic_id, a.subtopic_id, a.fast_track, a.status, a.extended, a.time_zone,
              a.classification_state, a.incident_id, a.suggested_organisation_ids::text[] AS suggested,
              i.payload->'features' AS features,
              coalesce(trim(p.surname), '') <> '' AS has_surname,
              coalesce(trim(p.postal_address), '') <> '' AS has_postal_address,
              coalesce(trim(p.email), '') <> '' AS has_email
         FROM appeals a JOIN inbound_items i ON i.id = a.inbound_item_id JOIN applicants p ON p.id = a.applicant_id
        WHERE a.id = $1`,
      [appealId],
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

  /** A person chose the topic before the model got to it: that choice stands. */
  async confirmPending(appealId: string): Promise<void> {
    await this.rows(
      `UPDATE appeals SET classification_state = 'confirmed' WHERE id = $1 AND classification_state = 'pending'`,
      [appealId],
    );
  }

  /** The model's topic, unless a person or another pass got there first; true when applied. */
  async applyAuto(
    tx: Db,
    appealId: string,
    topic: {
      topicId: string | null;
      subtopicId: string | null;
      typicalNeed: string | null;
      confidence: number;
      modelId: string;
    },
  ): Promise<boolean> {
    const rows = await this.rows(
      `UPDATE appeals SET topic_id = $2, subtopic_id = $3, typical_need = coalesce(typical_need, $4),
              classification_state = 'auto', classification_confidence = $5, classifier_model_id = $6,
              updated_at = now(), version = version + 1
        WHERE id = $1 AND classification_state = 'pending' AND topic_id IS NULL RETURNING id`,
      [appealId, topic.topicId, topic.subtopicId, topic.typicalNeed, topic.confidence, topic.modelId],
      tx,
    );
    return rows.length > 0;
  }

  /** Into the manual classification queue, unless already classified; true when queued. */
  async queueManual(
    tx: Db,
    appealId: string,
    info: { confidence: number | null; modelId: string | null },
  ): Promise<boolean> {
    const rows = await this.rows(
      `UPDATE appeals SET classification_state = 'manual', classification_confidence = $2, classifier_model_id = $3
        WHERE id = $1 AND classification_state = 'pending' RETURNING id`,
      [appealId, info.confidence, info.modelId],
      tx,
    );
    return rows.length > 0;
  }

  /** The fast-track term, unless fast-tracked or extended already; true when applied. */
  async fastTrack(
    tx: Db,
    appealId: string,
    deadlines: { answerDueDate: string; answerDueAt: Date | string; warnings: unknown[] },
  ): Promise<boolean> {
    const rows = await this.rows(
      `UPDATE appeals SET fast_track = true, answer_due_date = $2, answer_due_at = $3, deadline_warnings = $4,
              updated_at = now(), version = version + 1
        WHERE id = $1 AND NOT fast_track AND NOT extended RETURNING id`,
      [appealId, deadlines.answerDueDate, deadlines.answerDueAt, JSON.stringify(deadlines.warnings)],
      tx,
    );
    return rows.length > 0;
  }

  /** The route suggestion and the end of the pass in one write (classified_at: the first pass only). */
  async finishPass(appealId: string, organisationIds: string[]): Promise<void> {
    await this.rows(
      `UPDATE appeals SET suggested_organisation_ids = $2::uuid[],
              classified_at = coalesce(classified_at, clock_timestamp())
        WHERE id = $1`,
      [appealId, organisationIds],
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
