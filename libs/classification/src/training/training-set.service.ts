import { Injectable } from '@nestjs/common';
import { Transactions } from '@inbox/database';
import { ClassificationExamplesRepository } from '../repositories/classification-examples.repository';
import { TrainingSourcesRepository } from '../repositories/training-sources.repository';
import { storedAppealInput, type TrainingRow } from './appeal-input';

/**
 * What the topic model learns from, newest first up to a cap: labelled examples uploaded as CSV, appeals a
 * person classified (a clerk's correction counts double and is never held back), and — for the demo region —
 * the demo appeals' own labels (features.demoTopic/demoSubtopic), which bootstrap the first model.
 * Labels are the codes of active leaves; rows whose topic was switched off are left out.
 */
@Injectable()
export class TrainingSet {
  constructor(
    private readonly sources: TrainingSourcesRepository,
    private readonly examplesRepository: ClassificationExamplesRepository,
    private readonly transactions: Transactions,
  ) {}

  async rows(maxRows: number): Promise<{ rows: TrainingRow[]; sources: Record<string, number> }> {
    const topics = await this.sources.topics();
    const byId = new Map(topics.map((t) => [t.id, t]));
    const byCode = new Map(topics.map((t) => [t.code, t]));
    const leafLabel = (topicId: string | null, subtopicId: string | null): string | undefined => {
      const sub = subtopicId ? byId.get(subtopicId) : undefined;
      if (sub?.active && sub.parent_id === topicId) return sub.code;
      const topic = topicId ? byId.get(topicId) : undefined;
      return topic?.active ? topic.code : undefined;
    };
    const demoLabel = (topicCode: unknown, subtopicCode: unknown): string | undefined => {
      const sub = typeof subtopicCode === 'string' ? byCode.get(subtopicCode) : undefined;
      const topic = typeof topicCode === 'string' ? byCode.get(topicCode) : undefined;
      if (sub?.active && topic && sub.parent_id === topic.id) return sub.code;
      return topic?.active ? topic.code : undefined;
    };

    // Up to the whole labelled history: long work, not a stuck statement (Transactions.runLong).
    const [appeals, examples] = await this.transactions.runLong(
      async (tx) =>
        [
          await this.sources.labelledAppeals(maxRows, tx),
          await this.examplesRepository.newest(maxRows, tx),
        ] as const,
    );
    const sources = { appeals: 0, corrections: 0, demo: 0, csv: 0, skipped: 0 };
    const rows: TrainingRow[] = [];
    for (const a of appeals) {
      const label = a.human
        ? leafLabel(a.topic_id, a.subtopic_id)
        : demoLabel(a.features?.demoTopic, a.features?.demoSubtopic);
      if (!label) {
        sources.skipped++;
        continue;
      }
      if (a.human) sources.appeals++;
      else sources.demo++;
      if (a.corrected) sources.corrections++;
      const input = storedAppealInput(a);
      rows.push({
        key: `appeal:${a.id}`,
        text: input.text,
        features: input.features,
        label,
        time: new Date(a.registered_at).toISOString(),
        corrected: a.human && a.corrected,
      });
    }
    for (const e of examples) {
      const topic = byCode.get(e.label);
      if (!topic?.active) {
        sources.skipped++;
        continue;
      }
      sources.csv++;
      rows.push({
        key: `csv:${e.id}`,
        text: e.text,
        features: e.features ?? {},
        label: e.label,
        time: new Date(e.createdAt).toISOString(),
        corrected: false,
      });
    }
    rows.sort((x, y) => (x.time! < y.time! ? -1 : x.time! > y.time! ? 1 : x.key.localeCompare(y.key)));
    return { rows: rows.slice(Math.max(0, rows.length - maxRows)), sources };
  }
}
