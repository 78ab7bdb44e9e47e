import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditLog } from '@inbox/access';
import { invalidInput, notFoundError, UUID } from '@inbox/common';
import { Transactions } from '@inbox/database';
import { columnIndex, csvRecordsWithLines } from '@inbox/text-classifier';
import {
  ClassificationExamplesRepository,
  type ExampleBatch,
} from '../repositories/classification-examples.repository';
import { TrainingSourcesRepository } from '../repositories/training-sources.repository';
import { appealInput } from './appeal-input';

const COLUMNS = {
  text: ['text', 'текст', 'текст_обращения'],
  subject: ['subject', 'тема_письма', 'заголовок'],
  topic: ['topic_code', 'topic', 'label', 'код_темы', 'тема'],
  subtopic: ['subtopic_code', 'subtopic', 'код_подтемы', 'подтема'],
  channel: ['channel', 'канал'],
  channelCategory: ['channel_category', 'категория_канала'],
  objectType: ['object_type', 'тип_объекта'],
  territory: ['territory', 'territory_code', 'октмо'],
};

export const MAX_EXAMPLE_TEXT = 20_000;

/**
 * Labelled history from another system, uploaded as CSV (text, topic_code, subtopic_code, and optionally
 * subject, channel, channel_category, object_type, territory). Good lines are stored as one batch, bad
 * ones reported by line number; the next retraining learns from them.
 */
@Injectable()
export class TrainingExamples {
  constructor(
    private readonly sources: TrainingSourcesRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly examples: ClassificationExamplesRepository,
  ) {}

  async importCsv(
    csv: string,
    actor: { userId: string | null },
  ): Promise<{
    batchId: string;
    stored: number;
    errors: { line: number; message: string }[];
    errorCount: number;
  }> {
    const records = csvRecordsWithLines(csv);
    if (records.length === 0) throw invalidInput('Файл пуст', [{ line: 1, message: 'Файл пуст' }]);
    const [header, ...data] = records;
    const col = Object.fromEntries(
      Object.entries(COLUMNS).map(([k, names]) => [k, columnIndex(header.fields, names)]),
    ) as Record<keyof typeof COLUMNS, number>;
    const missing = (['text', 'topic'] as const).filter((k) => col[k] < 0);
    if (missing.length > 0) {
      throw invalidInput('Нет обязательных столбцов text и topic_code', [
        {
          line: header.line,
          message: `Нет столбцов: ${missing.join(', ')} (ожидаются text, topic_code, subtopic_code)`,
        },
      ]);
    }
    const topics = await this.sources.topics();
    const byCode = new Map(topics.map((t) => [t.code, t]));
    const cell = (f: readonly string[], i: number) => (i >= 0 ? (f[i] ?? '').trim() : '');
    const errors: { line: number; message: string }[] = [];
    const rows: { text: string; features: Record<string, string>; label: string }[] = [];
    for (const { line, fields } of data) {
      const text = cell(fields, col.text);
      const topicCode = cell(fields, col.topic);
      const subtopicCode = cell(fields, col.subtopic);
      const problems: string[] = [];
      if (!text) problems.push('пустой текст');
      else if (text.length > MAX_EXAMPLE_TEXT) problems.push(`текст длиннее ${MAX_EXAMPLE_TEXT} символов`);
      const topic = byCode.get(topicCode);
      const subtopic = subtopicCode ? byCode.get(subtopicCode) : undefined;
      if (!topicCode) problems.push('не указана тема');
      else if (!topic) problems.push(`темы «${topicCode}» нет в рубрикаторе`);
      else if (!topic.active) problems.push(`тема «${topicCode}» отключена`);
      if (subtopicCode) {
        if (!subtopic) problems.push(`подтемы «${subtopicCode}» нет в рубрикаторе`);
        else if (!subtopic.active) problems.push(`подтема «${subtopicCode}» отключена`);
        else if (topic && subtopic.parent_id !== topic.id)
          problems.push(`«${subtopicCode}» — не подтема «${topicCode}»`);
      }
      if (problems.length > 0) {
        errors.push({ line, message: problems.join('; ') });
        continue;
      }
      const channel = cell(fields, col.channel) || 'import';
      const category = cell(fields, col.channelCategory);
      const input = appealInput({
        subject: cell(fields, col.subject) || null,
        text,
        channel,
        channelCategory: category ? { id: category } : null,
        territoryCode: cell(fields, col.territory) || null,
        features: { objectType: cell(fields, col.objectType) },
      });
      rows.push({ text: input.text, features: input.features, label: subtopicCode || topicCode });
    }
    if (rows.length === 0) {
      throw invalidInput('В файле нет ни одной годной строки', errors.slice(0, 200));
    }
    const batchId = randomUUID();
    const userId = actor.userId && UUID.test(actor.userId) ? actor.userId : null;
    await this.transactions.run(async (tx) => {
      await this.examples.insertBatch(batchId, rows, userId, tx);
      await this.audit.record(
        {
          userId,
          action: 'classification.training-data-import',
          entityType: 'training-batch',
          entityId: batchId,
          details: { stored: rows.length, rejected: errors.length },
        },
        tx,
      );
    });
    return { batchId, stored: rows.length, errors: errors.slice(0, 200), errorCount: errors.length };
  }

  batches(): Promise<ExampleBatch[]> {
    return this.examples.batches();
  }

  async deleteBatch(batchId: string, actor: { userId: string | null }): Promise<number> {
    if (!UUID.test(batchId)) throw notFoundError('Набор обучающих данных не найден');
    return this.transactions.run(async (tx) => {
      const n = await this.examples.deleteBatch(batchId, tx);
      if (n === 0) throw notFoundError('Набор обучающих данных не найден');
      await this.audit.record(
        {
          userId: actor.userId,
          action: 'classification.training-data-delete',
          entityType: 'training-batch',
          entityId: batchId,
          details: { deleted: n },
        },
        tx,
      );
      return n;
    });
  }
}
