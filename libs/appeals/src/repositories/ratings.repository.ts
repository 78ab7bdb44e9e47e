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
 * What a personal link of an answer opens (`rating_links.purpose`): its rating page (an answer sent by e-mail), or
 * its files (an answer to a channel that carries none, OK).
 */
export type AnswerLinkPurpose = 'rating' | 'files';

/** A rating link as its page shows it (`rating_links`). */
export interface RatingLinkRow {
  appealId: string;
  answerId: string;
  registrationNumber: string;
  organisation: string;
  sentAt: Date;
  expiresAt: Date;
  /** The answer has its rating already (through any way). */
  rated: boolean;
  /** The appeal's IANA zone: the answer's date is read in it. */
  timeZone: string;
}

/**
 * Applicants' ratings of answers (`ratings`), the record of poor ones (`poor_rating_records`) and the links that
 * let a citizen answered by e-mail rate an answer (`rating_links`, by the SHA-256 of the token).
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

  /** The answers an outbound message brings, in order, with the answering organisation's short name. */
  async answersOfMessage(db: Db, messageId: string): Promise<{ answerId: string; organisation: string }[]> {
    return (await db.query(
      `SELECT n.id AS "answerId", o.short_name AS organisation
         FROM outbound_message_answers x JOIN answers n ON n.id = x.answer_id
         JOIN organisations o ON o.id = n.organisation_id
        WHERE x.outbound_message_id = $1 ORDER BY x.position`,
      [messageId],
    )) as { answerId: string; organisation: string }[];
  }

  async insertLinks(
    db: Db,
    purpose: AnswerLinkPurpose,
    links: { tokenHash: string; appealId: string; answerId: string; messageId: string; expiresAt: Date }[],
  ): Promise<void> {
    if (!links.length) return;
    await db.query(
      `INSERT INTO rating_links (token_hash, appeal_id, answer_id, outbound_message_id, expires_at, purpose)
       SELECT *, $6 FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[])`,
      [
        links.map((l) => l.tokenHash),
        links.map((l) => l.appealId),
        links.map((l) => l.answerId),
        links.map((l) => l.messageId),
        links.map((l) => l.expiresAt),
        purpose,
      ],
    );
  }

  /** The link of this key made for `purpose`: a key made for another purpose is none. */
  async link(db: Db, tokenHash: string, purpose: AnswerLinkPurpose): Promise<RatingLinkRow | undefined> {
    const [row] = (await db.query(
      `SELECT l.appeal_id AS "appealId", l.answer_id AS "answerId", a.registration_number AS "registrationNumber",
              o.short_name AS organisation, n.sent_at AS "sentAt", l.expires_at AS "expiresAt",
              a.time_zone AS "timeZone", EXISTS (SELECT 1 FROM ratings r WHERE r.answer_id = l.answer_id) AS rated
         FROM rating_links l JOIN appeals a ON a.id = l.appeal_id JOIN answers n ON n.id = l.answer_id
         JOIN organisations o ON o.id = n.organisation_id
        WHERE l.token_hash = $1 AND l.purpose = $2`,
      [tokenHash, purpose],
    )) as RatingLinkRow[];
    return row;
  }
}
