import {
  CLASS_WEIGHT_CANDIDATES,
  CLASS_WEIGHTINGS,
  ClassifierInputError,
  countTrainingRows,
  type ClassWeighting,
  type DatasetSpec,
  type FeatureConfig,
  FINE_FEATURES,
  FINE_MODEL_KINDS,
  type FineFeatures,
  type FineModelKind,
  type LabelledExample,
  type LinearLoss,
  type LinearOptions,
  loadLabelledCsv,
  type Multiclass,
  MULTICLASS_KINDS,
  type SelectionMetric,
  parseSplit,
  sortByTime,
  splitByTime,
  TextClassifier,
  type TimeSplit,
  type WeightEncoding,
} from '@inbox/text-classifier';
import {
  BENCH_TARGETS,
  benchDataMissing,
  benchTable,
  DEFAULT_BENCH_DATA,
  runBench,
  selectBenchTargets,
} from './bench';
import {
  choiceOption,
  type CommandSpec,
  listOption,
  numberOption,
  type ParsedArgs,
  parseArgs,
  UsageError,
} from './args';

const USAGE = `Topic classifier: train and measure from any CSV (.csv or .csv.gz, "," or ";" delimited).

  classifier train --data <csv> --text <column> --label <column> --out <model.json[.gz]>
      [--features col1,col2]          structured columns, one-hot encoded
      [--fine-label <column>]         finer labels nested in --label (e.g. reason in category): their model
                                      votes for the parent, its weight chosen on the calibration slice
      [--fine-model flat|within-parent]  each fine label against all rows, or only against its parent's
                                      rows (cheaper; its margin adds to the parent's)
      [--fine-features all|no-char]   the fine model's inputs: all, or without character n-grams (cheaper)
      [--pivot-label <column>]        an intermediate label --label follows from (e.g. reason for the
                                      executor): its model's route through counts per --features is mixed
                                      in, its weight chosen on the calibration slice
      [--split time:<col>:<fraction|cutoff>]  train on the earlier rows, evaluate on the later ones
      [--test-data <csv>]             evaluate on another file after training
      [--time-column <col>]           sort by this column so the held-out slice is the most recent
      [--recency-half-life <days>]    weight rows by age (needs --time-column or --split)
      [--holdout 0.1] [--no-refit]    slice for confidence calibration and held-out scores
      [--select-by macro-f1|accuracy] the metric the calibration slice's choices (C, the vote's and the
                                      route's weight) maximise: the target's own (accuracy for the executor)
      [--loss svm|svm-l1|logreg] [--c 0.5 | --c 0.25,0.5,1 (tuned on the held-out slice)]
      [--class-weight sqrt,balanced (default: tuned on the held-out slice) | sqrt | balanced | none]
      [--multiclass ovr | crammer-singer | ovr,crammer-singer (tried on the held-out slice)]
                                      the label's own model: one-vs-rest SVMs or one joint multiclass SVM
      [--seed 42] [--epochs 1000] [--eps 0.1]
      [--word-ngrams 2] [--char-ngrams 2-5|0] [--min-df 2] [--max-features 0]
      [--word-weight 1] [--char-weight 1] [--feature-weight 1]
      [--crosses]                     pairwise crosses of the structured columns
      [--text-crosses] [--text-cross-weight 1]  structured column × word stem crosses
      [--repeat-first-sentence]       count a text's first sentence twice
      [--weights int8|int16|float32] [--keep-empty-labels] [--threads N]

  classifier eval --model <model> --data <csv> [--split time:<col>:<fraction|cutoff>]
      [--text <column>] [--label <column>] [--keep-empty-labels]

  classifier predict --model <model> --text "..." [--feature col=value]...

  classifier bench [--data <csv>] [--threads N] [--only category,category-object,reason,executor]
      issue 19's targets on the shared data's time split (earliest 80 % train, latest 20 % test):
      figures, ms/item, training time and the serving thread's lag while each model trains

Progress goes to stderr; results are JSON on stdout.`;

