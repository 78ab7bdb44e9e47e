import { Injectable } from '@nestjs/common';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { type CardChanges, CardEditor } from '../card-editor';
import { WorkflowError } from '../workflow-error';

/** Staff complete or correct the applicant's data and the subject, with history and audit. */
@Injectable()
export class UpdateCardCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly editor: CardEditor,
  ) {}

  async execute(appealId: string, actor: Actor, changes: CardChanges): Promise<{ fields: string[] }> {
    return this.change.run(appealId, actor, 'update-card', async (context) => {
      const fields = await this.editor.apply(context, context.appeal, changes);
      if (fields.length === 0)
        throw new WorkflowError('invalid-input', 'Нечего изменить: укажите поля карточки');
      return { fields };
    });
  }
}
