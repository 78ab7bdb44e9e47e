import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  CLASS_WEIGHT_CANDIDATES,
  ClassifierInputError,
  type LabelledExample,
  type Multiclass,
  readCsvColumns,
  round,
  type SelectionMetric,
  sortByTime,
  trainOffThread,
} from '@inbox/text-classifier';

/** The shared data set, beside the repository (never copied into it). */
export const DEFAULT_BENCH_DATA = path.join(
  repositoryRoot(),
  '..',
  'shared',
  'data',
  'spb-appeals',
  'train.csv.gz',
);

function repositoryRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export interface BenchTarget {
  /** Short name for `bench --only`. */
  readonly key: string;
  readonly name: string;
  readonly label: string;
  readonly features: readonly string[];
  /** Finer labels nested in `label`, used in training only (their model votes for the parent). */
  readonly fineLabel?: string;
  /** An intermediate label the target follows from, used in training only (see `pivot.ts`). */
  readonly pivotLabel?: string;
  /** Share of the training rows held out (half calibrates, half reports); the library's 10 % by default. */
  readonly holdout?: number;
  /** Rows weighted by recency with this half-life in days (`--recency-half-life`); flat when absent. */
  readonly recencyHalfLifeDays?: number;
  /** The first sentence of a text counts twice in its features (`--repeat-first-sentence`). */
  readonly repeatFirstSentence?: boolean;
  /** The own model's kinds tried on the calibration slice (`tuneMulticlass`); one-vs-rest only when absent. */
  readonly multiclass?: readonly Multiclass[];
  readonly metric: 'macroF1' | 'accuracy';
  readonly goal: number;
}

/** Issue 19's targets on the time split: train on the earliest 80 % by date, test on the latest 20 %. */
export const BENCH_TARGETS: readonly BenchTarget[] = [
  {
    key: 'category',
    name: 'category macro-F1, text only',
    label: 'category',
    features: [],
    fineLabel: 'reason',
    // The fine-label vote's weight is chosen on 2 440 calibration rows instead of 1 220: in the smaller
    // slice the smallest categories have 2–8 rows, and adjacent weights differ by less than that noise.
    holdout: 0.2,
    // Chosen on the calibration slice among 30, 60, 120, 240 and 365 days and flat (README, Classification).
    recencyHalfLifeDays: 30,
    // A joint Crammer–Singer model beside one-vs-rest, the calibration slice choosing (experiments log).
    multiclass: ['ovr', 'crammer-singer'],
    metric: 'macroF1',
    goal: 0.875,
  },
  {
    key: 'category-object',
    name: 'category macro-F1, text + city_object',
    label: 'category',
    features: ['city_object'],
    fineLabel: 'reason',
    holdout: 0.2,
    // Not repeatFirstSentence: it gained on two nested splits, but this target's calibration slice, which makes
    // every other choice here, lost with it three times of three (docs/classification-experiments.md).
    metric: 'macroF1',
    goal: 0.915,
  },
  {
    key: 'reason',
    name: 'reason (typical need) macro-F1, text + city_object',
    label: 'reason',
    features: ['city_object'],
    metric: 'macroF1',
    goal: 0.62,
  },
  {
    key: 'executor',
    name: 'executor organisation accuracy, text + city_object + district',
    label: 'executor_org',
    features: ['city_object', 'district'],
    pivotLabel: 'reason',
    // Chosen on the calibration slice as the category's half-life was (README, Classification).
    recencyHalfLifeDays: 60,
    metric: 'accuracy',
    goal: 0.87,
  },
];

/** The calibration slice's choices (the vote's or the route's weight) maximise the target's own metric. */
export function selectionMetricOf(target: BenchTarget): SelectionMetric {
  return target.metric === 'accuracy' ? 'accuracy' : 'macro-f1';
}

/** The targets named by their keys, in the table's order, and the keys that name none. */
export function selectBenchTargets(keys: readonly string[]): { targets: BenchTarget[]; unknown: string[] } {
  const unknown = keys.filter((key) => !BENCH_TARGETS.some((t) => t.key === key));
  return { targets: BENCH_TARGETS.filter((t) => keys.includes(t.key)), unknown };
}

