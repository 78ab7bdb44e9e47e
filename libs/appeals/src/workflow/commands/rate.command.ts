import { Injectable } from '@nestjs/common';
import { AppConfig } from '@inbox/config';
import { computeAppealDeadlines, ProductionCalendar } from '@inbox/deadlines';
import { AppealStatus, canTransition } from '../../appeal-status';
import { AnswersRepository } from '../../repositories/answers.repository';
import { AppealPartsRepository } from '../../repositories/appeal-parts.repository';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { RatingsRepository } from '../../repositories/ratings.repository';
import { type Actor, isPoorRating, type RatingInput } from '../actor';
import { AppealChange } from '../appeal-change';
import { WorkflowRules } from '../rules';

export interface RatingOutcome {
  duplicate: boolean;
  poor: boolean;
  reopenedAt?: string;
}

/**
 * A rating from any channel (S4 п. 27.3, or the channel's scale). A poor one reopens the appeal at the
 * superior organisation of the one whose answer was rated (S3), with a fresh term, and is recorded for
 * the analysis of repeated low ratings (S3 п. 3.3.4). Idempotent on channel + external id.
 */
@Injectable()
export class RateCommand {
  private readonly calendar = ProductionCalendar.russian();

  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
    private readonly answers: AnswersRepository,
    private readonly ratings: RatingsRepository,
    private readonly rules: WorkflowRules,
    private readonly config: AppConfig,
  ) {}

  async execute(
    appealId: string,
    rating: RatingInput,
    actor: Actor,
    now = new Date(),
  ): Promise<RatingOutcome> {
    return this.change.run(appealId, actor, 'rate', async ({ tx, appeal: a, record }) => {
      const poor = isPoorRating(rating);
      const answer = await this.answers.lastSent(tx, a.id);
      const ratingId = await this.ratings.insert(tx, {
        appealId: a.id,
        answerId: answer?.id ?? null,
        channel: rating.channel,
        externalId: rating.externalId,
        answered: rating.answered ?? null,
        satisfaction: rating.satisfaction ?? null,
        channelScore: rating.channelScore ?? null,
        poor,
        receivedAt: now,
      });
      if (!ratingId) return { duplicate: true, poor: false };
      await record('rated', {
        ratingId,
        answered: rating.answered ?? null,
        satisfaction: rating.satisfaction ?? null,
        channelScore: rating.channelScore ?? null,
        poor,
      });
      if (!poor || !canTransition(a.status, AppealStatus.Reopened)) return { duplicate: false, poor };
      const ratedOrgId = answer?.organisation_id ?? a.organisation_id;
      const [rated] = await this.rules.organisations(tx, [ratedOrgId]);
      const superior = rated.parent_id ? (await this.rules.organisations(tx, [rated.parent_id]))[0] : rated;
      const deadlines = computeAppealDeadlines({
        receivedAt: now,
        registeredAt: now,
        fastTrack: a.fast_track,
        timeZone: superior.time_zone,
        calendar: this.calendar,
        lastDayRule: this.config.lastDayRule,
        answerDays: this.config.answerDays,
        fastTrackDays: this.config.fastTrackDays,
      });
      await this.appeals.update(tx, a.id, {
        status: AppealStatus.Reopened,
        organisationId: superior.id,
        timeZone: superior.time_zone,
        answerDueDate: deadlines.answerDueDate,
        answerDueAt: deadlines.answerDueAt,
        extended: false,
        extensionReason: null,
        assigneeId: null,
        answeredAt: null,
        closedAt: null,
        line: 2,
      });
      await this.appeals.countReopening(tx, a.id);
      await this.parts.makeResponsible(tx, a.id, superior.id, now, deadlines.answerDueAt);
      await this.ratings.recordPoor(tx, {
        appealId: a.id,
        ratingId,
        answerId: answer?.id ?? null,
        organisationId: ratedOrgId,
        topicId: a.topic_id,
        superiorOrganisationId: superior.id,
      });
      await record('reopened', {
        reason: 'poor-rating',
        ratingId,
        fromOrganisationId: ratedOrgId,
        toOrganisationId: superior.id,
        answerDueDate: deadlines.answerDueDate,
        answerDueAt: deadlines.answerDueAt,
      });
      return { duplicate: false, poor, reopenedAt: superior.id };
    });
  }
}
