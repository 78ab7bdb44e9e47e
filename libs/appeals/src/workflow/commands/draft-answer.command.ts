import { Injectable } from '@nestjs/common';
import { russianLocalDate } from '@inbox/deadlines';
import { AnswerTemplatesRepository } from '../../repositories/answer-templates.repository';
import { AnswersRepository } from '../../repositories/answers.repository';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { type Actor } from '../actor';
import { applicantValues, renderTemplate, russianDate } from '../answer-template';
import { AppealChange, type WithinChange } from '../appeal-change';
import { requireCaseworker, WorkflowRules } from '../rules';
import { WorkflowError } from '../workflow-error';

/** A draft answer, from a template (placeholders filled) or typed text. */
@Injectable()
export class DraftAnswerCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly answers: AnswersRepository,
    private readonly templates: AnswerTemplatesRepository,
    private readonly rules: WorkflowRules,
  ) {}

  async execute(
    appealId: string,
    actor: Actor,
    input: { templateId?: string; text?: string },
    /** Run in the draft's transaction once it is written (another lib links it to its own rows, or refuses). */
    then?: WithinChange<string>,
  ): Promise<string> {
    return this.change.run(appealId, actor, 'draft-answer', async ({ tx, appeal: a, record }) => {
      requireCaseworker(actor);
      await this.rules.assertWorksOn(tx, a, actor);
      let text = input.text?.trim() ?? '';
      if (input.templateId) {
        const body = await this.templates.bodyFor(tx, input.templateId, actor.organisationId);
        if (body === undefined) {
          throw new WorkflowError('invalid-input', 'Типовой ответ не найден', {
            templateId: 'Типовой ответ не найден',
          });
        }
        const values = await this.appeals.templateValues(tx, a.id, actor.organisationId);
        const rendered = renderTemplate(body, {
          ...applicantValues(values),
          registrationNumber: a.registration_number,
          registrationDate: russianDate(a.registered_at, a.time_zone),
          organisation: values.short_name ?? '',
          answerDueDate: russianLocalDate(a.answer_due_date),
        });
        text = text ? `${rendered}\n\n${text}` : rendered;
      }
      if (!text) {
        throw new WorkflowError('invalid-input', 'Напишите текст ответа или выберите типовой ответ', {
          text: 'Пустой ответ',
        });
      }
      const answerId = await this.answers.insertDraft(tx, {
        appealId: a.id,
        organisationId: actor.organisationId,
        authorId: actor.userId,
        templateId: input.templateId ?? null,
        text,
      });
      await record('answer-drafted', { answerId, templateId: input.templateId ?? null });
      await then?.(tx, a, answerId);
      return answerId;
    });
  }
}