export interface BenchRow {
  readonly target: BenchTarget;
  readonly figure: number;
  readonly met: boolean;
  readonly trainRows: number;
  readonly testRows: number;
  readonly msPerItem: number;
  readonly trainingSeconds: number;
  /**
   * CPU seconds of the whole process while the model trained (all threads: the training thread and the
   * solvers' workers), the figure a loaded machine's wall time cannot give.
   */
  readonly trainingCpuSeconds: number;
  /** The machine's 1-minute load average when the training ended (the wall time depends on it). */
  readonly loadAverage: number;
  /** How late a 10 ms timer fired on this (the serving) thread while the model trained in its own thread. */
  readonly loopLagMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

export interface BenchOptions {
  readonly data?: string;
  readonly testShare?: number;
  readonly threads?: number;
  /** Measure only these targets (default: all of {@link BENCH_TARGETS}). */
  readonly targets?: readonly BenchTarget[];
  readonly log?: (message: string) => void;
}

/** Trains and measures each target on the time split; each model trains off the event loop. */
export async function runBench(options: BenchOptions = {}): Promise<BenchRow[]> {
  const data = options.data ?? DEFAULT_BENCH_DATA;
  const log = options.log ?? (() => undefined);
  const testShare = options.testShare ?? 0.2;
  const columns = ['created_at', 'text', 'category', 'reason', 'executor_org', 'city_object', 'district'];
  const table = await readCsvColumns(data, columns);
  log(`read ${table.rows} rows from ${data}`);
  const out: BenchRow[] = [];
  for (const target of options.targets ?? BENCH_TARGETS) {
    const examples: LabelledExample[] = [];
    for (let i = 0; i < table.rows; i++) {
      const label = table.columns[target.label][i].trim();
      if (label === '') continue;
      const features: Record<string, string> = {};
      for (const f of target.features) features[f] = table.columns[f][i];
      examples.push({
        text: table.columns.text[i],
        features,
        label,
        time: table.columns.created_at[i],
        ...(target.fineLabel ? { fineLabel: table.columns[target.fineLabel][i].trim() } : {}),
        ...(target.pivotLabel ? { pivotLabel: table.columns[target.pivotLabel][i].trim() } : {}),
      });
    }
    const sorted = sortByTime(examples);
    const boundary = sorted.length - Math.round(sorted.length * testShare);
    const train = sorted.slice(0, boundary);
    const test = sorted.slice(boundary);
    log(
      `${target.name}: ${train.length} training rows up to ${train[train.length - 1].time}, ${test.length} test rows`,
    );

    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const model = await trainOffThread(train, {
      features: { featureColumns: target.features, repeatFirstSentence: target.repeatFirstSentence ?? false },
      holdoutOrder: 'tail',
      ...(target.holdout !== undefined ? { holdout: target.holdout } : {}),
      ...(target.recencyHalfLifeDays !== undefined
        ? { recencyHalfLifeDays: target.recencyHalfLifeDays }
        : {}),
      // As the product trains: each class weighting tried on the calibration slice, the best kept.
      tuneClassWeight: CLASS_WEIGHT_CANDIDATES,
      ...(target.multiclass ? { tuneMulticlass: target.multiclass } : {}),
      selectBy: selectionMetricOf(target),
      split: `time:created_at:${testShare}`,
      threads: options.threads,
      log: (message) => log(`  ${message}`),
    });
    const trainingSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const loadAverage = os.loadavg()[0];
    lag.disable();
    const report = model.evaluate(test);
    const figure = report[target.metric];
    out.push({
      target,
      figure,
      met: figure >= target.goal,
      trainRows: train.length,
      testRows: test.length,
      msPerItem: report.msPerItem,
      trainingSeconds: round(trainingSeconds, 1),
      trainingCpuSeconds: round((cpu.user + cpu.system) / 1e6, 1),
      loadAverage: round(loadAverage, 1),
      loopLagMs: {
        p50: round(Math.max(0, lag.percentile(50) / 1e6 - 10), 1),
        p99: round(Math.max(0, lag.percentile(99) / 1e6 - 10), 1),
        max: round(Math.max(0, lag.max / 1e6 - 10), 1),
      },
    });
    log(
      `  ${target.metric} ${figure} (goal ${target.goal}), ${report.msPerItem} ms/item, fine-label vote ${model.hierarchyMix}, ` +
        `route through the pivot ${model.pivotMix}, class weights ${model.metadata.linear.classWeight}`,
    );
  }
  return out;
}

export function benchTable(rows: readonly BenchRow[]): string {
  const lines = [
    '| target | figure | goal | met | ms/item | training s (CPU s, load) | loop lag while training p99/max ms |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.target.name} | ${r.figure.toFixed(4)} | ≥ ${r.target.goal} | ${r.met ? 'yes' : 'no'} | ` +
        `${r.msPerItem.toFixed(3)} | ${r.trainingSeconds.toFixed(1)} (${r.trainingCpuSeconds.toFixed(1)}, ${r.loadAverage}) | ` +
        `${r.loopLagMs.p99}/${r.loopLagMs.max} |`,
    ),
  ];
  const cpus = os.cpus();
  lines.push(
    '',
    `${rows[0]?.trainRows ?? 0} training / ${rows[0]?.testRows ?? 0} test rows (time split, latest 20 % tested); ` +
      `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
  );
  return lines.join('\n');
}

/** Whether the shared data is there (the bench and the conformance test need it; npm test does not). */
export function benchDataMissing(data = DEFAULT_BENCH_DATA): ClassifierInputError | undefined {
  try {
    fs.accessSync(data);
    return undefined;
  } catch {
    return new ClassifierInputError(
      `the bench needs the shared data set at ${data} (../shared/data/spb-appeals/train.csv.gz beside the repository); pass --data <file>`,
    );
  }
}