const COMMANDS: Record<string, CommandSpec> = {
  train: {
    options: [
      'data',
      'text',
      'label',
      'fine-label',
      'fine-model',
      'fine-features',
      'pivot-label',
      'features',
      'out',
      'split',
      'test-data',
      'time-column',
      'holdout',
      'loss',
      'c',
      'class-weight',
      'multiclass',
      'seed',
      'epochs',
      'eps',
      'word-ngrams',
      'char-ngrams',
      'min-df',
      'max-features',
      'word-weight',
      'char-weight',
      'feature-weight',
      'weights',
      'threads',
      'recency-half-life',
      'text-cross-weight',
      'select-by',
    ],
    flags: ['crosses', 'text-crosses', 'repeat-first-sentence', 'keep-empty-labels', 'no-refit'],
    required: ['data', 'text', 'label', 'out'],
  },
  eval: {
    options: ['model', 'data', 'split', 'text', 'label'],
    flags: ['keep-empty-labels'],
    required: ['model', 'data'],
  },
  predict: {
    options: ['model', 'text', 'feature'],
    flags: [],
    required: ['model', 'text'],
  },
  bench: {
    options: ['data', 'threads', 'only'],
    flags: [],
    required: [],
  },
};

const log = (message: string): void => {
  process.stderr.write(`[classifier] ${message}\n`);
};

function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

function parseCharNgrams(raw: string | undefined): { charMin: number; charMax: number } {
  if (raw === undefined) return { charMin: 2, charMax: 5 };
  if (raw === '0' || raw === 'none') return { charMin: 0, charMax: 0 };
  const match = /^(\d+)-(\d+)$/.exec(raw);
  if (!match || Number(match[1]) < 1 || Number(match[1]) > Number(match[2])) {
    throw new UsageError(`--char-ngrams must be like 2-5 or 0, got "${raw}"`);
  }
  return { charMin: Number(match[1]), charMax: Number(match[2]) };
}

/** Reads labelled rows; with a split, `train` holds the earlier rows and `test` the later ones. */
async function loadRows(
  path: string,
  spec: DatasetSpec,
  split: TimeSplit | undefined,
): Promise<{ train: LabelledExample[]; test?: LabelledExample[] }> {
  const started = performance.now();
  const dataset = await loadLabelledCsv(path, { ...spec, timeColumn: split?.column ?? spec.timeColumn });
  log(
    `read ${dataset.rows} rows from ${path}` +
      (dataset.skippedEmptyLabels > 0 ? `, skipped ${dataset.skippedEmptyLabels} with an empty label` : '') +
      ` [${((performance.now() - started) / 1000).toFixed(1)} s]`,
  );
  if (split) {
    const { train, test } = splitByTime(dataset.examples, split);
    log(
      `time split on ${split.column}: ${train.length} training rows (${train[0].time} … ${train[train.length - 1].time}), ` +
        `${test.length} test rows (${test[0].time} … ${test[test.length - 1].time})`,
    );
    return { train, test };
  }
  return { train: spec.timeColumn ? sortByTime(dataset.examples) : dataset.examples };
}

