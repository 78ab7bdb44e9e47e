import { Injectable } from '@nestjs/common';
import { misroutedReturnDueAt, ProductionCalendar } from '@inbox/deadlines';
import { AppealStatus } from '../../appeal-status';
import { AppealPartsRepository } from '../../repositories/appeal-parts.repository';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { WorkflowReferencesRepository } from '../../repositories/workflow-references.repository';
import { NotificationsRepository } from '../../repositories/notifications.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { assertTransition, NOT_AT_YOUR_ORGANISATION, requireCaseworker } from '../rules';
import { WorkflowError } from '../workflow-error';

/** Line 2 sends a misrouted item back to line 1; S0: within 2 hours, a later return is a recorded violation. */
@Injectable()
export class ReturnCommand {
  private readonly calendar = ProductionCalendar.russian();

  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
    private readonly references: WorkflowReferencesRepository,
    private readonly notifications: NotificationsRepository,
  ) {}

  async execute(appealId: string, actor: Actor, reason: string, now = new Date()): Promise<void> {
    await this.change.run(appealId, actor, 'return', async ({ tx, appeal: a, record }) => {
      requireCaseworker(actor);
      const part = await this.parts.activeLine2(tx, a.id, actor.organisationId);
      if (!part) throw new WorkflowError('conflict', NOT_AT_YOUR_ORGANISATION);
      const returnDue = misroutedReturnDueAt(
        new Date(part.assigned_at),
        { timeZone: part.time_zone, workingHours: part.working_hours },
        this.calendar,
      );
      const late = now > returnDue;
      await this.parts.markReturned(tx, a.id, actor.organisationId, now, reason);
      if (late) {
        await this.references.markOverdue(tx, {
          appealId: a.id,
          organisationId: actor.organisationId,
          clock: 'misrouted-return',
          dueAt: returnDue,
          holderUserId: actor.userId,
        });
      }
      const stillOpen = await this.parts.countOpenLine2(tx, a.id);
      if (stillOpen === 0) {
        assertTransition(a.status, AppealStatus.Returned);
        await this.appeals.update(tx, a.id, { status: AppealStatus.Returned, line: 1, assigneeId: null });
      }
      await this.notifications.notify(tx, await this.notifications.lineOneRecipients(tx, a.id), {
        kind: 'part-returned',
        appealId: a.id,
        text: `Обращение № ${a.registration_number} возвращено организацией как направленное не по адресу: ${reason}`,
      });
      await record('returned', {
        organisationId: actor.organisationId,
        reason,
        returnDueAt: returnDue,
        late,
        backToLine1: stillOpen === 0,
      });
    });
  }
}
