import { Injectable } from '@nestjs/common';
import { type Db } from './db';

/**
 * What a personal link of an answer opens (`public_answer_links.purpose`): its rating page (an answer sent by e-mail), or
 * its files (an answer to a channel that carries none, OK).
 */
export type AnswerLinkPurpose = 'rating' | 'files';

/** A public link as its page shows it (`public_answer_links`). */
export interface PublicAnswerLinkRow {
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
 * The public links of answers (`public_answer_links`): each a random key, kept only as its SHA-256, for one answer
 * and one purpose — to rate it (an answer sent by e-mail) or to take its files (an answer to a channel that carries
 * none) — until it expires.
 */
@Injectable()
export class PublicAnswerLinksRepository {
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

  async insert(
    db: Db,
    purpose: AnswerLinkPurpose,
    links: { tokenHash: string; appealId: string; answerId: string; messageId: string; expiresAt: Date }[],
  ): Promise<void> {
    if (!links.length) return;
    await db.query(
      `INSERT INTO public_answer_links (token_hash, appeal_id, answer_id, outbound_message_id, expires_at, purpose)
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
  async link(
    db: Db,
    tokenHash: string,
    purpose: AnswerLinkPurpose,
  ): Promise<PublicAnswerLinkRow | undefined> {
    const [row] = (await db.query(
      `SELECT l.appeal_id AS "appealId", l.answer_id AS "answerId", a.registration_number AS "registrationNumber",
              o.short_name AS organisation, n.sent_at AS "sentAt", l.expires_at AS "expiresAt",
              a.time_zone AS "timeZone", EXISTS (SELECT 1 FROM ratings r WHERE r.answer_id = l.answer_id) AS rated
         FROM public_answer_links l JOIN appeals a ON a.id = l.appeal_id JOIN answers n ON n.id = l.answer_id
         JOIN organisations o ON o.id = n.organisation_id
        WHERE l.token_hash = $1 AND l.purpose = $2`,
      [tokenHash, purpose],
    )) as PublicAnswerLinkRow[];
    return row;
  }
}
