import { Injectable } from '@nestjs/common';
import { AuditLog } from '@inbox/access';
import {
  type Actor,
  AnswersRepository,
  APPEAL_STATUS_TEXT_RU,
  AppealChange,
  AppealsRepository,
  AppealWorkflow,
  mayEscalate,
  OPEN_STATUSES,
  WorkflowError,
} from '@inbox/appeals';
import { rootLogger, UUID } from '@inbox/common';
import { IncidentsRepository } from './incidents.repository';
import { linkIncidentDraft } from './incidents.service';

export const MEMBERSHIP_REFUSED_ROLE =
  'Исключать обращения из инцидента и добавлять их к инциденту может оператор 1-й линии или руководитель';
export const MAX_EXCLUSION_REASON = 1000;

export interface ExcludedFromIncident {
  incidentId: string;
  incidentNumber: number;
  /** The incident's drafts on this appeal, discarded (never sent). */
  discardedDrafts: number;
}

export interface AddedToIncident {
  incidentId: string;
  incidentNumber: number;
  /** The draft of the incident's answer waiting for approval, written for this appeal too. */
  drafted: boolean;
  /** Why that draft could not be written, when it could not. */
  draftRefused: string | null;
}

/**
 * Line 1 corrects the automatic grouping of incidents, on the appeal's card, through the one appeal transaction
 * (lock in scope, history, audit). «Исключить из инцидента» (a reason required): the appeal leaves the incident and
 * is handled on its own — the incident's draft on it is discarded, never sent; refused once the incident's answer
 * to it was approved or sent — and the grouping pass never puts it back into that incident. «Добавить к
 * инциденту»: an open appeal in no incident joins an incident, reopening it if it was answered or closed. Both
 * are in the appeal's history and the incident's. Locks go appeal → incident, as the grouping pass takes them.
 */
