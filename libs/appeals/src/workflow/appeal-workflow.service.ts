import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type AccessScope, AuditLog, Role } from '@inbox/access';
import { AppConfig } from '@inbox/config';
import {
  computeAppealDeadlines,
  extendAnswerDeadline,
  line2AnswerDueAt,
  line2ExtensionLimitAt,
  misroutedReturnDueAt,
  ProductionCalendar,
  type WorkingHours,
} from '@inbox/deadlines';
import { JobName, JobProducer } from '@inbox/queue';
import {
  AppealStatus,
  assertTransition,
  canTransition,
  InvalidTransitionError,
  OPEN_STATUSES,
} from '../appeal-status';
import { addressName, renderTemplate, russianDate } from './answer-template';
import { notFound, WorkflowError } from './workflow-error';

export interface Actor {
  userId: string;
  role: Role;
  organisationId: string;
  scope: AccessScope;
}

interface AppealRow {
  id: string;
  registration_number: string;
  registered_at: Date;
  status: AppealStatus;
  channel: string;
  organisation_id: string;
  assignee_id: string | null;
  topic_id: string | null;
  subject: string | null;
  line: number;
  fast_track: boolean;
  time_zone: string;
  answer_due_date: string;
  redirect_due_at: Date;
  escalation_due_at: Date | null;
  extended: boolean;
  applicant_id: string;
}

interface OrgRow {
  id: string;
  code: string;
  short_name: string;
  parent_id: string | null;
  kind: string;
  time_zone: string;
  working_hours: WorkingHours;
}

export type RatingInput = {
  channel: string;
  externalId: string;
  answered?: boolean;
  satisfaction?: 'satisfied' | 'partially' | 'not-satisfied';
  channelScore?: { value: number; max: number };
};

const SCOPE_CONDITION =
  'EXISTS (SELECT 1 FROM appeal_organisations so WHERE so.appeal_id = a.id AND so.organisation_id = ANY($2))';

/** A rating is poor when the question was not answered, the applicant is not satisfied, or a low score. */
export function isPoorRating(r: Omit<RatingInput, 'channel' | 'externalId'>): boolean {
  if (r.answered === false || r.satisfaction === 'not-satisfied') return true;
  return !!r.channelScore && r.channelScore.max > 0 && r.channelScore.value / r.channelScore.max <= 0.4;
}

/**
 * Everything staff do to an appeal. Each action runs in one transaction: lock the appeal within the
 * actor's scope, check the status machine and the rule, change, append the history event and the audit
 * record. Processors and controllers stay thin.
 */
