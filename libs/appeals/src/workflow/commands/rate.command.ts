import { Injectable } from '@nestjs/common';
import { AppConfig } from '@inbox/config';
import { computeAppealDeadlines, ProductionCalendar, russianLocalDate } from '@inbox/deadlines';
import { AppealStatus, canTransition } from '../../appeal-status';
import { AnswersRepository } from '../../repositories/answers.repository';
import { AppealPartsRepository } from '../../repositories/appeal-parts.repository';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { NotificationsRepository } from '../../repositories/notifications.repository';
import { RatingsRepository } from '../../repositories/ratings.repository';
import { type Actor, isPoorRating, type RatingInput } from '../actor';
import { AppealChange } from '../appeal-change';
import { mayRecordRating, WorkflowRules } from '../rules';
import { WorkflowError } from '../workflow-error';

export interface RatingOutcome {
  /** Not recorded: the same rating came again, or this answer was already rated. */
  duplicate: boolean;
  poor: boolean;
  /** The organisation the appeal was reopened at. */
  reopenedAt?: string;
  /** Not accepted: `not-applicant` (someone else), `already-rated` (the answer has its rating). */
  refused?: 'not-applicant' | 'already-rated';
}

export const NOTHING_TO_RATE = 'Ответ по обращению ещё не дан: оценить можно после ответа';
export const STAFF_RATING_REFUSED =
  'Оценку со слов заявителя вносит первая линия (ЕКЦ/ЦУР) или руководство региона, а не организация, давшая ответ';

/**
 * A rating from any channel (S4 п. 27.3, or the channel's scale), of the latest answer (or the one a rating link
 * names), once per answer and only by the applicant (through the channel of origin: the same user or chat). A poor one reopens the
 * appeal at the superior of the organisation whose answer was rated (S3) — one level further up each
 * round — with a fresh term, and is recorded for the analysis of repeated low ratings (S3 п. 3.3.4).
 * Refused before any answer. Idempotent on channel + external id.
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
    private readonly notifications: NotificationsRepository,
  ) {}

  async execute(
    appealId: string,
    rating: RatingInput,
    actor: Actor,
    now = new Date(),
  ): Promise<RatingOutcome> {
    return this.change.run(appealId, actor, 'rate', async ({ tx, appeal: a, record }) => {
      if (rating.via === 'staff' && !mayRecordRating(actor))
        throw new WorkflowError('forbidden', STAFF_RATING_REFUSED, undefined, { reason: 'role' });
      const poor = isPoorRating(rating);
      const comment = rating.comment?.trim() || null;
      // The citizen's words go into the history as `text`, as a follow-up's do: erased with them after retention.
      const said = comment ? { text: comment } : {};
      if (await this.ratings.isDuplicate(tx, rating.channel, rating.externalId))
        return { duplicate: true, poor };
      if (
        rating.via === 'channel' &&
        !(await this.ratings.isApplicant(tx, a.id, rating.channel, rating.rater ?? {}))
      ) {
        return { duplicate: false, poor, refused: 'not-applicant' };
      }
      const answer = rating.answerId
        ? await this.answers.sentOne(tx, a.id, rating.answerId)
        : await this.answers.lastSent(tx, a.id);
      if (!answer) throw new WorkflowError('conflict', NOTHING_TO_RATE);
      const asks = {
        answered: rating.answered !== undefined,
        satisfaction: rating.satisfaction !== undefined,
        channelScore: rating.channelScore !== undefined,
      };
      if (await this.ratings.isAnswerRated(tx, answer.id, asks)) {
        return { duplicate: true, poor, refused: 'already-rated' };
      }
      const ratingId = await this.ratings.insert(tx, {
        appealId: a.id,
        answerId: answer.id,
        channel: rating.channel,
        externalId: rating.externalId,
        answered: rating.answered ?? null,
        satisfaction: rating.satisfaction ?? null,
        channelScore: rating.channelScore ?? null,
        poor,
        receivedAt: now,
        comment,
      });
      if (!ratingId) return { duplicate: true, poor: false };
      await record('rated', {
        ratingId,
        answered: rating.answered ?? null,
        satisfaction: rating.satisfaction ?? null,
        channelScore: rating.channelScore ?? null,
        answerId: answer.id,
        poor,
        ...said,
      });
      if (!poor || !canTransition(a.status, AppealStatus.Reopened)) return { duplicate: false, poor };
      const ratedOrgId = answer.organisation_id;
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
        answerId: answer.id,
        organisationId: ratedOrgId,
        topicId: a.topic_id,
        superiorOrganisationId: superior.id,
      });
      // The superior learns of it at once (its fresh term runs). The citizen's words stay on the card, which the
      // retention sweep erases, not in a notification.
      await this.notifications.notify(tx, await this.notifications.organisationStaff(tx, superior.id), {
        kind: 'reopened',
        appealId: a.id,
        text:
          `Обращение № ${a.registration_number} направлено вам на повторное рассмотрение: заявитель ` +
          `неудовлетворительно оценил ответ (${rated.short_name}). Срок ответа — до ${russianLocalDate(deadlines.answerDueDate)}`,
      });
      await record('reopened', {
        reason: 'poor-rating',
        ratingId,
        fromOrganisationId: ratedOrgId,
        toOrganisationId: superior.id,
        answerDueDate: deadlines.answerDueDate,
        answerDueAt: deadlines.answerDueAt,
        // The superior reviews the answer again for this reason.
        ...said,
      });
      return { duplicate: false, poor, reopenedAt: superior.id };
    });
  }
}