async function train(args: ParsedArgs): Promise<void> {
  const data = args.options.get('data') as string;
  const out = args.options.get('out') as string;
  const featureColumns = listOption(args, 'features');
  const splitRaw = args.options.get('split');
  const split = splitRaw ? parseSplit(splitRaw) : undefined;
  const testData = args.options.get('test-data');
  const timeColumn = args.options.get('time-column') ?? split?.column;
  const spec: DatasetSpec = {
    textColumn: args.options.get('text') as string,
    labelColumn: args.options.get('label') as string,
    featureColumns,
    timeColumn,
    keepEmptyLabels: args.flags.has('keep-empty-labels'),
    fineLabelColumn: args.options.get('fine-label'),
    pivotLabelColumn: args.options.get('pivot-label'),
  };
  const cValues = listOption(args, 'c').map((v) => {
    const c = Number(v);
    if (!Number.isFinite(c) || c <= 0)
      throw new UsageError(`--c values must be positive numbers, got "${v}"`);
    return c;
  });
  const features: Partial<FeatureConfig> = {
    wordNgrams: numberOption(args, 'word-ngrams', 2, 0, 3),
    ...parseCharNgrams(args.options.get('char-ngrams')),
    minDf: numberOption(args, 'min-df', 2, 1),
    maxFeatures: numberOption(args, 'max-features', 0, 0),
    wordWeight: numberOption(args, 'word-weight', 1, 0),
    charWeight: numberOption(args, 'char-weight', 1, 0),
    categoricalWeight: numberOption(args, 'feature-weight', 1, 0),
    featureColumns,
    crosses: args.flags.has('crosses'),
    textCrosses: args.flags.has('text-crosses'),
    textCrossWeight: numberOption(args, 'text-cross-weight', 1, 0),
    repeatFirstSentence: args.flags.has('repeat-first-sentence'),
  };
  // Several weightings are tried on the calibration slice, the best kept (the product's default: √-balanced
  // and balanced); one is used as given.
  const classWeights = listOption(args, 'class-weight').map((w) => {
    if (!CLASS_WEIGHTINGS.includes(w as ClassWeighting))
      throw new UsageError(`--class-weight values must be among ${CLASS_WEIGHTINGS.join(', ')}, got "${w}"`);
    return w as ClassWeighting;
  });
  if (classWeights.length === 0) classWeights.push(...CLASS_WEIGHT_CANDIDATES);
  const multiclass = listOption(args, 'multiclass').map((kind) => {
    if (!MULTICLASS_KINDS.includes(kind as Multiclass))
      throw new UsageError(`--multiclass values must be among ${MULTICLASS_KINDS.join(', ')}, got "${kind}"`);
    return kind as Multiclass;
  });
  const linear: Partial<LinearOptions> = {
    loss: choiceOption<LinearLoss>(args, 'loss', ['svm', 'svm-l1', 'logreg'], 'svm'),
    ...(cValues.length > 0 ? { C: cValues[0] } : {}),
    classWeight: classWeights[0],
    seed: numberOption(args, 'seed', 42),
    maxIter: numberOption(args, 'epochs', 1000, 1),
    eps: numberOption(args, 'eps', 0.1, 1e-6),
  };
  if (args.options.has('recency-half-life') && !timeColumn) {
    throw new UsageError('--recency-half-life needs --time-column or --split');
  }
  const weightEncoding = choiceOption<WeightEncoding>(args, 'weights', ['int8', 'int16', 'float32'], 'int8');
  const selectBy = choiceOption<SelectionMetric>(args, 'select-by', ['macro-f1', 'accuracy'], 'macro-f1');

  const loaded = await loadRows(data, spec, split);
  const rows = loaded.train;
  const testRows =
    loaded.test ??
    (testData ? (await loadRows(testData, { ...spec, timeColumn: undefined }, undefined)).train : undefined);
  const started = performance.now();
  const model = await TextClassifier.train(rows, {
    features,
    linear,
    holdout: numberOption(args, 'holdout', 0.1, 0, 0.5),
    holdoutOrder: timeColumn ? 'tail' : 'random',
    refit: !args.flags.has('no-refit'),
    tuneC: cValues.length > 1 ? cValues : undefined,
    tuneClassWeight: classWeights.length > 1 ? classWeights : undefined,
    tuneMulticlass: multiclass.length > 0 ? multiclass : undefined,
    selectBy,
    fineModel: choiceOption<FineModelKind>(args, 'fine-model', FINE_MODEL_KINDS, 'flat'),
    fineFeatures: choiceOption<FineFeatures>(args, 'fine-features', FINE_FEATURES, 'all'),
    weightEncoding,
    recencyHalfLifeDays: args.options.has('recency-half-life')
      ? numberOption(args, 'recency-half-life', 0, 0.01)
      : undefined,
    threads: args.options.has('threads') ? numberOption(args, 'threads', 1, 1, 64) : undefined,
    ...(splitRaw ? { split: splitRaw } : {}),
    source: {
      data,
      textColumn: spec.textColumn,
      labelColumn: spec.labelColumn,
      ...(spec.fineLabelColumn ? { fineLabelColumn: spec.fineLabelColumn } : {}),
      ...(spec.pivotLabelColumn ? { pivotLabelColumn: spec.pivotLabelColumn } : {}),
      keepEmptyLabels: spec.keepEmptyLabels ?? false,
      ...(splitRaw ? { split: splitRaw } : {}),
      ...(timeColumn ? { timeColumn } : {}),
    },
    log,
  });
  const trainingSeconds = (performance.now() - started) / 1000;
  const sizeBytes = model.save(out);
  log(`model written to ${out} (${(sizeBytes / 1e6).toFixed(1)} MB)`);
  const summary: Record<string, unknown> = {
    model: out,
    sizeBytes,
    trainingSeconds: Math.round(trainingSeconds * 10) / 10,
    rows: rows.length,
    labels: model.labels.length,
    features: model.metadata.features,
    temperature: Math.round(model.temperature * 1e4) / 1e4,
    C: model.metadata.linear.C,
    classWeight: model.metadata.linear.classWeight,
    multiclass: model.metadata.multiclass,
    fineLabelVote: model.hierarchyMix,
    pivotMix: model.pivotMix,
    heldOut: model.metadata.heldOut,
  };
  if (testRows) {
    log(`evaluating on ${testRows.length} test rows`);
    summary.test = model.evaluate(testRows);
  }
  printJson(summary);
}