@Injectable()
export class IncidentMembership {
  private readonly log = rootLogger.child('incidents');

  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly answers: AnswersRepository,
    private readonly repository: IncidentsRepository,
    private readonly workflow: AppealWorkflow,
    private readonly audit: AuditLog,
  ) {}

  exclude(appealId: string, actor: Actor, reasonText: string): Promise<ExcludedFromIncident> {
    return this.change.run(appealId, actor, 'exclude-from-incident', async ({ tx, appeal: a, record }) => {
      if (!mayEscalate(actor)) throw new WorkflowError('forbidden', MEMBERSHIP_REFUSED_ROLE);
      const reason = reasonText?.trim() ?? '';
      if (!reason) {
        throw new WorkflowError('invalid-input', 'Укажите, почему обращение не относится к инциденту', {
          reason: 'Причина обязательна',
        });
      }
      if (reason.length > MAX_EXCLUSION_REASON) {
        throw new WorkflowError('invalid-input', `Причина — не длиннее ${MAX_EXCLUSION_REASON} символов`, {
          reason: 'Слишком длинная',
        });
      }
      const incidentId = await this.appeals.incidentOf(tx, a.id);
      if (!incidentId) {
        throw new WorkflowError('conflict', `Обращение № ${a.registration_number} не входит в инцидент`);
      }
      const incident = (await this.repository.lockIncident(tx, incidentId))!;
      const drafts = await this.repository.appealDrafts(tx, incidentId, a.id);
      const given = drafts.find((d) => d.status === 'approved' || d.status === 'sent');
      if (given) {
        throw new WorkflowError(
          'conflict',
          `Ответ инцидента № ${incident.number} по обращению № ${a.registration_number} уже ` +
            `${given.status === 'sent' ? 'отправлен' : 'согласован'}: исключать обращение из инцидента поздно. ` +
            'Если заявителю нужен другой ответ, подготовьте его в карточке обращения',
        );
      }
      const discarded = drafts.filter((d) => d.status === 'draft').map((d) => d.answerId);
      for (const answerId of discarded) await this.answers.discard(tx, answerId);
      await this.repository.forgetAppealDrafts(tx, incidentId, a.id);
      await this.appeals.unlinkFromIncident(tx, a.id);
      await this.repository.recount(tx, incidentId);
      await this.repository.recordMembershipChange(tx, {
        incidentId,
        appealId: a.id,
        kind: 'excluded',
        reason,
        actorId: actor.userId,
      });
      await record('incident-excluded', {
        incidentId,
        incidentNumber: incident.number,
        reason,
        ...(discarded.length > 0 ? { discardedAnswerIds: discarded } : {}),
      });
      this.log.info('appeal excluded from incident', { incidentId, discardedDrafts: discarded.length });
      return { incidentId, incidentNumber: incident.number, discardedDrafts: discarded.length };
    });
  }

  async add(appealId: string, actor: Actor, incidentId: string): Promise<AddedToIncident> {
    const added = await this.change.run(
      appealId,
      actor,
      'add-to-incident',
      async ({ tx, appeal: a, record }) => {
        if (!mayEscalate(actor)) throw new WorkflowError('forbidden', MEMBERSHIP_REFUSED_ROLE);
        if (!OPEN_STATUSES.includes(a.status)) {
          throw new WorkflowError(
            'conflict',
            `Обращение № ${a.registration_number} уже не в работе (статус «${APPEAL_STATUS_TEXT_RU[a.status]}»): ` +
              'добавлять к инциденту можно только обращение, которое ещё рассматривается',
          );
        }
        const current = await this.appeals.incidentOf(tx, a.id);
        if (current) {
          const number = (await this.repository.lockIncident(tx, current))?.number;
          throw new WorkflowError(
            'conflict',
            `Обращение № ${a.registration_number} уже входит в инцидент № ${number ?? ''}: ` +
              'чтобы перенести его, сначала исключите его из этого инцидента',
          );
        }
        const incident =
          UUID.test(incidentId) && (await this.repository.visibleTo(incidentId, actor.scope))
            ? await this.repository.lockIncident(tx, incidentId)
            : undefined;
        if (!incident) {
          throw new WorkflowError(
            'not-found',
            'Инцидент не найден среди доступных вам',
            { incidentId: 'Инцидент не найден' },
            { incidentId },
          );
        }
        // An incident answered or closed is reopened by its new member in work (its state follows its members:
        // migration IncidentStateFollowsMembers); the member waits for the incident's next draft.
        await this.appeals.linkToIncidents(tx, [{ appealId: a.id, incidentId }]);
        await this.repository.recount(tx, incidentId);
        await this.repository.recordMembershipChange(tx, {
          incidentId,
          appealId: a.id,
          kind: 'added',
          reason: null,
          actorId: actor.userId,
        });
        await record('incident-added', {
          incidentId,
          incidentNumber: incident.number,
          ...(incident.status !== 'open' ? { reopened: true } : {}),
        });
        return { incidentId, incidentNumber: incident.number };
      },
    );
    return { ...added, ...(await this.draftWaiting(added.incidentId, appealId, actor)) };
  }

  /**
   * The new member and the incident's answer. A draft of the actor's part waiting for approval is written for it
   * too (the same text, by the actor: the approver, never its author, sends it with the others). An answer
   * already approved and sent is not: it was approved for the citizens it went to; the new member waits for a
   * draft («ждут проекта») and the incident's next draft is written for it alone.
   */
  private async draftWaiting(
    incidentId: string,
    appealId: string,
    actor: Actor,
  ): Promise<{ drafted: boolean; draftRefused: string | null }> {
    const part = (await this.repository.parts(incidentId, actor.scope)).find(
      (p) => p.organisationId === actor.organisationId && p.pending && p.draftText,
    );
    if (!part) return { drafted: false, draftRefused: null };
    try {
      await this.workflow.draftAnswer(appealId, actor, { text: part.draftText! }, (tx, a, answerId) =>
        linkIncidentDraft(this.repository, tx, incidentId, a, answerId),
      );
      await this.audit.record({
        userId: actor.userId,
        action: 'incident.draft-answer',
        entityType: 'incident',
        entityId: incidentId,
        details: { drafted: 1, joined: true },
      });
      return { drafted: true, draftRefused: null };
    } catch (error) {
      if (!(error instanceof WorkflowError)) throw error;
      return { drafted: false, draftRefused: error.message };
    }
  }
}
