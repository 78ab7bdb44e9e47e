import { createHash } from 'node:crypto';
import { type ClassifierInput, type LabelledExample } from '@inbox/text-classifier';

/** Structured inputs the topic model one-hot encodes, when an item has them. */
export const FEATURE_COLUMNS = ['channel', 'channelCategory', 'objectType', 'territory'] as const;

/** The model labels leaves of the rubricator: the subtopic's code, or the topic's when there is no subtopic. */
export const TOPIC_TARGET = 'topic';

export interface AppealInputSource {
  subject?: string | null;
  text: string;
  channel: string;
  /** The channel's own category as stored on the appeal (ПОС: { id, subcategoryId }). */
  channelCategory?: { id?: string; subcategoryId?: string } | null;
  territoryCode?: string | null;
  /** The inbound item's free-form features (object type…). */
  features?: Record<string, unknown> | null;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** What the model sees of an appeal: subject and text, plus channel, channel category, object type, territory. */
export function appealInput(src: AppealInputSource): ClassifierInput & { features: Record<string, string> } {
  const features: Record<string, string> = { channel: src.channel };
  const category = src.channelCategory?.subcategoryId ?? src.channelCategory?.id;
  if (category) features.channelCategory = `${src.channel}:${category}`;
  const f = src.features ?? {};
  const objectType = stringOf(f.objectType) ?? stringOf(f.object_type) ?? stringOf(f.cityObject);
  if (objectType) features.objectType = objectType.toLowerCase();
  if (src.territoryCode && /^\d{5,}/.test(src.territoryCode))
    features.territory = src.territoryCode.slice(0, 5);
  const subject = src.subject?.trim();
  return { text: subject ? `${subject}.\n${src.text}` : src.text, features };
}

/** An appeal's input as stored (the appeals row and its inbound item's features). */
export function storedAppealInput(a: {
  subject: string | null;
  text: string;
  channel: string;
  channel_category: AppealInputSource['channelCategory'];
  territory_code: string | null;
  features: Record<string, unknown> | null;
}): ClassifierInput & { features: Record<string, string> } {
  return appealInput({
    subject: a.subject,
    text: a.text,
    channel: a.channel,
    channelCategory: a.channel_category,
    territoryCode: a.territory_code,
    features: a.features,
  });
}

export interface TrainingRow extends LabelledExample {
  /** Stable identity of the row (`appeal:<id>`, `csv:<id>`): decides the held-back slice. */
  readonly key: string;
  /** A clerk corrected this one: always trained on, and counted twice. */
  readonly corrected: boolean;
}

/** A stable bucket 0–99 of a key: the same row lands in the same slice at every retraining. */
export function bucketOf(key: string): number {
  return createHash('sha1').update(key).digest().readUInt32BE(0) % 100;
}

/**
 * Splits labelled rows into what a candidate trains on and the held-back slice every candidate and the
 * current model are scored on. The slice is fixed by a hash of each row's key, so no model ever trained on
 * it and the comparison stays fair across retrainings; corrected rows are always trained on (twice).
 */
export function splitHeldBack(
  rows: readonly TrainingRow[],
  heldBackPercent: number,
): { train: LabelledExample[]; heldBack: LabelledExample[] } {
  const train: LabelledExample[] = [];
  const heldBack: LabelledExample[] = [];
  for (const row of rows) {
    const example: LabelledExample = {
      text: row.text,
      features: row.features,
      label: row.label,
      time: row.time,
    };
    if (!row.corrected && bucketOf(row.key) < heldBackPercent) {
      heldBack.push(example);
      continue;
    }
    train.push(example);
    if (row.corrected) train.push(example);
  }
  return { train, heldBack };
}

export interface SliceScores {
  rows: number;
  accuracy: number;
  macroF1: number;
}

/**
 * A candidate is promoted when there is no current model, or when it scores no worse than the current one on
 * the held-back slice (accuracy and macro-F1, each within `tolerance`). Without a slice to compare on, the
 * current model stays.
 */
export function promotionDecision(
  candidate: SliceScores | undefined,
  current: SliceScores | undefined,
  hasCurrent: boolean,
  tolerance = 0,
): { promote: boolean; reason: string } {
  if (!hasCurrent) return { promote: true, reason: 'Действующей модели нет' };
  if (!candidate || !current || candidate.rows === 0) {
    return { promote: false, reason: 'Нет отложенной выборки для сравнения: действующая модель сохранена' };
  }
  const worseAccuracy = candidate.accuracy < current.accuracy - tolerance;
  const worseF1 = candidate.macroF1 < current.macroF1 - tolerance;
  if (worseAccuracy || worseF1) {
    return {
      promote: false,
      reason:
        `На отложенной выборке новая модель хуже: верно определено ${candidate.accuracy} против ` +
        `${current.accuracy}, качество по темам ${candidate.macroF1} против ${current.macroF1}`,
    };
  }
  return {
    promote: true,
    reason:
      `На отложенной выборке не хуже действующей: верно определено ${candidate.accuracy} (было ` +
      `${current.accuracy}), качество по темам ${candidate.macroF1} (было ${current.macroF1})`,
  };
}
