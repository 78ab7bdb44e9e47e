import { ClassifierInputError, readCsvColumns } from './csv';

/** A labelled example read from a CSV file. */
export interface LabelledExample {
  readonly text: string;
  readonly features: Readonly<Record<string, string>>;
  readonly label: string;
  /** Value of the time column, when one was asked for (for time-based splits). */
  readonly time?: string;
  /**
   * A finer label inside `label` (e.g. the typical need inside a category). When rows carry one, training
   * also fits a model over the fine labels and lets the best fine label vote for its parent.
   */
  readonly fineLabel?: string;
  /**
   * An intermediate label the label follows from (e.g. the typical need behind an executor). When rows carry
   * one, training also fits a model over it and mixes in the route pivot → label counted per structured
   * inputs (see `pivot.ts`).
   */
  readonly pivotLabel?: string;
}

export interface DatasetSpec {
  readonly textColumn: string;
  readonly labelColumn: string;
  readonly featureColumns: readonly string[];
  readonly timeColumn?: string;
  /** Rows with an empty label become the class {@link EMPTY_LABEL} instead of being skipped. */
  readonly keepEmptyLabels?: boolean;
  /** A column of finer labels nested in the label column (see {@link LabelledExample.fineLabel}). */
  readonly fineLabelColumn?: string;
  /** A column of intermediate labels the label follows from (see {@link LabelledExample.pivotLabel}). */
  readonly pivotLabelColumn?: string;
}

export interface LoadedDataset {
  readonly examples: LabelledExample[];
  /** Data rows in the file. */
  readonly rows: number;
  /** Rows skipped because their label was empty. */
  readonly skippedEmptyLabels: number;
}

/** The class name used for rows without a label when they are kept. */
export const EMPTY_LABEL = '(empty)';

export async function loadLabelledCsv(path: string, spec: DatasetSpec): Promise<LoadedDataset> {
  const wanted = [
    ...new Set([
      spec.textColumn,
      spec.labelColumn,
      ...spec.featureColumns,
      ...(spec.timeColumn ? [spec.timeColumn] : []),
      ...(spec.fineLabelColumn ? [spec.fineLabelColumn] : []),
      ...(spec.pivotLabelColumn ? [spec.pivotLabelColumn] : []),
    ]),
  ];
  const { rows, columns } = await readCsvColumns(path, wanted);
  const examples: LabelledExample[] = [];
  let skippedEmptyLabels = 0;
  for (let i = 0; i < rows; i++) {
    let label = columns[spec.labelColumn][i].trim();
    if (label === '') {
      if (!spec.keepEmptyLabels) {
        skippedEmptyLabels++;
        continue;
      }
      label = EMPTY_LABEL;
    }
    const features: Record<string, string> = {};
    for (const column of spec.featureColumns) features[column] = columns[column][i];
    examples.push({
      text: columns[spec.textColumn][i],
      features,
      label,
      time: spec.timeColumn ? columns[spec.timeColumn][i] : undefined,
      ...(spec.fineLabelColumn ? { fineLabel: columns[spec.fineLabelColumn][i].trim() } : {}),
      ...(spec.pivotLabelColumn ? { pivotLabel: columns[spec.pivotLabelColumn][i].trim() } : {}),
    });
  }
  if (examples.length === 0) {
    throw new ClassifierInputError(`no rows with a non-empty "${spec.labelColumn}" label in ${path}`);
  }
  return { examples, rows, skippedEmptyLabels };
}

/**
 * A time-based split: the test part is the latest `fraction` of rows, or every row at or after `cutoff`.
 * Written `time:<column>:<fraction>` (e.g. `time:created_at:0.25`) or `time:<column>:<cutoff>`
 * (e.g. `time:created_at:2021-01-01`).
 */
export interface TimeSplit {
  readonly column: string;
  readonly fraction?: number;
  readonly cutoff?: string;
}

export function parseSplit(spec: string): TimeSplit {
  const match = /^time:([^:]+):(.+)$/.exec(spec.trim());
  if (!match) {
    throw new ClassifierInputError(
      `bad --split "${spec}": expected time:<column>:<fraction> or time:<column>:<cutoff>, e.g. time:created_at:0.25`,
    );
  }
  const [, column, value] = match;
  const fraction = Number(value);
  if (/^\d*\.?\d+$/.test(value) && fraction > 0 && fraction < 1) return { column, fraction };
  return { column, cutoff: value };
}

function timeKey(values: readonly string[]): (value: string) => number | string {
  const numeric = values.every((v) => v.trim() !== '' && !Number.isNaN(Date.parse(v)));
  return numeric ? (v) => Date.parse(v) : (v) => v;
}

/** Sorts examples by their time value (stable; dates compared as dates when all parse). */
export function sortByTime(examples: readonly LabelledExample[]): LabelledExample[] {
  const key = timeKey(examples.map((e) => e.time ?? ''));
  const keyed = examples.map((example, index) => ({ example, index, key: key(example.time ?? '') }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index));
  return keyed.map((k) => k.example);
}

export function splitByTime(
  examples: readonly LabelledExample[],
  split: TimeSplit,
): { train: LabelledExample[]; test: LabelledExample[] } {
  const sorted = sortByTime(examples);
  let boundary: number;
  if (split.fraction !== undefined) {
    boundary = sorted.length - Math.round(sorted.length * split.fraction);
  } else {
    const cutoff = split.cutoff ?? '';
    const key = timeKey([...sorted.map((e) => e.time ?? ''), cutoff]);
    const c = key(cutoff);
    boundary = sorted.findIndex((e) => key(e.time ?? '') >= c);
    if (boundary < 0) boundary = sorted.length;
  }
  const train = sorted.slice(0, boundary);
  const test = sorted.slice(boundary);
  if (train.length === 0 || test.length === 0) {
    throw new ClassifierInputError(
      `split time:${split.column}:${split.fraction ?? split.cutoff} leaves ${train.length} training and ${test.length} test rows`,
    );
  }
  return { train, test };
}
