import { Injectable } from '@nestjs/common';
import { type Db } from './db';

export interface NewRating {
  appealId: string;
  answerId: string | null;
  channel: string;
  externalId: string;
  answered: boolean | null;
  satisfaction: string | null;
  channelScore: { value: number; max: number } | null;
  poor: boolean;
  receivedAt: Date;
  comment: string | null;
}

/** A rating's kind, as the dashboard counts it and the list filters by it. */
export const RATING_KINDS = ['satisfied', 'partially', 'not-satisfied', 'not-answered', 'score'] as const;
export type RatingKind = (typeof RATING_KINDS)[number];

/** The kind of the rating row `r` (one of RATING_KINDS): no answer to the question first, else the satisfaction. */
export function ratingKindSql(r: string): string {
  return `CASE WHEN ${r}.answered IS FALSE THEN 'not-answered' ELSE COALESCE(${r}.satisfaction, 'score') END`;
}

/**
 * Applicants' ratings of answers (`ratings`) and the record of poor ones (`poor_rating_records`).
 */
@Injectable()
export class RatingsRepository {
  /** The new rating's id, or undefined when the same channel + external id was already stored. */
  async insert(tx: Db, r: NewRating): Promise<string | undefined> {
    const inserted = (await tx.query(
      `INSERT INTO ratings (appeal_id, answer_id, channel, external_id, answered, satisfaction, channel_score, poor,
         received_at, comment) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
       ON CONFLICT (channel, external_id) DO NOTHING RETURNING id`,
      [
        r.appealId,
        r.answerId,
        r.channel,
        r.externalId,
        r.answered,
        r.satisfaction,
        r.channelScore,
        r.poor,
        r.receivedAt,
        r.comment,
      ],
    )) as { id: string }[];
    return inserted[0]?.id;
  }

  /**
   * Whether the answer already has this rating: each of its questions (answered? satisfied? the channel's
   * score) is asked once per answer; the two questions of S4 п. 27.3 may come as two presses.
   */
  async isAnswerRated(
    tx: Db,
    answerId: string,
    asks: { answered: boolean; satisfaction: boolean; channelScore: boolean },
  ): Promise<boolean> {
    const rows = (await tx.query(
      `SELECT 1 FROM ratings WHERE answer_id = $1
          AND (($2 AND answered IS NOT NULL) OR ($3 AND satisfaction IS NOT NULL) OR ($4 AND channel_score IS NOT NULL))
        LIMIT 1`,
      [answerId, asks.answered, asks.satisfaction, asks.channelScore],
    )) as unknown[];
    return rows.length > 0;
  }

  async isDuplicate(tx: Db, channel: string, externalId: string): Promise<boolean> {
    const rows = (await tx.query(`SELECT 1 FROM ratings WHERE channel = $1 AND external_id = $2`, [
      channel,
      externalId,
    ])) as unknown[];
    return rows.length > 0;
  }

  /**
   * Whether a rating through a channel comes from the applicant: the appeal came through that channel, and
   * the rater is its applicant there (same user) or writes from the appeal's own conversation (same chat).
   */
  async isApplicant(
    tx: Db,
    appealId: string,
    channel: string,
    rater: { externalId?: string; threadKey?: string },
  ): Promise<boolean> {
    const rows = (await tx.query(
      `SELECT 1 FROM appeals a JOIN applicants p ON p.id = a.applicant_id
        WHERE a.id = $1 AND a.channel = $2
          AND (($3::text IS NOT NULL AND p.external_id = $3::text)
            OR ($4::text IS NOT NULL AND EXISTS (SELECT 1 FROM appeal_threads t
                  WHERE t.appeal_id = a.id AND t.channel = $2 AND t.thread_key = $4::text)))`,
      [appealId, channel, rater.externalId ?? null, rater.threadKey ?? null],
    )) as unknown[];
    return rows.length > 0;
  }

  async recordPoor(
    tx: Db,
    record: {
      appealId: string;
      ratingId: string;
      answerId: string | null;
      organisationId: string;
      topicId: string | null;
      superiorOrganisationId: string;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO poor_rating_records (appeal_id, rating_id, answer_id, organisation_id, topic_id,
         superior_organisation_id) VALUES ($1,$2,$3,$4,$5,$6)`,
      [
        record.appealId,
        record.ratingId,
        record.answerId,
        record.organisationId,
        record.topicId,
        record.superiorOrganisationId,
      ],
    );
  }
}
