import { Injectable } from '@nestjs/common';
import { AppealsRepository } from '../../repositories/appeals.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { WorkflowRules } from '../rules';

/** Topic (and subtopic) chosen or corrected by a person. */
@Injectable()
export class ClassifyCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly appeals: AppealsRepository,
    private readonly rules: WorkflowRules,
  ) {}

  async execute(appealId: string, actor: Actor, topicId: string, subtopicId?: string): Promise<void> {
    await this.change.run(appealId, actor, 'classify', async ({ tx, appeal: a, record }) => {
      await this.rules.assertTopic(tx, topicId, subtopicId);
      await this.appeals.update(tx, a.id, { topicId, subtopicId: subtopicId ?? null });
      await record('classified', { topicId, subtopicId: subtopicId ?? null, previous: a.topic_id });
    });
  }
}
