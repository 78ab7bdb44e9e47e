import { Injectable } from '@nestjs/common';
import { AuditLog } from '@inbox/access';
import { joinedNoticeRu } from '../../applicant-texts';
import { APPEAL_STATUS_TEXT_RU, AppealStatus, OPEN_STATUSES } from '../../appeal-status';
import { isRegistrationNumber } from '../../registration-number';
import { AnswersRepository } from '../../repositories/answers.repository';
import { AppealPartsRepository } from '../../repositories/appeal-parts.repository';
import { AppealsRepository, type JoinTarget } from '../../repositories/appeals.repository';
import { AppealHistoryRepository } from '../../repositories/history.repository';
import { RegistrationRepository } from '../../repositories/registration.repository';
import { type Actor } from '../actor';
import { russianDate } from '../answer-template';
import { AppealChange } from '../appeal-change';
import { compareApplicants, differentApplicantRu } from '../join-applicants';
import { mayEscalate, requireCaseworker } from '../rules';
import { WorkflowError } from '../workflow-error';

export interface JoinInput {
  /** The earlier appeal's registration number. */
  intoNumber: string;
  reason?: string;
  /**
   * The clerk confirms the two are one person although nothing ties their applicants (compareApplicants): without
   * it such a join is refused, naming what differs.
   */
  confirmDifferentApplicant?: boolean;
}

export const JOIN_REFUSED_ROLE =
  'Объединять обращения может оператор 1-й линии или руководитель; сотрудник организации сообщает о повторе им';

/**
 * The same citizen sent the same appeal twice (two channels, or twice in one): line 1 joins the later appeal into
 * the earlier one. The later one's text and files become a follow-up of the earlier (as an item of its thread
 * would at registration), the later one is closed as joined — its line-2 parts closed, its clocks stopped — and
 * the citizen is told through its channel that the answer comes under the earlier number. Both histories say
 * «Объединено с № …». Refused: into itself, into an appeal no longer in work or itself joined, the earlier into
 * the later, an appeal whose answer is being prepared or was given, an appeal others were joined into (no
 * chains), and — as absent — an appeal outside the actor's scope. When the two applicants plainly differ (no
 * common phone, e-mail, conversation or surname: a mistyped number would close one citizen's appeal into a
 * stranger's), the join is refused naming what differs, unless the clerk confirms it; the confirmation is on record.
 */
@Injectable()
export class JoinCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
    private readonly answers: AnswersRepository,
    private readonly history: AppealHistoryRepository,
    private readonly registrations: RegistrationRepository,
    private readonly audit: AuditLog,
  ) {}

  async execute(
    appealId: string,
    actor: Actor,
    input: JoinInput,
    now = new Date(),
  ): Promise<{ intoAppealId: string; intoRegistrationNumber: string }> {
    return this.change.run(appealId, actor, 'join', async ({ tx, appeal: a, record, notifyApplicant }) => {
      requireCaseworker(actor);
      if (!mayEscalate(actor)) throw new WorkflowError('forbidden', JOIN_REFUSED_ROLE);
      const number = input.intoNumber.trim().replace(/^№\s*/u, '');
      if (!isRegistrationNumber(number)) {
        throw new WorkflowError('invalid-input', 'Укажите номер обращения вида 2026-000123', {
          intoNumber: 'Номер вида 2026-000123',
        });
      }
      if (number === a.registration_number) {
        throw new WorkflowError('conflict', 'Нельзя объединить обращение с самим собой', {
          intoNumber: 'Это номер этого же обращения',
        });
      }
      const refused = sourceJoinRefusal({
        ...a,
        answerGiven: await this.answers.anyGiven(tx, a.id),
        joinedNumbers: await this.appeals.joinedInto(tx, a.id),
      });
      if (refused) throw new WorkflowError('conflict', refused);
      const seen = await this.appeals.joinTarget(tx, number, actor.scope);
      if (!seen) throw notFoundByNumber(number);
      assertJoinable(seen, a.registered_at, a.registration_number);
      // Locked only now it is known to be the earlier one: joins lock later before earlier, never in a circle.
      const target = await this.appeals.joinTarget(tx, number, actor.scope, true);
      if (!target) throw notFoundByNumber(number);
      assertJoinable(target, a.registered_at, a.registration_number);
      const sides = await this.appeals.joinApplicants([a.id, target.id], tx);
      const later = sides.find((s) => s.appealId === a.id);
      const earlier = sides.find((s) => s.appealId === target.id);
      const compared = later && earlier ? compareApplicants(later, earlier) : undefined;
      // What differs, when the applicants plainly differ; the join then goes ahead only on the clerk's word.
      const differs = compared?.differentApplicant ? compared.differs : null;
      const confirmed = differs !== null;
      if (differs && input.confirmDifferentApplicant !== true) {
        throw new WorkflowError(
          'conflict',
          differentApplicantRu(a.registration_number, target.registration_number, differs),
          { confirmDifferentApplicant: 'Подтвердите, что это один и тот же заявитель' },
          { intoRegistrationNumber: target.registration_number, differentApplicant: differs.join(', ') },
        );
      }

      const followUp = await this.registrations.joinAsFollowUp(tx, a.id, target.id);
      const partsClosed = await this.parts.closeAllOpen(tx, a.id, now);
      await this.appeals.update(tx, a.id, {
        status: AppealStatus.Closed,
        closedAt: now,
        joinedIntoId: target.id,
      });
      const reason = input.reason?.trim() || undefined;
      await record('joined', {
        intoAppealId: target.id,
        intoRegistrationNumber: target.registration_number,
        from: a.status,
        partsClosed,
        ...(reason ? { reason } : {}),
        ...(confirmed ? { differentApplicantConfirmed: true } : {}),
      });
      await this.history.append(tx, target.id, 'follow-up-received', actor.userId, {
        inboundItemId: followUp.inbound_item_id,
        channel: followUp.channel,
        externalId: followUp.external_id,
        receivedAt: followUp.received_at,
        text: followUp.subject ? `${followUp.subject}.\n${followUp.text}` : followUp.text,
        attachments: followUp.attachments,
        joinedFrom: { appealId: a.id, registrationNumber: a.registration_number },
      });
      await this.history.append(tx, target.id, 'joined', actor.userId, {
        fromAppealId: a.id,
        fromRegistrationNumber: a.registration_number,
        ...(reason ? { reason } : {}),
      });
      await this.appeals.touch(tx, target.id);
      // A join of applicants that differ was the clerk's explicit word: on record, with what differed.
      await this.audit.record(
        {
          userId: actor.userId,
          action: 'join-into',
          entityType: 'appeal',
          entityId: target.id,
          ...(confirmed
            ? { details: { differentApplicantConfirmed: true, differs, fromAppealId: a.id } }
            : {}),
        },
        tx,
      );
      await notifyApplicant(
        'status-notice',
        null,
        joinedNoticeRu(
          a.registration_number,
          russianDate(a.registered_at, a.time_zone),
          target.registration_number,
          a.regime,
        ),
      );
      return { intoAppealId: target.id, intoRegistrationNumber: target.registration_number };
    });
  }
}

