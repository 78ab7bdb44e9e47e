import { Injectable } from '@nestjs/common';
import { canSeeOrganisation, Role, seesEverything } from '@inbox/access';
import { AppealStatus, canTransition, InvalidTransitionError, OPEN_STATUSES } from '../appeal-status';
import { AnswersRepository, type LockedAnswer } from '../repositories/answers.repository';
import { AppealPartsRepository } from '../repositories/appeal-parts.repository';
import { type LockedAppeal } from '../repositories/appeals.repository';
import { type Db } from '../repositories/db';
import {
  type OrganisationClock,
  WorkflowReferencesRepository,
} from '../repositories/workflow-references.repository';
import { type Actor } from './actor';
import { WorkflowError } from './workflow-error';

/** A status change the status machine forbids, as a conflict for the clerk. */
export function refused(from: AppealStatus, to: AppealStatus): WorkflowError {
  return new WorkflowError('conflict', new InvalidTransitionError(from, to).message);
}

export function assertTransition(from: AppealStatus, to: AppealStatus): void {
  if (!canTransition(from, to)) throw refused(from, to);
}

/**
 * Administrators run the system — accounts and settings — not appeals (they never see the applicant): they do not
 * register an appeal, hand it to line 2, assign it, take it into work, write, approve or send its answer, extend
 * its term, nor close its consideration (README «Staff workflow»).
 */
export function worksAppeals(actor: Pick<Actor, 'role'>): boolean {
  return actor.role !== Role.Admin;
}

export const ADMIN_DOES_NOT_WORK_APPEALS =
  'Администратор не рассматривает обращения: регистрирует, передаёт, назначает, отвечает, согласовывает ответ, ' +
  'продлевает срок и завершает рассмотрение сотрудник 1-й линии или организации';

/**
 * Why a draft of an organisation whose line-2 part is no longer open is neither approved, sent back nor — if it was
 * approved before — sent or handed over.
 */
export const LEFT_BEHIND_DRAFT =
  'Проект организации, вернувшей обращение (или чьё поручение закрыто), сохранён для сведения: ' +
  'согласовать и отправить его нельзя';

/** The one refusal of casework to an administrator (403), for every command that is casework. */
export function requireCaseworker(actor: Pick<Actor, 'role'>): void {
  if (!worksAppeals(actor)) throw new WorkflowError('forbidden', ADMIN_DOES_NOT_WORK_APPEALS);
}

/**
 * Who records a rating the applicant gave by phone or in a letter: line 1 and the region's supervisors, who see
 * the whole inbox — never an organisation about its own answer (one rating per answer: a clerk's «удовлетворён»
 * would take the citizen's own place, and a poor rating's re-routing upwards with it), nor an administrator.
 */
export function mayRecordRating(actor: Pick<Actor, 'role' | 'scope'>): boolean {
  return worksAppeals(actor) && seesEverything(actor.scope);
}

/** Who may hand an appeal to line 2 (or close a part of it): the management centre's operators and supervisors. */
export function mayEscalate(actor: Pick<Actor, 'role'>): boolean {
  return [Role.Operator, Role.Supervisor].includes(actor.role);
}

export function requireLine1(actor: Actor): void {
  requireCaseworker(actor);
  if (!mayEscalate(actor)) {
    throw new WorkflowError(
      'forbidden',
      'Передавать обращения на 2-ю линию может оператор 1-й линии или руководитель',
    );
  }
}

/**
 * Who leads an appeal: line 1 (the management centre's operators), the clerks and heads of its lead organisation,
 * supervisors over that organisation. Not an administrator, nor an organisation that only co-executes.
 */
export function leadsAppeal(actor: Actor, leadOrganisationId: string): boolean {
  switch (actor.role) {
    case Role.Operator:
      return true;
    case Role.Clerk:
    case Role.Head:
      return actor.organisationId === leadOrganisationId;
    case Role.Supervisor:
      return canSeeOrganisation(actor.scope, leadOrganisationId);
    default:
      return false;
  }
}

/**
 * Who may forward the whole appeal to another body (59-ФЗ ст. 8 ч. 3): whoever leads it. A co-executing
 * organisation that is not competent returns its part to line 1 instead («Вернуть как не по адресу»).
 */
export const mayRedirect = leadsAppeal;

/**
 * Whether a redirect comes after 59-ФЗ's 7 days (ст. 8 ч. 3), a violation on record: only a 59-ФЗ appeal has that
 * term; a message outside 59-ФЗ (a social network's, ПОС's) is passed on whenever it is found not ours.
 */
export function redirectLate(appeal: { regime: string; redirect_due_at: Date | string }, now: Date): boolean {
  return appeal.regime === 'appeal' && now > new Date(appeal.redirect_due_at);
}

export const REDIRECT_REFUSED =
  'Направить обращение по компетенции может 1-я линия или ведущая обращение организация; соисполнитель ' +
  'возвращает своё поручение как направленное не по адресу';

export const NOT_AT_YOUR_ORGANISATION = 'Обращение не находится на рассмотрении вашей организации';

