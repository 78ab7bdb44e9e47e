import { Injectable } from '@nestjs/common';
import { redirectionNoticeRu } from '../../applicant-texts';
import { AppealStatus } from '../../appeal-status';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { WorkflowReferencesRepository } from '../../repositories/workflow-references.repository';
import { type Actor } from '../actor';
import { russianDate } from '../answer-template';
import { AppealChange } from '../appeal-change';
import { assertTransition, mayRedirect, REDIRECT_REFUSED, redirectLate } from '../rules';
import { WorkflowError } from '../workflow-error';

/**
 * Forwarded to the competent body, the applicant told: a 59-ФЗ appeal within 7 days of registration (ст. 8 ч. 3);
 * a message outside 59-ФЗ has no such term.
 */
@Injectable()
export class RedirectCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly references: WorkflowReferencesRepository,
  ) {}

  async execute(appealId: string, actor: Actor, input: { body: string; reason: string }, now = new Date()) {
    await this.change.run(appealId, actor, 'redirect', async ({ tx, appeal: a, record, notifyApplicant }) => {
      if (!mayRedirect(actor, a.organisation_id)) throw new WorkflowError('forbidden', REDIRECT_REFUSED);
      assertTransition(a.status, AppealStatus.Redirected);
      const late = redirectLate(a, now);
      await this.appeals.update(tx, a.id, { status: AppealStatus.Redirected });
      if (late) {
        await this.references.markOverdue(tx, {
          appealId: a.id,
          organisationId: a.organisation_id,
          clock: 'redirect',
          dueAt: a.redirect_due_at,
          holderUserId: actor.userId,
        });
      }
      await record('redirected', { body: input.body, reason: input.reason, late });
      await notifyApplicant(
        'status-notice',
        null,
        redirectionNoticeRu(
          a.registration_number,
          russianDate(a.registered_at, a.time_zone),
          input.body,
          a.regime,
        ),
      );
    });
  }
}
