import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Role } from '@inbox/access';
import { AppConfig } from '@inbox/config';
import {
  DeadlineRuleError,
  extendAnswerDeadline,
  ProductionCalendar,
  russianLocalDate,
} from '@inbox/deadlines';
import { extensionNoticeRu } from '../../applicant-texts';
import { AppealStatus } from '../../appeal-status';
import { AppealPartsRepository } from '../../repositories/appeal-parts.repository';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { type Db } from '../../repositories/db';
import { WorkflowReferencesRepository } from '../../repositories/workflow-references.repository';
import { type Actor } from '../actor';
import { russianDate } from '../answer-template';
import { AppealChange, type ChangeContext } from '../appeal-change';
import { assertTransition, NOT_AT_YOUR_ORGANISATION, requireCaseworker } from '../rules';
import { WorkflowError } from '../workflow-error';

export type ExtendInput =
  | { kind: 'appeal'; days: number; reason: string }
  | { kind: 'line2'; until: Date; reason: string };

const ONCE = 'Срок уже продлевался: 59-ФЗ допускает одно продление';
const HEAD_DECIDES = 'Продление срока по 59-ФЗ предоставляет руководитель подразделения';
const NOT_AN_APPEAL =
  'Это сообщение, а не обращение по 59-ФЗ: срок по 59-ФЗ к нему не применяется и не продлевается';

/**
 * Extension. The appeal's own term: once, by up to 30 days, with a reason and a notice to the applicant
 * (59-ФЗ ст. 12 ч. 2). A line-2 request: to at most 5 working days from receipt (S1).
 */
@Injectable()
export class ExtendCommand {
  private readonly calendar = ProductionCalendar.russian();

  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
    private readonly config: AppConfig,
    private readonly references: WorkflowReferencesRepository,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * The answer term an extension by `days` would give (the dialog shows it before the head confirms), or the
   * refusal the extension itself would meet; undefined when the appeal lies outside the scope.
   */
  async preview(
    appealId: string,
    actor: Actor,
    days: number,
  ): Promise<{ answerDueDate: string; answerDueAt: Date; refusal?: string } | undefined> {
    const row = await this.appeals.cardRow(appealId, actor.scope);
    if (!row) return undefined;
    const { answerDueDate, answerDueAt } = this.extendedTerm(
      {
        answer_due_date: row.answer_due_date as string,
        time_zone: row.time_zone as string,
        extended: row.extended as boolean,
      },
      days,
    );
    // Said before the clerk fills the dialog in, not after «Продлить».
    const refusal =
      row.regime !== 'appeal'
        ? NOT_AN_APPEAL
        : (await this.headDecides(this.dataSource.manager, actor))
          ? HEAD_DECIDES
          : undefined;
    return { answerDueDate, answerDueAt, ...(refusal ? { refusal } : {}) };
  }

  async execute(appealId: string, actor: Actor, input: ExtendInput): Promise<void> {
    await this.change.run(appealId, actor, 'extend', (context) => {
      requireCaseworker(actor);
      return input.kind === 'line2' ? this.line2(context, input) : this.appeal(context, input);
    });
  }

  private async line2(
    { tx, appeal: a, actor, record }: ChangeContext,
    input: Extract<ExtendInput, { kind: 'line2' }>,
  ): Promise<void> {
    const part = await this.parts.activeLine2(tx, a.id, actor.organisationId);
    if (!part) throw new WorkflowError('conflict', NOT_AT_YOUR_ORGANISATION);
    if (input.until.getTime() <= new Date(part.due_at).getTime()) {
      throw new WorkflowError('invalid-input', 'Новый срок должен быть позже текущего', {
        until: 'Позже текущего срока',
      });
    }
    if (input.until.getTime() > new Date(part.extension_limit_at).getTime()) {
      throw new WorkflowError(
        'conflict',
        'Продлить можно не более чем до 5 рабочих дней с момента поступления запроса',
        { until: `Не позднее ${russianDate(part.extension_limit_at, a.time_zone)}` },
      );
    }
    await this.parts.extendLine2(tx, a.id, actor.organisationId, input.until, input.reason);
    await record('line2-extended', {
      organisationId: actor.organisationId,
      until: input.until,
      reason: input.reason,
    });
  }

  /** The 59-ФЗ extension is the head's decision where the organisation has one. */
  private async headDecides(db: Db, actor: Actor): Promise<boolean> {
    if (actor.role !== Role.Clerk && actor.role !== Role.Operator) return false;
    return this.references.hasHead(db, actor.organisationId);
  }

  private async appeal(
    { tx, appeal: a, actor, record, notifyApplicant }: ChangeContext,
    input: Extract<ExtendInput, { kind: 'appeal' }>,
  ): Promise<void> {
    // A message outside 59-ФЗ (a social network's post, a ПОС message of that regime) has no 59-ФЗ term.
    if (a.regime !== 'appeal') throw new WorkflowError('conflict', NOT_AN_APPEAL);
    if (a.extended) throw new WorkflowError('conflict', ONCE, { days: ONCE });
    if (await this.headDecides(tx, actor)) throw new WorkflowError('forbidden', HEAD_DECIDES);
    assertTransition(a.status, AppealStatus.Extended);
    const extended = this.extendedTerm(a, input.days);
    // Due 30.12.2026, 10 days more end on 9 January in the New Year break, and the working day before it is the
    // 30th again: the one extension the law allows would be spent and the term would not move. (The dialog's
    // preview shows the same date and says so.)
    if (extended.answerDueDate <= a.answer_due_date) {
      const message =
        `Продление на ${input.days} дн. не переносит срок: он приходится на нерабочие дни, и срок остаётся ` +
        `${russianLocalDate(a.answer_due_date)}. Укажите больше дней`;
      throw new WorkflowError('conflict', message, { days: message });
    }
    // A part on the appeal's own term would stay on the old one: marked overdue then, listed as due then.
    await this.parts.followAnswerTerm(tx, a.id, extended.answerDueAt);
    await this.appeals.update(tx, a.id, {
      status: AppealStatus.Extended,
      extended: true,
      extensionReason: input.reason,
      answerDueDate: extended.answerDueDate,
      answerDueAt: extended.answerDueAt,
    });
    await record('extended', {
      days: input.days,
      reason: input.reason,
      answerDueDate: extended.answerDueDate,
      answerDueAt: extended.answerDueAt,
    });
    await notifyApplicant(
      'status-notice',
      null,
      extensionNoticeRu(a.registration_number, russianDate(extended.answerDueAt, a.time_zone), input.reason),
    );
  }

  /** The answer term once extended by `days` (59-ФЗ ст. 12 ч. 2), refused as the extension refuses it. */
  private extendedTerm(
    a: { answer_due_date: string; time_zone: string; extended: boolean },
    days: number,
  ): ReturnType<typeof extendAnswerDeadline> {
    try {
      return extendAnswerDeadline({
        currentDueDate: a.answer_due_date,
        days,
        timeZone: a.time_zone,
        alreadyExtended: a.extended,
        calendar: this.calendar,
        lastDayRule: this.config.lastDayRule,
      });
    } catch (error) {
      const once = error instanceof DeadlineRuleError && error.rule === 'already-extended';
      const message = once ? ONCE : 'Продлить можно на срок от 1 до 30 дней (ч. 2 ст. 12 59-ФЗ)';
      throw new WorkflowError('conflict', message, { days: message });
    }
  }
}
