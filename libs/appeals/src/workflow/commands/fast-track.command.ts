import { Injectable } from '@nestjs/common';
import { AppConfig } from '@inbox/config';
import { fastTrackTerm, localDateOf, ProductionCalendar } from '@inbox/deadlines';
import { OPEN_STATUSES } from '../../appeal-status';
import { AppealPartsRepository } from '../../repositories/appeal-parts.repository';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { requireLine1 } from '../rules';
import { WorkflowError } from '../workflow-error';

const ALREADY = 'Обращение уже рассматривается в ускоренном порядке';
const EXTENDED = 'Срок обращения продлён: ускоренное рассмотрение к нему уже не назначить';
const NOT_OPEN = 'Рассмотрение обращения завершено: ускоренное рассмотрение не назначить';

/**
 * Fast-track by a person: line 1 or a supervisor sees an urgency the region's rules missed (a burst pipe in
 * words no rule lists) and puts the appeal on the fast-track term, 10 days from registration (R4), with the
 * reason on record — what the classification pass does on a rule's match, by hand.
 */
@Injectable()
export class FastTrackCommand {
  private readonly calendar = ProductionCalendar.russian();

  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
    private readonly config: AppConfig,
  ) {}

  async execute(appealId: string, actor: Actor, reason: string, now = new Date()): Promise<void> {
    await this.change.run(appealId, actor, 'fast-track', async ({ tx, appeal: a, record }) => {
      requireLine1(actor);
      if (a.fast_track) throw new WorkflowError('conflict', ALREADY);
      if (!OPEN_STATUSES.includes(a.status)) throw new WorkflowError('conflict', NOT_OPEN);
      if (a.extended) throw new WorkflowError('conflict', EXTENDED);
      const term = fastTrackTerm(a, this.config, this.calendar);
      // Never a later term than the one it had (a message's own term may be the shorter), never one already past
      // (an urgency seen on the 25th day would be overdue at once, a violation nobody committed), and not on a
      // reopened appeal, whose term runs from its reopening: marked fast-track, it keeps its term.
      const shorter =
        term.answerDueDate < a.answer_due_date &&
        term.answerDueDate >= localDateOf(now, a.time_zone) &&
        Number(a.reopen_count) === 0;
      if (shorter) await this.parts.followAnswerTerm(tx, a.id, term.answerDueAt);
      await this.appeals.update(tx, a.id, {
        fastTrack: true,
        ...(shorter
          ? {
              answerDueDate: term.answerDueDate,
              answerDueAt: term.answerDueAt,
              deadlineWarnings: JSON.stringify(term.warnings),
            }
          : {}),
      });
      await record('fast-tracked', {
        reason,
        termDays: term.termDays,
        answerDueDate: shorter ? term.answerDueDate : a.answer_due_date,
        ...(shorter ? {} : { termKept: true }),
      });
    });
  }
}