@Injectable()
export class AppealWorkflow {
  private readonly calendar = ProductionCalendar.russian();

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditLog,
    private readonly jobs: JobProducer,
  ) {}

  /** Assignee := the actor; a new, returned or reopened appeal goes into work. */
  async take(appealId: string, actor: Actor): Promise<void> {
    await this.change(appealId, actor, 'take', async (tx, a) => {
      const to = [AppealStatus.Registered, AppealStatus.Returned, AppealStatus.Reopened].includes(a.status)
        ? AppealStatus.InWork
        : a.status;
      if (!OPEN_STATUSES.includes(a.status)) throw this.refused(a.status, AppealStatus.InWork);
      await tx.query(`UPDATE appeals SET assignee_id = $2, status = $3 WHERE id = $1`, [
        a.id,
        actor.userId,
        to,
      ]);
      await this.event(tx, a.id, actor, 'taken', { assigneeId: actor.userId, from: a.status, to });
    });
  }

  async assign(appealId: string, actor: Actor, userId: string): Promise<void> {
    await this.change(appealId, actor, 'assign', async (tx, a) => {
      const [user] = (await tx.query(`SELECT id, organisation_id FROM users WHERE id = $1 AND active`, [
        userId,
      ])) as {
        id: string;
        organisation_id: string;
      }[];
      if (!user) throw new WorkflowError(400, 'Сотрудник не найден', { userId: 'Сотрудник не найден' });
      const held = (await tx.query(
        `SELECT 1 FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2`,
        [a.id, user.organisation_id],
      )) as unknown[];
      if (held.length === 0) {
        throw new WorkflowError(400, 'Сотрудник другой организации: сначала направьте обращение в неё', {
          userId: 'Сотрудник организации, у которой нет этого обращения',
        });
      }
      await tx.query(`UPDATE appeals SET assignee_id = $2 WHERE id = $1`, [a.id, userId]);
      await this.event(tx, a.id, actor, 'assigned', { assigneeId: userId });
    });
  }

  /** Topic (and subtopic) chosen or corrected by a person. */
  async classify(appealId: string, actor: Actor, topicId: string, subtopicId?: string): Promise<void> {
    await this.change(appealId, actor, 'classify', async (tx, a) => {
      await this.assertTopic(tx, topicId, subtopicId);
      await tx.query(`UPDATE appeals SET topic_id = $2, subtopic_id = $3 WHERE id = $1`, [
        a.id,
        topicId,
        subtopicId ?? null,
      ]);
      await this.event(tx, a.id, actor, 'classified', {
        topicId,
        subtopicId: subtopicId ?? null,
        previous: a.topic_id,
      });
    });
  }

  /**
   * Line 1 → line 2, to one or several organisations at once (S0 annex 1, S1 п. 10). The request must carry
   * number, date, topic, subject and the applicant's name, patronymic and phone (S0); each organisation's
   * clock: 1 working day, after 16:00 → 16:00 of the next working day (S1).
   */
  async escalate(
    appealId: string,
    actor: Actor,
    input: { organisationIds: string[]; topicId?: string; subject?: string },
    now = new Date(),
  ): Promise<void> {
    this.requireLine1(actor);
    await this.change(appealId, actor, 'escalate', async (tx, a) => {
      if (!canTransition(a.status, AppealStatus.Escalated))
        throw this.refused(a.status, AppealStatus.Escalated);
      if (input.topicId) await this.assertTopic(tx, input.topicId);
      const topicId = input.topicId ?? a.topic_id;
      const subject = input.subject?.trim() || a.subject;
      const [applicant] = (await tx.query(
        `SELECT first_name, patronymic, phone FROM applicants WHERE id = $1`,
        [a.applicant_id],
      )) as { first_name: string | null; patronymic: string | null; phone: string | null }[];
      const missing: Record<string, string> = {};
      if (!topicId) missing.topicId = 'Укажите тему обращения';
      if (!subject) missing.subject = 'Укажите суть вопроса';
      if (!applicant.first_name) missing['applicant.firstName'] = 'В карточке нет имени заявителя';
      if (!applicant.patronymic) missing['applicant.patronymic'] = 'В карточке нет отчества заявителя';
      if (!applicant.phone) missing['applicant.phone'] = 'В карточке нет телефона заявителя';
      if (Object.keys(missing).length > 0) {
        throw new WorkflowError(
          400,
          'Для передачи на 2-ю линию заполните обязательные поля (соглашение, прил. 1)',
          missing,
        );
      }
      const orgs = await this.organisations(tx, input.organisationIds);
      const due: Record<string, string> = {};
      for (const org of orgs) {
        const clock = { timeZone: org.time_zone, workingHours: org.working_hours };
        const dueAt = line2AnswerDueAt(now, clock, this.calendar);
        const limit = line2ExtensionLimitAt(now, clock, this.calendar);
        due[org.id] = dueAt.toISOString();
        await tx.query(
          `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state, due_at,
             extension_limit_at)
           VALUES ($1, $2, 'co-executor', $3, 2, 'active', $4, $5)
           ON CONFLICT (appeal_id, organisation_id) DO UPDATE SET line = 2, state = 'active', assigned_at = $3,
             due_at = $4, extension_limit_at = $5, extended_until = NULL, extension_reason = NULL,
             returned_at = NULL, return_reason = NULL, answered_at = NULL`,
          [a.id, org.id, now, dueAt, limit],
        );
      }
      await tx.query(
        `UPDATE appeals SET status = 'escalated', line = 2, topic_id = $2, subject = $3 WHERE id = $1`,
        [a.id, topicId, subject],
      );
      await this.event(tx, a.id, actor, 'escalated', {
        organisationIds: orgs.map((o) => o.id),
        dueAt: due,
        request: {
          registrationNumber: a.registration_number,
          registeredAt: a.registered_at,
          topicId,
          subject,
        },
        late: a.escalation_due_at ? now > new Date(a.escalation_due_at) : false,
      });
    });
  }

  /** Line 2 sends a misrouted item back to line 1; S0: within 2 hours, a later return is a recorded violation. */
  async returnMisrouted(appealId: string, actor: Actor, reason: string, now = new Date()): Promise<void> {
    await this.change(appealId, actor, 'return', async (tx, a) => {
      const [row] = (await tx.query(
        `SELECT ao.assigned_at, o.time_zone, o.working_hours FROM appeal_organisations ao
           JOIN organisations o ON o.id = ao.organisation_id
          WHERE ao.appeal_id = $1 AND ao.organisation_id = $2 AND ao.line = 2 AND ao.state = 'active'`,
        [a.id, actor.organisationId],
      )) as { assigned_at: Date; time_zone: string; working_hours: WorkingHours }[];
      if (!row) throw new WorkflowError(409, 'Обращение не находится на рассмотрении вашей организации');
      const returnDue = misroutedReturnDueAt(
        new Date(row.assigned_at),
        { timeZone: row.time_zone, workingHours: row.working_hours },
        this.calendar,
      );
      const late = now > returnDue;
      await tx.query(
        `UPDATE appeal_organisations SET state = 'returned', returned_at = $3, return_reason = $4
          WHERE appeal_id = $1 AND organisation_id = $2`,
        [a.id, actor.organisationId, now, reason],
      );
      if (late) {
        await tx.query(
          `INSERT INTO clock_marks (appeal_id, organisation_id, clock, kind, due_at, holder_user_id)
           VALUES ($1, $2, 'misrouted-return', 'overdue', $3, $4) ON CONFLICT DO NOTHING`,
          [a.id, actor.organisationId, returnDue, actor.userId],
        );
      }
      const [{ n }] = (await tx.query(
        `SELECT count(*)::int AS n FROM appeal_organisations
          WHERE appeal_id = $1 AND line = 2 AND state IN ('active', 'answered')`,
        [a.id],
      )) as { n: number }[];
      if (n === 0) {
        assertTransition(a.status, AppealStatus.Returned);
        await tx.query(`UPDATE appeals SET status = 'returned', line = 1, assignee_id = NULL WHERE id = $1`, [
          a.id,
        ]);
      }
      await this.event(tx, a.id, actor, 'returned', {
        organisationId: actor.organisationId,
        reason,
        returnDueAt: returnDue,
        late,
        backToLine1: n === 0,
      });
    });
  }

  /** 59-ФЗ ст. 8 ч. 3: forwarded to the competent body within 7 days of registration, the applicant told. */
  async redirect(appealId: string, actor: Actor, input: { body: string; reason: string }, now = new Date()) {
    await this.change(appealId, actor, 'redirect', async (tx, a) => {
      if (!canTransition(a.status, AppealStatus.Redirected))
        throw this.refused(a.status, AppealStatus.Redirected);
      const late = now > new Date(a.redirect_due_at);
      await tx.query(`UPDATE appeals SET status = 'redirected' WHERE id = $1`, [a.id]);
      if (late) {
        await tx.query(
          `INSERT INTO clock_marks (appeal_id, organisation_id, clock, kind, due_at, holder_user_id)
           VALUES ($1, $2, 'redirect', 'overdue', $3, $4) ON CONFLICT DO NOTHING`,
          [a.id, a.organisation_id, a.redirect_due_at, actor.userId],
        );
      }
      await this.event(tx, a.id, actor, 'redirected', { body: input.body, reason: input.reason, late });
      await this.queueMessage(
        tx,
        a,
        'status-notice',
        null,
        `Ваше обращение № ${a.registration_number} от ${russianDate(a.registered_at, a.time_zone)} направлено ` +
          `для рассмотрения по компетенции: ${input.body} (ч. 3 ст. 8 Федерального закона № 59-ФЗ).`,
      );
    });
  }

  /**
   * Extension. The appeal's own term: once, by up to 30 days, with a reason and a notice to the applicant
   * (59-ФЗ ст. 12 ч. 2). A line-2 request: to at most 5 working days from receipt (S1).
   */
  async extend(
    appealId: string,
    actor: Actor,
    input: { kind: 'appeal'; days: number; reason: string } | { kind: 'line2'; until: Date; reason: string },
  ): Promise<void> {
    await this.change(appealId, actor, 'extend', async (tx, a) => {
      if (input.kind === 'line2') {
        const [row] = (await tx.query(
          `SELECT due_at, extension_limit_at FROM appeal_organisations
            WHERE appeal_id = $1 AND organisation_id = $2 AND line = 2 AND state = 'active'`,
          [a.id, actor.organisationId],
        )) as { due_at: Date; extension_limit_at: Date }[];
        if (!row) throw new WorkflowError(409, 'Обращение не находится на рассмотрении вашей организации');
        if (input.until.getTime() <= new Date(row.due_at).getTime()) {
          throw new WorkflowError(400, 'Новый срок должен быть позже текущего', {
            until: 'Позже текущего срока',
          });
        }
        if (input.until.getTime() > new Date(row.extension_limit_at).getTime()) {
          throw new WorkflowError(
            409,
            'Продлить можно не более чем до 5 рабочих дней с момента поступления запроса',
            {
              until: `Не позднее ${russianDate(row.extension_limit_at, a.time_zone)}`,
            },
          );
        }
        await tx.query(
          `UPDATE appeal_organisations SET extended_until = $3, extension_reason = $4
            WHERE appeal_id = $1 AND organisation_id = $2`,
          [a.id, actor.organisationId, input.until, input.reason],
        );
        await this.event(tx, a.id, actor, 'line2-extended', {
          organisationId: actor.organisationId,
          until: input.until,
          reason: input.reason,
        });
        return;
      }
      if (a.extended) {
        const message = 'Срок уже продлевался: 59-ФЗ допускает одно продление';
        throw new WorkflowError(409, message, { days: message });
      }
      if (!canTransition(a.status, AppealStatus.Extended))
        throw this.refused(a.status, AppealStatus.Extended);
      let extended;
      try {
        extended = extendAnswerDeadline({
          currentDueDate: a.answer_due_date,
          days: input.days,
          timeZone: a.time_zone,
          alreadyExtended: a.extended,
          calendar: this.calendar,
          lastDayRule: this.config.lastDayRule,
        });
      } catch (error) {
        const code = (error as { code?: string }).code;
        const message =
          code === 'already-extended'
            ? 'Срок уже продлевался: 59-ФЗ допускает одно продление'
            : 'Продлить можно на срок от 1 до 30 дней (ч. 2 ст. 12 59-ФЗ)';
        throw new WorkflowError(409, message, { days: message });
      }
      await tx.query(
        `UPDATE appeals SET status = 'extended', extended = true, extension_reason = $2, answer_due_date = $3,
                answer_due_at = $4 WHERE id = $1`,
        [a.id, input.reason, extended.answerDueDate, extended.answerDueAt],
      );
      await this.event(tx, a.id, actor, 'extended', {
        days: input.days,
        reason: input.reason,
        answerDueDate: extended.answerDueDate,
        answerDueAt: extended.answerDueAt,
      });
      await this.queueMessage(
        tx,
        a,
        'status-notice',
        null,
        `Срок рассмотрения Вашего обращения № ${a.registration_number} продлён до ` +
          `${russianDate(extended.answerDueAt, a.time_zone)}. Причина: ${input.reason}.`,
      );
    });
  }

  /** A draft answer, from a template (placeholders filled) or typed text. */
  async draftAnswer(
    appealId: string,
    actor: Actor,
    input: { templateId?: string; text?: string },
  ): Promise<string> {
    let answerId = '';
    await this.change(appealId, actor, 'draft-answer', async (tx, a) => {
      await this.assertWorksOn(tx, a, actor);
      let text = input.text?.trim() ?? '';
      if (input.templateId) {
        const [template] = (await tx.query(
          `SELECT body FROM answer_templates WHERE id = $1 AND active
             AND (organisation_id IS NULL OR organisation_id = $2)`,
          [input.templateId, actor.organisationId],
        )) as { body: string }[];
        if (!template) throw new WorkflowError(400, 'Шаблон не найден', { templateId: 'Шаблон не найден' });
        const [values] = (await tx.query(
          `SELECT p.surname, p.first_name, p.patronymic, p.display_name, o.short_name
             FROM appeals x JOIN applicants p ON p.id = x.applicant_id, organisations o
            WHERE x.id = $1 AND o.id = $2`,
          [a.id, actor.organisationId],
        )) as Record<string, string | null>[];
        const rendered = renderTemplate(template.body, {
          applicantName: addressName(values),
          registrationNumber: a.registration_number,
          registrationDate: russianDate(a.registered_at, a.time_zone),
          organisation: values.short_name ?? '',
          answerDueDate: a.answer_due_date.split('-').reverse().join('.'),
        });
        text = text ? `${rendered}\n\n${text}` : rendered;
      }
      if (!text)
        throw new WorkflowError(400, 'Напишите текст ответа или выберите шаблон', { text: 'Пустой ответ' });
      const [row] = (await tx.query(
        `INSERT INTO answers (appeal_id, organisation_id, author_id, template_id, text) VALUES ($1,$2,$3,$4,$5)
         RETURNING id`,
        [a.id, actor.organisationId, actor.userId, input.templateId ?? null, text],
      )) as { id: string }[];
      answerId = row.id;
      await this.event(tx, a.id, actor, 'answer-drafted', { answerId, templateId: input.templateId ?? null });
    });
    return answerId;
  }

  /** Draft → approved, by a supervisor or a colleague of the same organisation (not the author). */
  async approveAnswer(appealId: string, answerId: string, actor: Actor): Promise<void> {
    await this.change(appealId, actor, 'approve-answer', async (tx, a) => {
      const answer = await this.answer(tx, a.id, answerId);
      if (answer.status !== 'draft') throw new WorkflowError(409, 'Ответ уже согласован или отправлен');
      const allowed =
        actor.role === Role.Supervisor ||
        actor.role === Role.Admin ||
        (answer.organisation_id === actor.organisationId && answer.author_id !== actor.userId);
      if (!allowed)
        throw new WorkflowError(403, 'Согласовать ответ может руководитель или другой сотрудник организации');
      await tx.query(
        `UPDATE answers SET status = 'approved', approved_by = $2, approved_at = now() WHERE id = $1`,
        [answerId, actor.userId],
      );
      await this.event(tx, a.id, actor, 'answer-approved', { answerId });
    });
  }

  /** Approved → sent through the channel the appeal came from; the appeal is answered. */
  async sendAnswer(appealId: string, answerId: string, actor: Actor, now = new Date()): Promise<void> {
    let messageId = '';
    await this.change(appealId, actor, 'send-answer', async (tx, a) => {
      const answer = await this.answer(tx, a.id, answerId);
      if (answer.status !== 'approved')
        throw new WorkflowError(409, 'Отправить можно только согласованный ответ');
      if (a.status !== AppealStatus.Answered) assertTransitionOr409(a.status, AppealStatus.Answered);
      await tx.query(`UPDATE answers SET status = 'sent', sent_at = $2 WHERE id = $1`, [answerId, now]);
      await tx.query(`UPDATE appeals SET status = 'answered', answered_at = $2 WHERE id = $1`, [a.id, now]);
      await tx.query(
        `UPDATE appeal_organisations SET state = 'answered', answered_at = $3
          WHERE appeal_id = $1 AND organisation_id = $2 AND state = 'active'`,
        [a.id, answer.organisation_id, now],
      );
      await this.event(tx, a.id, actor, 'answered', { answerId, organisationId: answer.organisation_id });
      messageId = await this.queueMessage(tx, a, 'answer', answerId, answer.text, false);
    });
    await this.enqueueDelivery(messageId);
  }

  async close(appealId: string, actor: Actor, now = new Date()): Promise<void> {
    await this.change(appealId, actor, 'close', async (tx, a) => {
      assertTransitionOr409(a.status, AppealStatus.Closed);
      await tx.query(`UPDATE appeals SET status = 'closed', closed_at = $2 WHERE id = $1`, [a.id, now]);
      await this.event(tx, a.id, actor, 'closed', {});
    });
  }

  /**
   * A rating from any channel (S4 п. 27.3, or the channel's scale). A poor one reopens the appeal at the
   * superior organisation of the one whose answer was rated (S3), with a fresh term, and is recorded for
   * the analysis of repeated low ratings (S3 п. 3.3.4). Idempotent on channel + external id.
   */
  async rate(
    appealId: string,
    rating: RatingInput,
    actor: Actor,
    now = new Date(),
  ): Promise<{ duplicate: boolean; poor: boolean; reopenedAt?: string }> {
    let result: { duplicate: boolean; poor: boolean; reopenedAt?: string } = { duplicate: true, poor: false };
    await this.change(appealId, actor, 'rate', async (tx, a) => {
      const poor = isPoorRating(rating);
      const [answer] = (await tx.query(
        `SELECT id, organisation_id FROM answers WHERE appeal_id = $1 AND status = 'sent' ORDER BY sent_at DESC LIMIT 1`,
        [a.id],
      )) as { id: string; organisation_id: string }[];
      const inserted = (await tx.query(
        `INSERT INTO ratings (appeal_id, answer_id, channel, external_id, answered, satisfaction, channel_score, poor,
           received_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (channel, external_id) DO NOTHING RETURNING id`,
        [
          a.id,
          answer?.id ?? null,
          rating.channel,
          rating.externalId,
          rating.answered ?? null,
          rating.satisfaction ?? null,
          rating.channelScore ?? null,
          poor,
          now,
        ],
      )) as { id: string }[];
      if (inserted.length === 0) return;
      result = { duplicate: false, poor };
      await this.event(tx, a.id, actor, 'rated', {
        ratingId: inserted[0].id,
        answered: rating.answered ?? null,
        satisfaction: rating.satisfaction ?? null,
        channelScore: rating.channelScore ?? null,
        poor,
      });
      if (!poor || !canTransition(a.status, AppealStatus.Reopened)) return;
      const ratedOrgId = answer?.organisation_id ?? a.organisation_id;
      const [rated] = await this.organisations(tx, [ratedOrgId]);
      const superior = rated.parent_id ? (await this.organisations(tx, [rated.parent_id]))[0] : rated;
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
      await tx.query(
        `UPDATE appeals SET status = 'reopened', organisation_id = $2, time_zone = $3, answer_due_date = $4,
                answer_due_at = $5, extended = false, extension_reason = NULL, reopen_count = reopen_count + 1,
                assignee_id = NULL, answered_at = NULL, closed_at = NULL, line = 2 WHERE id = $1`,
        [a.id, superior.id, superior.time_zone, deadlines.answerDueDate, deadlines.answerDueAt],
      );
      await tx.query(
        `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state, due_at)
         VALUES ($1, $2, 'responsible', $3, 2, 'active', $4)
         ON CONFLICT (appeal_id, organisation_id) DO UPDATE SET role = 'responsible', assigned_at = $3, line = 2,
           state = 'active', due_at = $4, returned_at = NULL, answered_at = NULL`,
        [a.id, superior.id, now, deadlines.answerDueAt],
      );
      await tx.query(
        `INSERT INTO poor_rating_records (appeal_id, rating_id, answer_id, organisation_id, topic_id,
           superior_organisation_id) VALUES ($1,$2,$3,$4,$5,$6)`,
        [a.id, inserted[0].id, answer?.id ?? null, ratedOrgId, a.topic_id, superior.id],
      );
      await this.event(tx, a.id, actor, 'reopened', {
        reason: 'poor-rating',
        ratingId: inserted[0].id,
        fromOrganisationId: ratedOrgId,
        toOrganisationId: superior.id,
        answerDueDate: deadlines.answerDueDate,
        answerDueAt: deadlines.answerDueAt,
      });
      result = { duplicate: false, poor, reopenedAt: superior.id };
    });
    return result;
  }

  // — plumbing —

  private async change(
    appealId: string,
    actor: Actor,
    action: string,
    work: (tx: EntityManager, appeal: AppealRow) => Promise<void>,
  ): Promise<void> {
    try {
      await this.dataSource.transaction(async (tx) => {
        const scoped = actor.scope.organisationIds !== null;
        const [appeal] = (await tx.query(
          `SELECT a.id, a.registration_number, a.registered_at, a.status, a.channel, a.organisation_id,
                  a.assignee_id, a.topic_id, a.subject, a.line, a.fast_track, a.time_zone,
                  to_char(a.answer_due_date, 'YYYY-MM-DD') AS answer_due_date, a.redirect_due_at,
                  a.escalation_due_at, a.extended, a.applicant_id
             FROM appeals a WHERE a.id = $1 ${scoped ? `AND ${SCOPE_CONDITION}` : ''} FOR UPDATE`,
          scoped ? [appealId, actor.scope.organisationIds] : [appealId],
        )) as AppealRow[];
        if (!appeal) throw notFound();
        await work(tx, appeal);
        await tx.query(`UPDATE appeals SET updated_at = now(), version = version + 1 WHERE id = $1`, [
          appeal.id,
        ]);
        await this.audit.record(
          { userId: actor.userId, action, entityType: 'appeal', entityId: appeal.id },
          tx,
        );
      });
    } catch (error) {
      if (error instanceof WorkflowError && error.status === 404) {
        await this.audit.record({
          userId: actor.userId,
          action,
          entityType: 'appeal',
          entityId: appealId,
          outcome: 'denied',
        });
      }
      if (error instanceof InvalidTransitionError) throw new WorkflowError(409, error.message);
      throw error;
    }
  }

  private async event(
    tx: EntityManager,
    appealId: string,
    actor: Actor,
    type: string,
    data: Record<string, unknown>,
  ) {
    await tx.query(`INSERT INTO appeal_events (appeal_id, type, actor, data) VALUES ($1, $2, $3, $4)`, [
      appealId,
      type,
      actor.userId,
      data,
    ]);
  }

  /** An outbound message to the applicant through the channel of origin; delivered by the worker. */
  private async queueMessage(
    tx: EntityManager,
    a: AppealRow,
    kind: string,
    answerId: string | null,
    text: string,
    enqueueAfterCommit = true,
  ): Promise<string> {
    const [row] = (await tx.query(
      `INSERT INTO outbound_messages (appeal_id, answer_id, channel, kind, text, subject) VALUES ($1,$2,$3,$4,$5,$6)
       RETURNING id`,
      [a.id, answerId, a.channel, kind, text, `Обращение № ${a.registration_number}`],
    )) as { id: string }[];
    if (enqueueAfterCommit) {
      // Enqueued once the transaction has committed, so the worker never finds a message that isn't there.
      const id = row.id;
      setImmediate(() => void this.enqueueDelivery(id).catch(() => undefined));
    }
    return row.id;
  }

  private async enqueueDelivery(outboundMessageId: string): Promise<void> {
    await this.jobs.add(JobName.DeliverOutboundMessage, { outboundMessageId }, { jobId: outboundMessageId });
  }

  private async answer(tx: EntityManager, appealId: string, answerId: string) {
    const [answer] = (await tx.query(
      `SELECT id, status, organisation_id, author_id, text FROM answers WHERE id = $1 AND appeal_id = $2 FOR UPDATE`,
      [answerId, appealId],
    )) as { id: string; status: string; organisation_id: string; author_id: string; text: string }[];
    if (!answer) throw new WorkflowError(404, 'Ответ не найден');
    return answer;
  }

  private async organisations(tx: EntityManager, ids: string[]): Promise<OrgRow[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) {
      throw new WorkflowError(400, 'Выберите хотя бы одну организацию', { organisationIds: 'Пустой список' });
    }
    const rows = (await tx.query(
      `SELECT id, code, short_name, parent_id, kind, time_zone, working_hours FROM organisations WHERE id = ANY($1)`,
      [unique],
    )) as OrgRow[];
    if (rows.length !== unique.length) {
      throw new WorkflowError(400, 'Организация не найдена в справочнике', {
        organisationIds: 'Неизвестная организация',
      });
    }
    return rows;
  }

  private async assertTopic(tx: EntityManager, topicId: string, subtopicId?: string): Promise<void> {
    const rows = (await tx.query(`SELECT id, parent_id FROM topics WHERE id = ANY($1)`, [
      [topicId, subtopicId].filter(Boolean),
    ])) as { id: string; parent_id: string | null }[];
    const topic = rows.find((r) => r.id === topicId);
    if (!topic)
      throw new WorkflowError(400, 'Тема не найдена в рубрикаторе', { topicId: 'Неизвестная тема' });
    if (subtopicId && rows.find((r) => r.id === subtopicId)?.parent_id !== topicId) {
      throw new WorkflowError(400, 'Подтема не относится к выбранной теме', {
        subtopicId: 'Не из этой темы',
      });
    }
  }

  /** Answering needs the appeal at the actor's organisation (line 2) or at line 1 for line-1 staff. */
  private async assertWorksOn(tx: EntityManager, a: AppealRow, actor: Actor): Promise<void> {
    if (!OPEN_STATUSES.includes(a.status) && a.status !== AppealStatus.Answered) {
      throw new WorkflowError(409, 'Обращение не находится в работе');
    }
    if (actor.scope.organisationIds === null) return;
    const rows = (await tx.query(
      `SELECT 1 FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2 AND state = 'active'`,
      [a.id, actor.organisationId],
    )) as unknown[];
    if (rows.length === 0 && a.organisation_id !== actor.organisationId) {
      throw new WorkflowError(409, 'Обращение не находится на рассмотрении вашей организации');
    }
  }

  private requireLine1(actor: Actor): void {
    if (![Role.Operator, Role.Supervisor, Role.Admin].includes(actor.role)) {
      throw new WorkflowError(
        403,
        'Передавать обращения на 2-ю линию может оператор 1-й линии или руководитель',
      );
    }
  }

  private refused(from: AppealStatus, to: AppealStatus): WorkflowError {
    return new WorkflowError(409, new InvalidTransitionError(from, to).message);
  }
}

function assertTransitionOr409(from: AppealStatus, to: AppealStatus): void {
  if (!canTransition(from, to)) throw new WorkflowError(409, new InvalidTransitionError(from, to).message);
}
