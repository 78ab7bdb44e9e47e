import { Injectable } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { ClassificationCorrectionsRepository } from '../repositories/classification-corrections.repository';
import { PipelineAppealsRepository } from '../repositories/pipeline-appeals.repository';
import { ClassificationPipeline } from './classification-pipeline.service';

/** An appeal history event as the hooks outbox hands it over. */
export interface FeedbackEvent {
  id: string;
  appealId: string;
  type: string;
  data: Record<string, unknown>;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * Learning from clerks: a person's classification confirms the topic (the appeal leaves the model's
 * hands), and where it differs from what the model or a colleague had chosen — or the model could not
 * decide and queued it for a person — it is recorded as a correction, which the next retraining counts
 * double. A route changed by a person (escalated elsewhere
 * than suggested) or refused (returned as misrouted) is recorded too; the learned routing counts it
 * against that organisation. Idempotent: one correction per history event.
 */
@Injectable()
export class ClerkFeedback {
  private readonly log = rootLogger.child('classification-feedback');

  constructor(
    private readonly appeals: PipelineAppealsRepository,
    private readonly pipeline: ClassificationPipeline,
    private readonly corrections: ClassificationCorrectionsRepository,
  ) {}

  async handle(event: FeedbackEvent): Promise<void> {
    if (event.type === 'classified') await this.onClassified(event);
    else if (event.type === 'escalated') await this.onEscalated(event);
    else if (event.type === 'returned') await this.onReturned(event);
  }

  private async onClassified(event: FeedbackEvent): Promise<void> {
    const after = { topicId: str(event.data.topicId), subtopicId: str(event.data.subtopicId) };
    const actor = await this.appeals.eventActor(event.id);
    await this.appeals.confirmTopic(event.appealId, after.topicId);
    const before = await this.appeals.previousClassification(event.appealId, event.id);
    const previous = before
      ? { topicId: str(before.data.topicId), subtopicId: str(before.data.subtopicId) }
      : str(event.data.previous)
        ? { topicId: str(event.data.previous), subtopicId: null }
        : undefined;
    if (previous && (previous.topicId !== after.topicId || previous.subtopicId !== after.subtopicId)) {
      const modelId = before?.type === 'classified' ? null : str(before?.data.modelId);
      await this.corrections.record({
        appealId: event.appealId,
        kind: 'topic',
        sourceEventId: event.id,
        actor: actor ?? 'system',
        before: {
          ...previous,
          by: before?.type ?? 'classified',
          ...(before?.data.confidence != null ? { confidence: before.data.confidence } : {}),
          ...(before?.type === 'classification-queued' ? { reason: before.data.reason } : {}),
        },
        after,
        modelId,
      });
      this.log.info('topic corrected by a clerk', { appealId: event.appealId, eventId: event.id });
    }
    await this.pipeline.afterReclassification(event.appealId);
  }

  private async onEscalated(event: FeedbackEvent): Promise<void> {
    const chosen = Array.isArray(event.data.organisationIds)
      ? (event.data.organisationIds as unknown[]).filter((x): x is string => typeof x === 'string')
      : [];
    const suggested = await this.appeals.suggested(event.appealId);
    if (!suggested || suggested.length === 0) return;
    const same = chosen.length === suggested.length && chosen.every((id) => suggested.includes(id));
    if (same) return;
    await this.record(
      event,
      { organisationIds: suggested },
      { organisationIds: chosen, reason: 'escalated' },
    );
  }

  private async onReturned(event: FeedbackEvent): Promise<void> {
    const organisationId = str(event.data.organisationId);
    if (!organisationId) return;
    await this.record(event, { organisationId }, { reason: 'returned' });
  }

  private async record(
    event: FeedbackEvent,
    before: Record<string, unknown>,
    after: Record<string, unknown>,
  ) {
    const actor = await this.appeals.eventActor(event.id);
    await this.corrections.record({
      appealId: event.appealId,
      kind: 'routing',
      sourceEventId: event.id,
      actor: actor ?? 'system',
      before,
      after,
    });
    this.log.info('route corrected by a clerk', { appealId: event.appealId, eventId: event.id });
  }
}
