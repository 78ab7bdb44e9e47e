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
}

/** Applicants' ratings of answers (`ratings`) and the record of poor ones (`poor_rating_records`). */
@Injectable()
export class RatingsRepository {
  /** The new rating's id, or undefined when the same channel + external id was already stored. */
  async insert(tx: Db, r: NewRating): Promise<string | undefined> {
    const inserted = (await tx.query(
      `INSERT INTO ratings (appeal_id, answer_id, channel, external_id, answered, satisfaction, channel_score, poor,
         received_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (channel, external_id) DO NOTHING RETURNING id`,
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
      ],
    )) as { id: string }[];
    return inserted[0]?.id;
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
