import { Injectable } from '@nestjs/common';
import { AuditLog, refusedOnRecord, Role } from '@inbox/access';
import { forbiddenError, invalidInput, notFoundError } from '@inbox/common';
import {
  type AnswerTemplateChange,
  type AnswerTemplateForAppeal,
  AnswerTemplatesRepository,
  type AnswerTemplateView,
} from './repositories/answer-templates.repository';
import { type Actor } from './workflow/actor';

const UUID = /^[0-9a-f-]{36}$/i;
const OTHER_ORGANISATION = 'Типовые ответы другой организации ведёт она сама';

/** Answer templates per organisation and topic (the knowledge base grows from here). */
@Injectable()
export class AnswerTemplates {
  constructor(
    private readonly templates: AnswerTemplatesRepository,
    private readonly audit: AuditLog,
  ) {}

  /**
   * The actor's organisation's templates and the common ones, for a topic when a valid id is given. An
   * administrator may look at another organisation's (the one they keep templates for).
   */
  list(
    actor: Actor,
    topicId?: string,
    organisationId?: string,
    includeInactive = false,
  ): Promise<AnswerTemplateView[]> {
    if (organisationId && organisationId !== actor.organisationId) {
      if (actor.role !== Role.Admin)
        return this.refuse(actor, 'list-templates', null, {
          organisationId: UUID.test(organisationId) ? organisationId : 'invalid',
        });
      if (!UUID.test(organisationId))
        throw invalidInput('organisationId: UUID организации', { organisationId: 'Не UUID' });
    }
    return this.templates.usableBy(
      organisationId || actor.organisationId,
      topicId && UUID.test(topicId) ? topicId : null,
      includeInactive,
    );
  }

  /**
   * For the card's picker: the actor's organisation's templates and the common ones, those of the appeal's topic
   * and those matching its subject first (AnswerTemplatesRepository.forAppeal); undefined when the appeal lies
   * outside the actor's scope.
   */
  forAppeal(actor: Actor, appealId: string): Promise<AnswerTemplateForAppeal[] | undefined> {
    return this.templates.forAppeal(actor.organisationId, appealId, actor.scope);
  }

  async create(
    actor: Actor,
    input: { title: string; body: string; topicId?: string; organisationId?: string },
  ): Promise<{ id: string }> {
    const organisationId = input.organisationId ?? actor.organisationId;
    if (actor.role !== Role.Admin && organisationId !== actor.organisationId) {
      return this.refuse(actor, 'create-template', null, { organisationId });
    }
    const id = await this.templates.create({
      organisationId,
      topicId: input.topicId ?? null,
      title: input.title,
      body: input.body,
    });
    await this.audit.record({
      userId: actor.userId,
      action: 'create-template',
      entityType: 'answer-template',
      entityId: id,
    });
    return { id };
  }

  /**
   * Edits a template or (de)activates it: an organisation keeps its own, the administrator any organisation's
   * and the common ones. Answers already made from it keep their text.
   */
  async update(actor: Actor, id: string, change: AnswerTemplateChange): Promise<AnswerTemplateView> {
    const template = UUID.test(id) ? await this.templates.byId(id) : undefined;
    if (!template) throw notFoundError('Типовой ответ не найден');
    if (actor.role !== Role.Admin && template.organisationId !== actor.organisationId) {
      return this.refuse(
        actor,
        'update-template',
        id,
        { organisationId: template.organisationId ?? 'common' },
        template.organisationId ? OTHER_ORGANISATION : 'Общие типовые ответы ведёт администратор',
      );
    }
    const updated = await this.templates.update(id, change);
    await this.audit.record({
      userId: actor.userId,
      action:
        change.active === false
          ? 'deactivate-template'
          : change.active === true && !template.active
            ? 'activate-template'
            : 'update-template',
      entityType: 'answer-template',
      entityId: id,
      details: { fields: Object.keys(change) },
    });
    return updated;
  }

  /**
   * A refusal of another organisation's templates (or the common ones) is on record like every refusal of scope:
   * who tried what, on which template and organisation (ids only); then the 403.
   */
  private refuse(
    actor: Actor,
    action: string,
    templateId: string | null,
    details: Record<string, string>,
    message = OTHER_ORGANISATION,
  ): Promise<never> {
    return refusedOnRecord(
      this.audit,
      { userId: actor.userId, action, entityType: 'answer-template', entityId: templateId, details },
      forbiddenError(message),
    );
  }
}
