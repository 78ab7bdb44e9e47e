import { Injectable } from '@nestjs/common';
import { line2AnswerDueAt, line2ExtensionLimitAt, ProductionCalendar } from '@inbox/deadlines';
import { AppealStatus } from '../../appeal-status';
import { AppealPartsRepository } from '../../repositories/appeal-parts.repository';
import { type ApplicantChanges, AppealsRepository } from '../../repositories/appeals.repository';
import { CardEditor } from '../card-editor';
import { escalationMissing } from '../escalation-requirements';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { assertTransition, requireLine1, WorkflowRules } from '../rules';
import { WorkflowError } from '../workflow-error';

export interface EscalateInput {
  organisationIds: string[];
  topicId?: string;
  subject?: string;
  /** What the card lacks, completed in the same step (S0 requires name, patronymic and phone). */
  applicant?: ApplicantChanges;
  /** S1 п. 10: line 1 escalates because the knowledge base had no answer (libs/knowledge makes it a request). */
  noKnowledgeBaseAnswer?: boolean;
}

/**
 * Line 1 → line 2, to one or several organisations at once (S0 annex 1, S1 п. 10). The request must carry
 * number, date, topic, subject and the applicant's name, patronymic and phone (S0); each organisation's
 * clock: 1 working day, after 16:00 → 16:00 of the next working day (S1).
 */
@Injectable()
export class EscalateCommand {
  private readonly calendar = ProductionCalendar.russian();

  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
    private readonly rules: WorkflowRules,
    private readonly card: CardEditor,
  ) {}

  async execute(appealId: string, actor: Actor, input: EscalateInput, now = new Date()): Promise<void> {
    requireLine1(actor);
    await this.change.run(appealId, actor, 'escalate', async (context) => {
      const { tx, appeal: a, record } = context;
      // Adding organisations to an escalated appeal is a re-routing (e.g. after a return), not a transition.
      if (a.status !== AppealStatus.Escalated) assertTransition(a.status, AppealStatus.Escalated);
      if (input.topicId) await this.rules.assertTopic(tx, input.topicId);
      const topicId = input.topicId ?? a.topic_id;
      const subject = input.subject?.trim() || a.subject;
      if (input.applicant) await this.card.apply(context, a, { applicant: input.applicant });
      const applicant = await this.appeals.applicantOf(tx, a.applicant_id);
      const missing = escalationMissing(topicId, subject, {
        firstName: applicant.first_name,
        patronymic: applicant.patronymic,
        phone: applicant.phone,
      });
      if (Object.keys(missing).length > 0) {
        throw new WorkflowError(
          'invalid-input',
          'Для передачи на 2-ю линию заполните обязательные поля (соглашение, прил. 1)',
          missing,
        );
      }
      const orgs = await this.rules.organisations(tx, input.organisationIds);
      // Line 2 is a competent body. The management centre works its appeals at line 1 (the screen offers it no
      // line-2 choice, but a topic's default route may name it): a line-2 part of its own replaced its line-1
      // one, and the card then named no line 1 at all.
      const centre = orgs.find((o) => o.kind === 'management-centre');
      if (centre) {
        throw new WorkflowError(
          'invalid-input',
          `${centre.short_name} работает с обращениями на 1-й линии: на 2-ю линию обращение передают органу власти`,
          { organisationIds: `${centre.short_name} — не организация 2-й линии` },
        );
      }
      const due: Record<string, string> = {};
      for (const org of orgs) {
        const clock = { timeZone: org.time_zone, workingHours: org.working_hours };
        const dueAt = line2AnswerDueAt(now, clock, this.calendar);
        due[org.id] = dueAt.toISOString();
        await this.parts.openLine2(
          tx,
          a.id,
          org.id,
          now,
          dueAt,
          line2ExtensionLimitAt(now, clock, this.calendar),
        );
      }
      // Parts returned as misrouted are routed on by this escalation: they are closed.
      const rerouted = (await this.parts.closeReturned(tx, a.id, now)).filter(
        (id) => !orgs.some((o) => o.id === id),
      );
      await this.appeals.update(tx, a.id, { status: AppealStatus.Escalated, line: 2, topicId, subject });
      await record('escalated', {
        organisationIds: orgs.map((o) => o.id),
        dueAt: due,
        request: {
          registrationNumber: a.registration_number,
          registeredAt: a.registered_at,
          topicId,
          subject,
        },
        late: a.escalation_due_at ? now > new Date(a.escalation_due_at) : false,
        ...(input.noKnowledgeBaseAnswer ? { knowledgeBaseGap: true } : {}),
        ...(rerouted.length > 0 ? { reroutedFrom: rerouted } : {}),
      });
    });
  }
}
