import { Injectable } from '@nestjs/common';
import { AppealNotesRepository } from '../../repositories/notes.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { WorkflowError } from '../workflow-error';

/** An internal note of staff on the appeal (never shown to the citizen). */
@Injectable()
export class AddNoteCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly notes: AppealNotesRepository,
  ) {}

  async execute(appealId: string, actor: Actor, text: string): Promise<{ id: string }> {
    return this.change.run(appealId, actor, 'add-note', async ({ tx, appeal: a, record }) => {
      const clean = text.trim();
      if (!clean) throw new WorkflowError('invalid-input', 'Пустая заметка', { text: 'Напишите заметку' });
      const id = await this.notes.add(tx, { appealId: a.id, authorId: actor.userId, text: clean });
      await record('note-added', { noteId: id });
      return { id };
    });
  }
}