/** Absent and out of the actor's scope read the same (404), and the attempt is on record as denied. */
function notFoundByNumber(number: string): WorkflowError {
  return new WorkflowError(
    'not-found',
    `Обращение № ${number} не найдено среди доступных вам`,
    { intoNumber: 'Обращение не найдено' },
    { intoRegistrationNumber: number },
  );
}

function assertJoinable(target: JoinTarget, laterRegisteredAt: Date, laterNumber: string): void {
  const refused = joinRefusal(target, { registered_at: laterRegisteredAt, registration_number: laterNumber });
  if (refused) throw new WorkflowError('conflict', refused);
}

/**
 * Why the appeal itself cannot be joined into another, in Russian; undefined when it can. The card's offers
 * (AppealQueries.joinCandidates) say the same as the command refuses.
 */
export function sourceJoinRefusal(a: {
  registration_number: string;
  status: AppealStatus;
  answerGiven: boolean;
  joinedNumbers: string[];
}): string | undefined {
  if (!OPEN_STATUSES.includes(a.status)) {
    return `Обращение № ${a.registration_number} уже не в работе (статус «${APPEAL_STATUS_TEXT_RU[a.status]}»): объединять его не нужно`;
  }
  if (a.answerGiven) {
    return (
      `По обращению № ${a.registration_number} уже готовится или дан ответ: объединение его отменило бы. ` +
      'Отмените проект ответа или доведите рассмотрение до конца'
    );
  }
  if (a.joinedNumbers.length > 0) {
    return (
      `С обращением № ${a.registration_number} уже объединено № ${a.joinedNumbers.join(', № ')}: цепочка объединений ` +
      'не допускается. Объединяйте с этим обращением, а не его с другим'
    );
  }
  return undefined;
}

/** Why the later appeal cannot be joined into `target`, in Russian; undefined when it can. */
export function joinRefusal(
  target: Pick<
    JoinTarget,
    'registration_number' | 'registered_at' | 'status' | 'joined_into_id' | 'joined_into_number'
  >,
  later: { registered_at: Date; registration_number: string },
): string | undefined {
  const n = target.registration_number;
  if (n === later.registration_number) return 'Нельзя объединить обращение с самим собой';
  if (target.joined_into_id) {
    return `Обращение № ${n} само объединено с № ${target.joined_into_number ?? ''}: объединяйте с № ${target.joined_into_number ?? ''}`;
  }
  if (!OPEN_STATUSES.includes(target.status)) {
    return (
      `Обращение № ${n} уже не в работе (статус «${APPEAL_STATUS_TEXT_RU[target.status]}»): объединять можно ` +
      'только с обращением, которое ещё рассматривается'
    );
  }
  const earlier = new Date(target.registered_at).getTime();
  const laterAt = new Date(later.registered_at).getTime();
  if (earlier > laterAt || (earlier === laterAt && n > later.registration_number)) {
    return (
      `Обращение № ${n} поступило позже, чем № ${later.registration_number}: позднее обращение объединяется с ранним. ` +
      `Откройте № ${n} и объедините его с № ${later.registration_number}`
    );
  }
  return undefined;
}
