import { type AccessScope, type Role } from '@inbox/access';

/** Who performs a workflow command, and what they may see. */
export interface Actor {
  userId: string;
  role: Role;
  organisationId: string;
  scope: AccessScope;
}

export type RatingInput = {
  channel: string;
  externalId: string;
  /**
   * Who rates: through a channel, the rater's user/chat there (only the applicant's own is accepted); on the
   * status page the access code was checked; staff record a rating the applicant gave them (by phone); a rating
   * link from an answer sent by e-mail was checked (its token names the answer).
   */
  via?: 'channel' | 'status-page' | 'staff' | 'link';
  /** The answer rated, where the way of rating names one (a rating link); else the latest answer sent. */
  answerId?: string;
  rater?: { externalId?: string; threadKey?: string };
  answered?: boolean;
  satisfaction?: 'satisfied' | 'partially' | 'not-satisfied';
  channelScore?: { value: number; max: number };
  /** What the citizen said with the rating (their reason, for a poor one): shown to staff, never in logs. */
  comment?: string;
};

/** A rating is poor when the question was not answered, the applicant is not satisfied, or a low score. */
export function isPoorRating(r: Pick<RatingInput, 'answered' | 'satisfaction' | 'channelScore'>): boolean {
  if (r.answered === false || r.satisfaction === 'not-satisfied') return true;
  return !!r.channelScore && r.channelScore.max > 0 && r.channelScore.value / r.channelScore.max <= 0.4;
}