async function evaluate(args: ParsedArgs): Promise<void> {
  const model = TextClassifier.load(args.options.get('model') as string);
  const source = model.metadata.source ?? {};
  const textColumn = args.options.get('text') ?? (source.textColumn as string | undefined);
  const labelColumn = args.options.get('label') ?? (source.labelColumn as string | undefined);
  if (!textColumn || !labelColumn)
    throw new UsageError('the model does not name its columns: pass --text and --label');
  // Without --split, the model's own recorded split: the rows after its training period.
  const recordedSplit = model.metadata.training?.split;
  const splitRaw = args.options.get('split') ?? recordedSplit;
  if (!args.options.get('split') && recordedSplit) log(`using the model's recorded split ${recordedSplit}`);
  const split = splitRaw ? parseSplit(splitRaw) : undefined;
  const loaded = await loadRows(
    args.options.get('data') as string,
    {
      textColumn,
      labelColumn,
      featureColumns: model.featureColumns,
      timeColumn: source.timeColumn as string | undefined,
      keepEmptyLabels: args.flags.has('keep-empty-labels') || source.keepEmptyLabels === true,
    },
    split,
  );
  const rows = loaded.test ?? loaded.train;
  // Honest figures only: a row the model trained on is not a test row.
  const seen = countTrainingRows(model, rows);
  if (seen > 0) {
    throw new ClassifierInputError(
      `refusing to score ${seen} of ${rows.length} rows: the model was trained on them` +
        (model.metadata.training?.split ? ` (trained with --split ${model.metadata.training.split})` : '') +
        '; evaluate on rows from after its training period (--split) or another file',
    );
  }
  log(`evaluating ${rows.length} rows`);
  const report = model.evaluate(rows);
  printJson({ ...report, temperature: Math.round(model.temperature * 1e4) / 1e4 });
}

function predict(args: ParsedArgs): void {
  const model = TextClassifier.load(args.options.get('model') as string);
  const features: Record<string, string> = {};
  const raw = args.options.get('feature');
  if (raw) {
    for (const pair of raw.split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`--feature expects col=value[,col=value], got "${pair}"`);
      features[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
  }
  printJson(model.predict({ text: args.options.get('text') as string, features }, 5));
}

async function bench(args: ParsedArgs): Promise<void> {
  const data = args.options.get('data') ?? DEFAULT_BENCH_DATA;
  const only = listOption(args, 'only');
  const { targets, unknown } = selectBenchTargets(only);
  if (unknown.length > 0) {
    throw new UsageError(
      `--only: unknown target ${unknown.join(', ')} (one of ${BENCH_TARGETS.map((t) => t.key).join(', ')})`,
    );
  }
  const missing = benchDataMissing(data);
  if (missing) throw missing;
  const rows = await runBench({
    data,
    threads: args.options.has('threads') ? numberOption(args, 'threads', 1, 1, 64) : undefined,
    ...(only.length > 0 ? { targets } : {}),
    log,
  });
  process.stdout.write(benchTable(rows) + '\n');
}

export async function run(argv: readonly string[]): Promise<number> {
  try {
    const args = parseArgs(argv, COMMANDS);
    if (args.command === 'train') await train(args);
    else if (args.command === 'eval') await evaluate(args);
    else if (args.command === 'bench') await bench(args);
    else predict(args);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write((error.message ? `classifier: ${error.message}\n\n` : '') + USAGE + '\n');
      return 2;
    }
    if (error instanceof ClassifierInputError) {
      process.stderr.write(`classifier: error: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(
      `classifier: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`classifier: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