/** Checks the commands share: reference data, answers, and whether the actor's organisation works on it. */
@Injectable()
export class WorkflowRules {
  constructor(
    private readonly references: WorkflowReferencesRepository,
    private readonly parts: AppealPartsRepository,
    private readonly answers: AnswersRepository,
  ) {}

  async organisations(tx: Db, ids: string[]): Promise<OrganisationClock[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) {
      throw new WorkflowError('invalid-input', 'Выберите хотя бы одну организацию', {
        organisationIds: 'Пустой список',
      });
    }
    const rows = await this.references.organisations(tx, unique);
    if (rows.length !== unique.length) {
      throw new WorkflowError('invalid-input', 'Организация не найдена в справочнике', {
        organisationIds: 'Неизвестная организация',
      });
    }
    return rows;
  }

  async assertTopic(tx: Db, topicId: string, subtopicId?: string): Promise<void> {
    const rows = await this.references.topics(
      tx,
      [topicId, subtopicId].filter((x): x is string => !!x),
    );
    const topic = rows.find((r) => r.id === topicId);
    if (!topic) {
      throw new WorkflowError('invalid-input', 'Тема не найдена в рубрикаторе', {
        topicId: 'Неизвестная тема',
      });
    }
    if (subtopicId && rows.find((r) => r.id === subtopicId)?.parent_id !== topicId) {
      throw new WorkflowError('invalid-input', 'Подтема не относится к выбранной теме', {
        subtopicId: 'Не из этой темы',
      });
    }
  }

  /** Answering needs the appeal at the actor's organisation (line 2) or at line 1 for line-1 staff. */
  async assertWorksOn(tx: Db, a: LockedAppeal, actor: Actor): Promise<void> {
    if (!OPEN_STATUSES.includes(a.status) && a.status !== AppealStatus.Answered) {
      throw new WorkflowError('conflict', 'Обращение не находится в работе');
    }
    if (actor.scope.organisationIds === null) return;
    const active = await this.parts.isActiveAt(tx, a.id, actor.organisationId);
    if (!active && a.organisation_id !== actor.organisationId) {
      throw new WorkflowError('conflict', NOT_AT_YOUR_ORGANISATION);
    }
  }

  /**
   * Who approves a draft (or sends it back): never its author, whoever they are, nor an administrator; a
   * supervisor whose scope holds the answer's organisation; the head of the answer's organisation — or, where the
   * organisation has no head, a colleague of the same organisation. (A supervisor of another ministry, which has
   * its own part of the appeal, approved this ministry's answer.) Nobody approves a draft of an organisation whose
   * line-2 part is no longer open (returned or closed).
   */
  async assertMayApprove(tx: Db, appealId: string, answer: LockedAnswer, actor: Actor): Promise<void> {
    requireCaseworker(actor);
    await this.assertNotLeftBehind(tx, appealId, answer);
    if (answer.author_id === actor.userId) {
      throw new WorkflowError('forbidden', 'Нельзя согласовать собственный проект ответа');
    }
    if (actor.role === Role.Supervisor && canSeeOrganisation(actor.scope, answer.organisation_id)) return;
    if (answer.organisation_id === actor.organisationId) {
      if (actor.role === Role.Head) return;
      if (!(await this.references.hasHead(tx, answer.organisation_id))) return;
      throw new WorkflowError('forbidden', 'Согласовать ответ может руководитель подразделения');
    }
    throw new WorkflowError(
      'forbidden',
      'Согласовать ответ может руководитель или другой сотрудник организации',
    );
  }

  /**
   * A draft of an organisation that returned the appeal (or whose part was closed) is kept for reference: its
   * staff can no longer change it, and nobody approves, sends back, sends or hands over (by phone, in person, by
   * post) what that organisation left behind — a draft approved before the return neither (it was sent to the
   * applicant after the return).
   */
  async assertNotLeftBehind(tx: Db, appealId: string, answer: LockedAnswer): Promise<void> {
    if (await this.parts.isLeftBehind(tx, appealId, answer.organisation_id)) {
      throw new WorkflowError('conflict', LEFT_BEHIND_DRAFT);
    }
  }

  async answer(tx: Db, appealId: string, answerId: string): Promise<LockedAnswer> {
    const answer = await this.answers.lock(tx, appealId, answerId);
    if (!answer) throw new WorkflowError('not-found', 'Ответ не найден');
    return answer;
  }

  /**
   * An answer goes out (sent, or marked handed over) only by staff whose scope holds the organisation that gave
   * it: line 1 and region-wide staff, or that organisation and its superiors — not another ministry that merely
   * has its own part of the appeal, nor an administrator.
   */
  assertMayDeliver(answer: LockedAnswer, actor: Actor): void {
    requireCaseworker(actor);
    if (!canSeeOrganisation(actor.scope, answer.organisation_id))
      throw new WorkflowError(
        'forbidden',
        'Ответ другой организации: его отправляет организация, давшая ответ',
      );
  }
}
