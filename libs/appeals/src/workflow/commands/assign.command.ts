import { Injectable } from '@nestjs/common';
import { canSeeOrganisation } from '@inbox/access';
import { AppealPartsRepository } from '../../repositories/appeal-parts.repository';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { NotificationsRepository } from '../../repositories/notifications.repository';
import { WorkflowReferencesRepository } from '../../repositories/workflow-references.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { requireCaseworker } from '../rules';
import { WorkflowError } from '../workflow-error';

/**
 * Assignee := a staff member of an organisation that holds the appeal, and that the actor works for: line 1 and
 * the region's supervisors assign anyone's staff, an organisation only its own (and its subordinates') — never
 * the staff of another organisation holding a part of the same appeal. Not an administrator.
 */
@Injectable()
export class AssignCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
    private readonly references: WorkflowReferencesRepository,
    private readonly notifications: NotificationsRepository,
  ) {}

  async execute(appealId: string, actor: Actor, userId: string): Promise<void> {
    await this.change.run(appealId, actor, 'assign', async ({ tx, appeal: a, record }) => {
      requireCaseworker(actor);
      const user = await this.references.activeUser(tx, userId);
      if (!user) {
        throw new WorkflowError('invalid-input', 'Сотрудник не найден', { userId: 'Сотрудник не найден' });
      }
      if (!canSeeOrganisation(actor.scope, user.organisation_id)) {
        throw new WorkflowError(
          'forbidden',
          'Назначать сотрудников другой организации может только она сама',
          { userId: 'Сотрудник организации вне вашей области видимости' },
          { assigneeId: userId, organisationId: user.organisation_id },
        );
      }
      if (!(await this.parts.isHeldBy(tx, a.id, user.organisation_id))) {
        throw new WorkflowError(
          'invalid-input',
          'Сотрудник другой организации: сначала направьте обращение в неё',
          { userId: 'Сотрудник организации, у которой нет этого обращения' },
        );
      }
      // Given work by someone else, the assignee is told (one who takes it knows).
      if (userId !== actor.userId) {
        await this.notifications.notify(tx, [userId], {
          kind: 'assigned',
          appealId: a.id,
          text: `Вам назначено обращение № ${a.registration_number}`,
        });
      }
      // One assignee per part: a clerk of an organisation working on its line-2 part gets that part.
      if (await this.parts.activeLine2(tx, a.id, user.organisation_id)) {
        await this.parts.setAssignee(tx, a.id, user.organisation_id, userId);
        await record('assigned', { assigneeId: userId, organisationId: user.organisation_id });
        return;
      }
      await this.appeals.update(tx, a.id, { assigneeId: userId });
      await record('assigned', { assigneeId: userId });
    });
  }
}
