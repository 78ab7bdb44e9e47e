import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import {
  applyConfidenceMap,
  fitConfidenceMap,
  fitTemperature,
  softmax,
  topIndices,
  type TopConfidenceMap,
} from './calibration';
import { ClassifierInputError } from './csv';
import { type LabelledExample } from './dataset';
import {
  type ClassifierInput,
  DEFAULT_FEATURE_CONFIG,
  type ExtractedTerms,
  type FeatureConfig,
  Featurizer,
  type FeaturizerState,
  type SparseVector,
} from './features';
import {
  type ClassGroups,
  type CsrMatrix,
  type ClassWeighting,
  DEFAULT_LINEAR_OPTIONS,
  defaultThreads,
  type LinearOptions,
  SolverPool,
  seededRandom,
  toCsr,
  trainCrammerSinger,
  trainCrammerSingerOffThread,
  trainOneVsRestParallel,
} from './linear';
import {
  type EvaluationReport,
  evaluatePredictions,
  pickOnSlice,
  round,
  type SelectionMetric,
} from './metrics';
import { PivotTable, type PivotRoute, type PivotTableFile, routeThroughPivot } from './pivot';

export const MODEL_FORMAT = 'inbox-text-classifier';
export const MODEL_VERSION = 1;

/** How weights are stored in the model file: int8/int16 are linearly quantised per class. */
export type WeightEncoding = 'float32' | 'int16' | 'int8';

export interface Prediction {
  readonly label: string;
  /** Calibrated probability-like confidence of `label`, in (0, 1]. */
  readonly confidence: number;
  /** The best labels, most confident first. */
  readonly top: readonly { readonly label: string; readonly confidence: number }[];
}

export interface TrainOptions {
  readonly features?: Partial<FeatureConfig>;
  readonly linear?: Partial<LinearOptions>;
  /**
   * Share of training rows held out (0 disables): its older half (random half without a time order) is the
   * calibration slice that chooses C and fits the confidence; its newer half is the reporting slice, only
   * scored, so that the held-out figures are not measured on the rows that tuned them.
   */
  readonly holdout?: number;
  /** `tail`: the last rows (pass time-ordered rows: the held-out slice is then the most recent); `random`. */
  readonly holdoutOrder?: 'tail' | 'random';
  /** After calibration, retrain on all rows (default true). */
  readonly refit?: boolean;
  /** Try these C values on the calibration slice and keep the best by {@link TrainOptions.selectBy}. */
  readonly tuneC?: readonly number[];
  /**
   * Try these class weightings on the calibration slice: for each, C, the fine labels' vote and the route
   * through the pivot are chosen as usual, and the weighting whose final scores do best by
   * {@link TrainOptions.selectBy} is kept (ties keep the earlier one). Each costs one more calibration stage.
   * Default: only `linear.classWeight`.
   */
  readonly tuneClassWeight?: readonly ClassWeighting[];
  /**
   * The label's own model: `ovr` one-vs-rest SVMs, `crammer-singer` one joint multiclass SVM (Crammer &
   * Singer). With several listed, each is fitted in every calibration stage at the chosen C, the fine labels'
   * vote is chosen for each, and the one whose scores do best by {@link TrainOptions.selectBy} is kept (ties
   * keep the earlier). The fine and pivot models stay one-vs-rest. Default `ovr` only.
   */
  readonly tuneMulticlass?: readonly Multiclass[];
  /**
   * The metric the calibration slice's choices (C, the fine labels' vote, the route through the pivot)
   * maximise: the target's own metric (`accuracy` for the executor). Default `macro-f1`.
   */
  readonly selectBy?: SelectionMetric;
  readonly weightEncoding?: WeightEncoding;
  /**
   * Weight training rows by recency: a row `h` days older than the newest counts half as much
   * (rows need a parsable `time`). Helps when topics drift with the seasons.
   */
  readonly recencyHalfLifeDays?: number;
  /**
   * When rows carry a {@link LabelledExample.fineLabel}: the weights of the fine model's vote tried on the
   * calibration slice (the best by {@link TrainOptions.selectBy} is kept; 0 drops the fine model). A label's score becomes
   * `(1 - mix) · its own margin + mix · the best margin among its fine labels`. Default 0, 0.25, 0.5, 0.75.
   */
  readonly hierarchyMix?: readonly number[];
  /**
   * How the fine model is fitted. `flat`: each `label / fine` pair against every row. `within-parent`: each pair
   * only against its own label's rows (a fine label given its parent: several times cheaper), and a pair's
   * margin counts as its parent's own margin plus that, so a label's score becomes
   * `its own margin + mix · the best margin of its fine labels within it`. Default `flat`.
   */
  readonly fineModel?: FineModelKind;
  /**
   * The fine model's inputs: `all` the model's features, `no-char` without the character n-grams (words and
   * structured inputs: about a fifth of the non-zeros, so a fifth of the fine model's training). Default `all`.
   */
  readonly fineFeatures?: FineFeatures;
  /**
   * When rows carry a {@link LabelledExample.pivotLabel}: the weights of the route through the pivot tried
   * on the calibration slice (the best by {@link TrainOptions.selectBy} is kept; 0 drops the pivot model). Needs a held-out
   * slice (the temperatures are fitted on it). Default 0, 0.25, 0.5, 0.75, 0.9, 1.
   */
  readonly pivotMix?: readonly number[];
  /** Worker threads for training (default: available cores, at most 4; 1 = in-process). */
  readonly threads?: number;
  /** The time split the rows came from, recorded for `eval` (e.g. `time:created_at:0.2`). */
  readonly split?: string;
  /** Free-form description stored in the metadata (column names, source file…). */
  readonly source?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  readonly log?: (message: string) => void;
}

export interface HeldOutScores {
  /** Rows of the reporting slice the scores are measured on (never used to fit or calibrate). */
  readonly rows: number;
  /** Rows of the calibration slice that chose C, the temperature and the top-1 map. */
  readonly calibrationRows?: number;
  readonly accuracy: number;
  readonly macroF1: number;
  readonly ece: number;
}

/**
 * Which rows the model was trained on, so that `eval` can refuse to score them: the time range and split
 * (when there is a time column) and a hash of every training row (time, text, structured inputs, label).
 */
export interface TrainingRows {
  readonly rows: number;
  /** The time split the training rows came from (e.g. `time:created_at:0.2`): eval applies it by default. */
  readonly split?: string;
  readonly firstTime?: string;
  readonly lastTime?: string;
  /** Sorted 32-bit row hashes, base64 of a Uint32Array. */
  readonly hashes: string;
}

export interface ModelMetadata {
  readonly trainedAt: string;
  readonly trainingMs: number;
  readonly rows: number;
  readonly labelCounts: Readonly<Record<string, number>>;
  readonly heldOut?: HeldOutScores;
  readonly features: number;
  readonly source?: TrainOptions['source'];
  readonly linear: LinearOptions;
  /** How the label's own model was fitted (absent in older models: one-vs-rest). */
  readonly multiclass?: Multiclass;
  readonly training?: TrainingRows;
}

interface WeightsFile {
  readonly encoding: WeightEncoding;
  /** Per-class multiplier of the stored integer values (1 for float32). */
  readonly scales: readonly number[];
  /** Per-class bias weight (already multiplied by the bias feature value). */
  readonly bias: readonly number[];
  /** Feature-major sparse rows, base64: Int32 row pointers, Uint16 class ids, values. */
  readonly rowPtr: string;
  readonly classIds: string;
  readonly values: string;
}

/** See {@link TrainOptions.fineModel}. */
export type FineModelKind = 'flat' | 'within-parent';
export const FINE_MODEL_KINDS: readonly FineModelKind[] = ['flat', 'within-parent'];
/** See {@link TrainOptions.fineFeatures}. */
export type FineFeatures = 'all' | 'no-char';
export const FINE_FEATURES: readonly FineFeatures[] = ['all', 'no-char'];

/** The fine-label model that votes for its parents (absent when the model has no hierarchy). */
export interface FineModelFile {
  /** The fine model was fitted within each parent's rows (absent: against all rows). */
  readonly withinParent?: boolean;
  /** Fine labels, `parent / fine`. */
  readonly labels: readonly string[];
  /** Index in the model's labels of each fine label's parent. */
  readonly parents: readonly number[];
  readonly mix: number;
  readonly weights: WeightsFile;
}

/** The pivot model and the route through it (absent when the model has none). */
export interface PivotModelFile {
  readonly labels: readonly string[];
  readonly temperature: number;
  readonly ownTemperature: number;
  readonly mix: number;
  readonly table: PivotTableFile;
  readonly weights: WeightsFile;
}

export interface ModelFile {
  readonly format: typeof MODEL_FORMAT;
  readonly version: number;
  readonly labels: readonly string[];
  readonly temperature: number;
  /** Platt scaling of the top-1 confidence after the temperature (absent: identity). */
  readonly confidenceMap?: TopConfidenceMap;
  readonly featurizer: FeaturizerState;
  readonly weights: WeightsFile;
  readonly fine?: FineModelFile;
  readonly pivot?: PivotModelFile;
  readonly metadata: ModelMetadata;
}

/** Feature-major sparse weights ready for scoring. */
interface ScoringWeights {
  readonly rowPtr: Int32Array;
  readonly classIds: Uint16Array;
  readonly values: Float32Array | Int16Array | Int8Array;
  readonly scales: Float64Array;
  readonly bias: Float64Array;
}

/** Fine labels with their parents and the weight of their vote, ready for scoring. */
interface FineScoring {
  readonly labels: readonly string[];
  readonly parents: Int32Array;
  readonly mix: number;
  readonly withinParent: boolean;
  readonly weights: ScoringWeights;
}

/** The route through the pivot label, ready for scoring. */
interface PivotScoring extends PivotRoute {
  readonly weights: ScoringWeights;
}

const now = (): number => performance.now();

/** When a training started: wall time, and the process's CPU time (all its threads: the solvers' workers too). */
interface TrainingClock {
  readonly wall: number;
  readonly cpu: NodeJS.CpuUsage;
}

const startClock = (): TrainingClock => ({ wall: now(), cpu: process.cpuUsage() });

/** The log's stamp: wall and process CPU seconds since the training started. */
function stamp(clock: TrainingClock): string {
  const cpu = process.cpuUsage(clock.cpu);
  return `[${((now() - clock.wall) / 1000).toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s]`;
}

/** How the label's own model is fitted (see {@link TrainOptions.tuneMulticlass}). */
export type Multiclass = 'ovr' | 'crammer-singer';
export const MULTICLASS_KINDS: readonly Multiclass[] = ['ovr', 'crammer-singer'];

/** What one class weighting's calibration stage chose, with the fits it chose them with. */
interface CalibrationStage {
  readonly linear: LinearOptions;
  readonly multiclass: Multiclass;
  readonly chosen: { readonly C: number; readonly result: FitResult };
  readonly fineFit?: FitResult;
  readonly mix: number;
  readonly pivotFit?: { readonly result: FitResult; readonly route: PivotRoute };
  /** The stage's final scores of a calibration row (own margins, the vote, the route). */
  readonly heldScore: (v: SparseVector, e: LabelledExample) => Float64Array;
  /**
   * The stage's fits on the same rows, kept even when its vote or route was dropped: the next class
   * weighting's stage starts its solvers from their dual variables instead of from zero.
   */
  readonly fits: {
    readonly own: FitResult;
    readonly crammerSinger?: FitResult;
    readonly fine?: FitResult;
    readonly pivot?: FitResult;
  };
}

/** Separator of parent and fine label in the fine model's label names. */
const FINE_SEPARATOR = ' / ';

/**
 * Mixes each label's own margin with the best margin among its fine labels (in place). Labels without
 * fine labels keep their own margin. `withinParent`: the fine margins were fitted within their parent's rows,
 * so a pair's margin is its parent's own margin plus its fine margin, and the label's score becomes
 * `own + mix · best fine margin` (the same mix of own and best pair margins).
 */
export function mixHierarchy(
  coarse: Float64Array,
  fine: ArrayLike<number>,
  parents: ArrayLike<number>,
  mix: number,
  withinParent = false,
): Float64Array {
  if (mix === 0) return coarse;
  const best = new Float64Array(coarse.length).fill(-Infinity);
  for (let k = 0; k < parents.length; k++) if (fine[k] > best[parents[k]]) best[parents[k]] = fine[k];
  for (let c = 0; c < coarse.length; c++) {
    if (best[c] === -Infinity) continue;
    coarse[c] = withinParent ? coarse[c] + mix * best[c] : (1 - mix) * coarse[c] + mix * best[c];
  }
  return coarse;
}

function toBase64(array: ArrayBufferView): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

function fromBase64<T>(text: string, make: (buffer: ArrayBuffer) => T): T {
  const bytes = Buffer.from(text, 'base64');
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return make(copy);
}

/**
 * Packs dense feature-major weights (`dense[j * K + c]`, last row = bias) into quantised sparse rows,
 * dropping entries that quantise to zero. Returns the packed weights and which features keep any entry.
 */
function packWeights(
  dense: Float32Array,
  features: number,
  classes: number,
  biasValue: number,
  encoding: WeightEncoding,
): { weights: ScoringWeights; used: Uint8Array } {
  const scales = new Float64Array(classes).fill(1);
  if (encoding !== 'float32') {
    const qmax = encoding === 'int8' ? 127 : 32767;
    const max = new Float64Array(classes);
    for (let j = 0; j < features; j++) {
      for (let c = 0; c < classes; c++) max[c] = Math.max(max[c], Math.abs(dense[j * classes + c]));
    }
    for (let c = 0; c < classes; c++) scales[c] = max[c] > 0 ? max[c] / qmax : 1;
  }
  const rowPtr = new Int32Array(features + 1);
  const classIds: number[] = [];
  const values: number[] = [];
  const used = new Uint8Array(features);
  for (let j = 0; j < features; j++) {
    for (let c = 0; c < classes; c++) {
      const w = dense[j * classes + c];
      const q = encoding === 'float32' ? w : Math.round(w / scales[c]);
      if (q === 0) continue;
      classIds.push(c);
      values.push(q);
      used[j] = 1;
    }
    rowPtr[j + 1] = values.length;
  }
  const bias = new Float64Array(classes);
  for (let c = 0; c < classes; c++) bias[c] = dense[features * classes + c] * biasValue;
  return {
    weights: {
      rowPtr,
      classIds: Uint16Array.from(classIds),
      values: encoded(values, encoding),
      scales,
      bias,
    },
    used,
  };
}

/** Drops rows of features that were pruned from the vocabulary. */
function compactRows(weights: ScoringWeights, remap: Int32Array, kept: number): ScoringWeights {
  const rowPtr = new Int32Array(kept + 1);
  const classIds: number[] = [];
  const values: number[] = [];
  for (let j = 0; j < remap.length; j++) {
    const r = remap[j];
    if (r < 0) continue;
    for (let p = weights.rowPtr[j]; p < weights.rowPtr[j + 1]; p++) {
      classIds.push(weights.classIds[p]);
      values.push(weights.values[p]);
    }
    rowPtr[r + 1] = values.length;
  }
  return {
    ...weights,
    rowPtr,
    classIds: Uint16Array.from(classIds),
    values: encoded(values, encodingOf(weights.values)),
  };
}

function encoded(values: number[], encoding: WeightEncoding): ScoringWeights['values'] {
  if (encoding === 'float32') return Float32Array.from(values);
  return encoding === 'int16' ? Int16Array.from(values) : Int8Array.from(values);
}

function encodingOf(values: ScoringWeights['values']): WeightEncoding {
  return values instanceof Int8Array ? 'int8' : values instanceof Int16Array ? 'int16' : 'float32';
}

interface FitResult {
  readonly featurizer: Featurizer;
  readonly labels: string[];
  readonly dense: Float32Array;
  readonly alphas: (Float32Array | undefined)[];
}

/** Dual variables of an earlier fit on a subset of the rows, to warm-start the refit. */
interface WarmStartFrom {
  readonly result: FitResult;
  /** For each row of the new fit, its row in the earlier fit, or -1. */
  readonly rowMap: Int32Array;
}

/**
 * Topic classifier over Russian free text plus optional structured inputs: TF-IDF word and character
 * n-grams (Snowball stems), one-hot structured features, one-vs-rest linear SVM or logistic regression,
 * softmax confidence with a temperature fitted on a held-out slice.
 */
export class TextClassifier {
  private readonly index: ReadonlyMap<string, number>;
  /** The weights laid out for scoring (built once; the file keeps the sparse rows). */
  private readonly layouts: {
    readonly own: ScoringLayout;
    readonly fine?: ScoringLayout;
    readonly pivot?: ScoringLayout;
  };

  private constructor(
    readonly labels: readonly string[],
    private readonly featurizer: Featurizer,
    private readonly weights: ScoringWeights,
    readonly temperature: number,
    readonly metadata: ModelMetadata,
    readonly confidenceMap?: TopConfidenceMap,
    private readonly fine?: FineScoring,
    private readonly pivot?: PivotScoring,
  ) {
    this.index = new Map(labels.map((label, c) => [label, c]));
    this.layouts = {
      own: scoringLayout(weights, labels.length),
      ...(fine ? { fine: scoringLayout(fine.weights, fine.labels.length) } : {}),
      ...(pivot ? { pivot: scoringLayout(pivot.weights, pivot.labels.length) } : {}),
    };
  }

  /** Structured input columns the model expects in `features`. */
  get featureColumns(): readonly string[] {
    return this.featurizer.config.featureColumns;
  }

  get featureConfig(): FeatureConfig {
    return this.featurizer.config;
  }

  /** The weight of the fine labels' vote (0 when the model has no fine-label model). */
  get hierarchyMix(): number {
    return this.fine?.mix ?? 0;
  }

  /** The weight of the route through the pivot label (0 when the model has no pivot model). */
  get pivotMix(): number {
    return this.pivot?.mix ?? 0;
  }

  /** Trains a classifier in-process. Deterministic for a given input order and seed. */
  static async train(
    examples: readonly LabelledExample[],
    options: TrainOptions = {},
  ): Promise<TextClassifier> {
    const threads = options.threads ?? defaultThreads();
    // One pool of solver threads for all the training's fits (started once; the rows copied once a matrix).
    const pool = threads > 1 ? new SolverPool(threads) : undefined;
    try {
      return await TextClassifier.trainWith(examples, options, { threads, pool });
    } finally {
      await pool?.close();
    }
  }

  private static async trainWith(
    examples: readonly LabelledExample[],
    options: TrainOptions,
    solvers: Solvers,
  ): Promise<TextClassifier> {
    const log = options.log ?? (() => undefined);
    const started = startClock();
    const featureConfig: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, ...options.features };
    let linear: LinearOptions = { ...DEFAULT_LINEAR_OPTIONS, ...options.linear };
    const holdoutShare = options.holdout ?? 0.1;
    const encoding = options.weightEncoding ?? 'int8';
    const halfLife = options.recencyHalfLifeDays;
    const selectBy = options.selectBy ?? 'macro-f1';
    if (examples.length < 2) throw new ClassifierInputError('need at least 2 labelled rows to train');

    let heldOut: HeldOutScores | undefined;
    let temperature = 1;
    let confidenceMap: TopConfidenceMap | undefined;
    const labelCounts: Record<string, number> = {};
    for (const e of examples) labelCounts[e.label] = (labelCounts[e.label] ?? 0) + 1;

    const holdoutRows = Math.floor(examples.length * holdoutShare);
    const hierarchical = examples.some((e) => (e.fineLabel ?? '') !== '');
    const withinParent = (options.fineModel ?? 'flat') === 'within-parent';
    // The fine labels' rows: each pair's problem over all rows, or over its parent's only.
    const noChar = options.fineFeatures === 'no-char';
    const fineRows = (v: Vectors): Vectors => withFineLabels(noChar ? withoutChars(v) : v, withinParent);
    const mixes = options.hierarchyMix ?? [0, 0.25, 0.5, 0.75];
    const pivoted = examples.some((e) => (e.pivotLabel ?? '') !== '');
    const pivotMixes = options.pivotMix ?? [0, 0.25, 0.5, 0.75, 0.9, 1];
    const multiclassKinds: readonly Multiclass[] =
      options.tuneMulticlass && options.tuneMulticlass.length > 0
        ? [...new Set(options.tuneMulticlass)]
        : ['ovr'];
    let multiclass: Multiclass = 'ovr';
    const columns = featureConfig.featureColumns;
    let final: FitResult;
    let fineFinal: FitResult | undefined;
    let mix = 0;
    let pivotFinal: { result: FitResult; route: PivotRoute } | undefined;
    // A cold fit with the recency weights and `linear` as it stands when called (C once chosen).
    const fitCold = (v: Vectors) => fitLinear(v, linear, solvers, log, started, undefined, halfLife);
    if (holdoutRows >= 1 && examples.length - holdoutRows >= 2) {
      const {
        fit,
        test: heldOutRows,
        fitIndex,
        testIndex,
      } = splitHoldout(examples, holdoutRows, options.holdoutOrder ?? 'random', linear.seed);
      // Every row's terms are extracted once: the calibration fit, its slices and the refit read them.
      const extractor = new Featurizer(featureConfig);
      const terms = examples.map((e) => extractor.extract(e));
      // The older half calibrates, the newer half reports (splitHoldout keeps time order in the tail).
      const calibrationSize =
        heldOutRows.length >= 2 ? Math.ceil(heldOutRows.length / 2) : heldOutRows.length;
      const test = heldOutRows.slice(0, calibrationSize);
      const report = heldOutRows.slice(calibrationSize);
      log(
        `held-out slice: ${heldOutRows.length} rows (${options.holdoutOrder ?? 'random'}): ${test.length} calibrate, ` +
          `${report.length} report; training on ${fit.length}`,
      );
      const tuning = options.tuneC && options.tuneC.length > 0 ? options.tuneC : [linear.C];
      const vectors = fitFeatures(
        fit,
        featureConfig,
        log,
        started,
        fitIndex.map((i) => terms[i]),
      );
      const heldOutVector = (k: number): SparseVector =>
        vectors.featurizer.transformExtracted(terms[testIndex[k]]);
      const testVectors = test.map((_, k) => heldOutVector(k));
      const gold = test.map((e) => e.label);
      // One calibration stage per class weighting: C, the fine labels' vote and the route are chosen for it,
      // and the stage whose final scores do best on the calibration slice is kept.
      // Every stage fits the same rows: a later stage's solvers start from the earlier stage's dual variables
      // (a warm start; the optimum is the same, reached in fewer passes: docs/classification-experiments.md).
      const sameRows = Int32Array.from(fit.keys());
      const warmFrom = (result: FitResult | undefined): WarmStartFrom | undefined =>
        result ? { result, rowMap: sameRows } : undefined;
      const calibrate = async (
        weighted: LinearOptions,
        previous?: CalibrationStage,
      ): Promise<CalibrationStage> => {
        // This stage's options (C once chosen) and vote shadow the outer ones until a stage is kept.
        let linear = weighted;
        let mix = 0;
        const fitFrom = (v: Vectors, earlier: FitResult | undefined) =>
          fitLinear(v, linear, solvers, log, started, warmFrom(earlier), halfLife);
        // The joint model's fit runs beside the one-vs-rest fits, in its own thread (fitCrammerSinger): from
        // the start when C is not tuned, else once C is chosen.
        const crammerSingerAt = (C: number): Promise<FitResult> => {
          const earlier = previous?.linear.C === C ? previous.fits.crammerSinger : undefined;
          return inBackground(
            fitCrammerSinger(vectors, { ...linear, C }, solvers, log, started, warmFrom(earlier), halfLife),
          );
        };
        let crammerSingerPending =
          multiclassKinds.includes('crammer-singer') && tuning.length === 1
            ? crammerSingerAt(tuning[0])
            : undefined;
        const candidates: { value: { C: number; result: FitResult }; predicted: string[] }[] = [];
        for (const C of tuning) {
          const candidate = { ...linear, C };
          // Only the earlier stage's fit at the same C is a start close to this one's optimum.
          const earlier = previous?.linear.C === C ? previous.fits.own : undefined;
          const result = await fitLinear(
            vectors,
            candidate,
            solvers,
            log,
            started,
            warmFrom(earlier),
            halfLife,
          );
          const scores = testVectors.map((v) => scoreDense(result, v, candidate.bias));
          candidates.push({ value: { C, result }, predicted: scores.map((s) => result.labels[argmax(s)]) });
        }
        const pickedC = pickOnSlice(gold, candidates, selectBy);
        if (tuning.length > 1) {
          for (const p of pickedC.all)
            log(`C=${p.value.C}: calibration accuracy ${p.accuracy}, macro-F1 ${p.macroF1}`);
          log(`C chosen by ${selectBy}: ${pickedC.best.value.C}`);
        }
        let chosen = pickedC.best.value;
        linear = { ...linear, C: chosen.C };
        // The own model's kinds at the chosen C (one-vs-rest is the fit above).
        const ovrFit = chosen.result;
        const owns: { kind: Multiclass; result: FitResult }[] = multiclassKinds.includes('ovr')
          ? [{ kind: 'ovr', result: ovrFit }]
          : [];
        if (multiclassKinds.includes('crammer-singer')) crammerSingerPending ??= crammerSingerAt(chosen.C);
        const fineWanted = hierarchical && mixes.some((m) => m > 0);
        if (fineWanted) log(`fine labels: fitting their model to vote for their parents ${stamp(started)}`);
        const finePending = fineWanted
          ? inBackground(fitFrom(fineRows(vectors), previous?.fits.fine))
          : undefined;
        let crammerSingerFit: FitResult | undefined;
        if (crammerSingerPending) {
          crammerSingerFit = await crammerSingerPending;
          owns.push({ kind: 'crammer-singer', result: crammerSingerFit });
        }
        chosen = { C: chosen.C, result: owns[0].result };
        let multiclass: Multiclass = owns[0].kind;
        let fineFit: FitResult | undefined;
        let fineFitted: FitResult | undefined;
        let parents: Int32Array = new Int32Array(0);
        if (finePending) {
          fineFit = await finePending;
          fineFitted = fineFit;
          parents = parentIndex(fineFit.labels, chosen.result.labels);
          const fineScores = testVectors.map((v) => scoreDense(fineFit as FitResult, v, linear.bias));
          const pickedMix = pickOnSlice(
            gold,
            owns.flatMap((own) => {
              const coarseScores = testVectors.map((v) => scoreDense(own.result, v, linear.bias));
              return mixes.map((m) => ({
                value: { own, mix: m },
                predicted: coarseScores.map(
                  (s, i) =>
                    own.result.labels[
                      argmax(mixHierarchy(Float64Array.from(s), fineScores[i], parents, m, withinParent))
                    ],
                ),
              }));
            }),
            selectBy,
          );
          for (const p of pickedMix.all)
            log(
              `${owns.length > 1 ? `${p.value.own.kind}, ` : ''}fine-label vote ${p.value.mix}: ` +
                `calibration accuracy ${p.accuracy}, macro-F1 ${p.macroF1}`,
            );
          mix = pickedMix.best.value.mix;
          multiclass = pickedMix.best.value.own.kind;
          chosen = { C: chosen.C, result: pickedMix.best.value.own.result };
          log(
            `fine-label vote chosen by ${selectBy}: ${mix}` +
              (owns.length > 1 ? ` (own model ${multiclass})` : ''),
          );
          if (mix === 0) fineFit = undefined;
        } else if (owns.length > 1) {
          const pickedOwn = pickOnSlice(
            gold,
            owns.map((own) => ({
              value: own,
              predicted: testVectors.map(
                (v) => own.result.labels[argmax(scoreDense(own.result, v, linear.bias))],
              ),
            })),
            selectBy,
          );
          for (const p of pickedOwn.all)
            log(`own model ${p.value.kind}: calibration accuracy ${p.accuracy}, macro-F1 ${p.macroF1}`);
          multiclass = pickedOwn.best.value.kind;
          chosen = { C: chosen.C, result: pickedOwn.best.value.result };
        }
        const ownScore = (v: SparseVector): Float64Array => {
          const s = scoreDense(chosen.result, v, linear.bias);
          return fineFit
            ? mixHierarchy(s, scoreDense(fineFit, v, linear.bias), parents, mix, withinParent)
            : s;
        };
        let pivotFit: { result: FitResult; route: PivotRoute } | undefined;
        let pivotFitted: FitResult | undefined;
        if (pivoted && pivotMixes.some((m) => m > 0)) {
          log(`pivot labels: fitting their model and counting the route pivot → label ${stamp(started)}`);
          const result = await fitFrom(withPivotLabels(vectors), previous?.fits.pivot);
          pivotFitted = result;
          const table = PivotTable.count(pivotRows(fit), chosen.result.labels, columns);
          const own = testVectors.map(ownScore);
          const known = test.map((e) => chosen.result.labels.indexOf(e.label));
          const ownTemperature = fitTemperature(
            own.filter((_, i) => known[i] >= 0),
            known.filter((k) => k >= 0),
          );
          const pivotMargins = testVectors.map((v) => scoreDense(result, v, linear.bias));
          const pivotKnown = test.map((e) => result.labels.indexOf(e.pivotLabel ?? ''));
          const temperature = fitTemperature(
            pivotMargins.filter((_, i) => pivotKnown[i] >= 0),
            pivotKnown.filter((k) => k >= 0),
          );
          const pickedRoute = pickOnSlice(
            gold,
            pivotMixes.map((m) => {
              const route: PivotRoute = { labels: result.labels, table, temperature, ownTemperature, mix: m };
              return {
                value: m,
                predicted: own.map(
                  (s, i) =>
                    chosen.result.labels[
                      argmax(routeThroughPivot(s, pivotMargins[i], route, test[i].features))
                    ],
                ),
              };
            }),
            selectBy,
          );
          for (const p of pickedRoute.all)
            log(
              `route through the pivot ${p.value}: calibration accuracy ${p.accuracy}, macro-F1 ${p.macroF1}`,
            );
          const pivotMix = pickedRoute.best.value;
          log(`route through the pivot chosen by ${selectBy}: ${pivotMix}`);
          if (pivotMix > 0) {
            pivotFit = {
              result,
              route: { labels: result.labels, table, temperature, ownTemperature, mix: pivotMix },
            };
          }
        }
        const heldScore = (v: SparseVector, e: LabelledExample): Float64Array => {
          const s = ownScore(v);
          return pivotFit
            ? routeThroughPivot(s, scoreDense(pivotFit.result, v, linear.bias), pivotFit.route, e.features)
            : s;
        };
        return {
          linear,
          multiclass,
          chosen,
          fineFit,
          mix,
          pivotFit,
          heldScore,
          fits: { own: ovrFit, crammerSinger: crammerSingerFit, fine: fineFitted, pivot: pivotFitted },
        };
      };
      const weightings =
        options.tuneClassWeight && options.tuneClassWeight.length > 0
          ? [...new Set(options.tuneClassWeight)]
          : [linear.classWeight];
      let stage: CalibrationStage | undefined;
      let stageScore = -Infinity;
      let previous: CalibrationStage | undefined;
      for (const classWeight of weightings) {
        if (weightings.length > 1) log(`class weights ${classWeight}: calibrating ${stamp(started)}`);
        const candidate = await calibrate({ ...linear, classWeight }, previous);
        previous = candidate;
        if (weightings.length === 1) {
          stage = candidate;
          break;
        }
        const labels = candidate.chosen.result.labels;
        const picked = pickOnSlice(
          gold,
          [
            {
              value: classWeight,
              predicted: testVectors.map((v, i) => labels[argmax(candidate.heldScore(v, test[i]))]),
            },
          ],
          selectBy,
        ).best;
        const score = selectBy === 'accuracy' ? picked.accuracy : picked.macroF1;
        log(
          `class weights ${classWeight}: calibration accuracy ${picked.accuracy}, macro-F1 ${picked.macroF1}`,
        );
        // Ties keep the earlier weighting (the first listed is the default); the loser's models are dropped.
        if (score > stageScore) {
          stage = candidate;
          stageScore = score;
        }
      }
      previous = undefined;
      if (!stage) throw new Error('no calibration stage');
      if (weightings.length > 1) log(`class weights chosen by ${selectBy}: ${stage.linear.classWeight}`);
      const { chosen, fineFit, pivotFit, heldScore } = stage;
      linear = stage.linear;
      mix = stage.mix;
      multiclass = stage.multiclass;
      if (multiclassKinds.length > 1) log(`own model: ${multiclass}`);
      const scores = testVectors.map((v, i) => heldScore(v, test[i]));
      const known = test.map((e) => chosen.result.labels.indexOf(e.label));
      const calibrationRows = scores.filter((_, i) => known[i] >= 0);
      temperature = fitTemperature(
        calibrationRows,
        known.filter((k) => k >= 0),
      );
      const probabilities = scores.map((s) => softmax(s, temperature, new Float64Array(s.length)));
      const predictedIndex = probabilities.map((p) => argmax(p));
      confidenceMap = fitConfidenceMap(
        probabilities.map((p, i) => p[predictedIndex[i]]),
        predictedIndex.map((c, i) => chosen.result.labels[c] === test[i].label),
      );
      const scored = report.length > 0 ? report : test;
      const scoredVectors =
        report.length > 0 ? report.map((_, k) => heldOutVector(calibrationSize + k)) : testVectors;
      const reportProbabilities = scored.map((e, k) =>
        softmax(heldScore(scoredVectors[k], e), temperature, new Float64Array(chosen.result.labels.length)),
      );
      const reportPredicted = reportProbabilities.map((p) => argmax(p));
      const reported = evaluatePredictions(
        scored.map((e) => e.label),
        reportPredicted.map((c) => chosen.result.labels[c]),
        reportProbabilities.map((p, i) => applyConfidenceMap(confidenceMap, p[reportPredicted[i]])),
      );
      heldOut = {
        rows: scored.length,
        calibrationRows: test.length,
        accuracy: reported.accuracy,
        macroF1: reported.macroF1,
        ece: reported.confidence.ece,
      };
      log(
        `held-out (reporting slice): accuracy ${reported.accuracy}, macro-F1 ${reported.macroF1}, ` +
          `temperature ${round(temperature)}, top-1 map a=${round(confidenceMap.a)} b=${round(confidenceMap.b)}, ` +
          `ECE ${reported.confidence.ece}`,
      );
      if (options.refit ?? true) {
        log(`refitting on all ${examples.length} rows (warm start) ${stamp(started)}`);
        const rowMap = new Int32Array(examples.length).fill(-1);
        fitIndex.forEach((row, k) => (rowMap[row] = k));
        const all = fitFeatures(examples, featureConfig, log, started, terms);
        // The refit weights rows by recency as the calibration fits did (it used to drop the weights).
        // The joint model's refit runs in its own thread beside the fine labels' and the pivot's.
        const warm = { result: chosen.result, rowMap };
        const crammerSingerPending =
          multiclass === 'crammer-singer'
            ? inBackground(fitCrammerSinger(all, linear, solvers, log, started, warm, halfLife))
            : undefined;
        const ovrFinal = crammerSingerPending
          ? undefined
          : await fitLinear(all, linear, solvers, log, started, warm, halfLife);
        if (fineFit) {
          fineFinal = await fitLinear(
            fineRows(all),
            linear,
            solvers,
            log,
            started,
            { result: fineFit, rowMap },
            halfLife,
          );
        }
        const pivotResult = pivotFit
          ? await fitLinear(
              withPivotLabels(all),
              linear,
              solvers,
              log,
              started,
              { result: pivotFit.result, rowMap },
              halfLife,
            )
          : undefined;
        final = ovrFinal ?? (await (crammerSingerPending as Promise<FitResult>));
        if (pivotFit && pivotResult) {
          pivotFinal = {
            result: pivotResult,
            route: { ...pivotFit.route, table: PivotTable.count(pivotRows(examples), final.labels, columns) },
          };
        }
      } else {
        final = chosen.result;
        fineFinal = fineFit;
        pivotFinal = pivotFit;
      }
    } else {
      const all = fitFeatures(examples, featureConfig, log, started);
      multiclass = multiclassKinds.includes('ovr') ? 'ovr' : 'crammer-singer';
      final =
        multiclass === 'ovr'
          ? await fitCold(all)
          : await fitCrammerSinger(all, linear, solvers, log, started, undefined, halfLife);
      // No slice to choose the fine labels' vote on: only a single given weight is used.
      if (hierarchical && mixes.length === 1 && mixes[0] > 0) {
        mix = mixes[0];
        fineFinal = await fitCold(fineRows(all));
      }
    }

    const { weights: packed, used } = packWeights(
      final.dense,
      final.featurizer.size,
      final.labels.length,
      linear.bias,
      encoding,
    );
    const finePacked = fineFinal
      ? packWeights(
          fineFinal.dense,
          fineFinal.featurizer.size,
          fineFinal.labels.length,
          linear.bias,
          encoding,
        )
      : undefined;
    const pivotPacked = pivotFinal
      ? packWeights(
          pivotFinal.result.dense,
          pivotFinal.result.featurizer.size,
          pivotFinal.result.labels.length,
          linear.bias,
          encoding,
        )
      : undefined;
    const before = final.featurizer.size;
    const remap = final.featurizer.prune(
      (j) => used[j] === 1 || finePacked?.used[j] === 1 || pivotPacked?.used[j] === 1,
    );
    const weights = compactRows(packed, remap, final.featurizer.size);
    const fine: FineScoring | undefined =
      fineFinal && finePacked
        ? {
            labels: fineFinal.labels,
            parents: parentIndex(fineFinal.labels, final.labels),
            withinParent,
            mix,
            weights: compactRows(finePacked.weights, remap, final.featurizer.size),
          }
        : undefined;
    const pivot: PivotScoring | undefined =
      pivotFinal && pivotPacked
        ? {
            ...pivotFinal.route,
            labels: pivotFinal.result.labels,
            weights: compactRows(pivotPacked.weights, remap, final.featurizer.size),
          }
        : undefined;
    log(`pruned features with no non-zero weight: ${before} → ${final.featurizer.size}`);
    const metadata: ModelMetadata = {
      trainedAt: new Date().toISOString(),
      trainingMs: Math.round(now() - started.wall),
      rows: examples.length,
      labelCounts,
      heldOut,
      features: final.featurizer.size,
      source: options.source,
      linear,
      multiclass,
      training: trainingRows(examples, options.split),
    };
    log(`trained ${stamp(started)}`);
    return new TextClassifier(
      final.labels,
      final.featurizer,
      weights,
      temperature,
      metadata,
      confidenceMap,
      fine,
      pivot,
    );
  }

  /** Loads a model file written by {@link save} (`.gz` files are gunzipped). */
  static load(path: string): TextClassifier {
    let raw: Buffer;
    try {
      raw = fs.readFileSync(path);
    } catch {
      throw new ClassifierInputError(`model file not found: ${path}`);
    }
    let model: ModelFile;
    try {
      const text = (raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw).toString('utf8');
      model = JSON.parse(text) as ModelFile;
    } catch (error) {
      throw new ClassifierInputError(`not a classifier model file: ${path} (${(error as Error).message})`);
    }
    return TextClassifier.fromModelFile(model, path);
  }

  static fromModelFile(model: ModelFile, origin = 'model'): TextClassifier {
    if (model?.format !== MODEL_FORMAT)
      throw new ClassifierInputError(`not a classifier model file: ${origin}`);
    if (model.version !== MODEL_VERSION) {
      throw new ClassifierInputError(`unsupported model version ${model.version} in ${origin}`);
    }
    return new TextClassifier(
      model.labels,
      Featurizer.fromJSON(model.featurizer),
      decodeWeights(model.weights),
      model.temperature,
      model.metadata,
      model.confidenceMap,
      model.fine
        ? {
            labels: model.fine.labels,
            parents: Int32Array.from(model.fine.parents),
            mix: model.fine.mix,
            withinParent: model.fine.withinParent === true,
            weights: decodeWeights(model.fine.weights),
          }
        : undefined,
      model.pivot
        ? {
            labels: model.pivot.labels,
            table: PivotTable.fromJSON(model.pivot.table),
            temperature: model.pivot.temperature,
            ownTemperature: model.pivot.ownTemperature,
            mix: model.pivot.mix,
            weights: decodeWeights(model.pivot.weights),
          }
        : undefined,
    );
  }

  toModelFile(): ModelFile {
    const { fine, pivot } = this;
    return {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      labels: this.labels,
      temperature: this.temperature,
      ...(this.confidenceMap ? { confidenceMap: this.confidenceMap } : {}),
      featurizer: this.featurizer.toJSON(),
      weights: encodeWeights(this.weights),
      ...(fine
        ? {
            fine: {
              ...(fine.withinParent ? { withinParent: true } : {}),
              labels: fine.labels,
              parents: [...fine.parents],
              mix: fine.mix,
              weights: encodeWeights(fine.weights),
            },
          }
        : {}),
      ...(pivot
        ? {
            pivot: {
              labels: pivot.labels,
              temperature: pivot.temperature,
              ownTemperature: pivot.ownTemperature,
              mix: pivot.mix,
              table: pivot.table.toJSON(),
              weights: encodeWeights(pivot.weights),
            },
          }
        : {}),
      metadata: this.metadata,
    };
  }

  /** Writes the model as JSON (gzipped when the path ends with `.gz`). Returns the size in bytes. */
  save(path: string): number {
    const json = Buffer.from(JSON.stringify(this.toModelFile()), 'utf8');
    const data = path.endsWith('.gz') ? zlib.gzipSync(json, { level: 6 }) : json;
    fs.writeFileSync(path, data);
    return data.length;
  }

  /**
   * Raw margins (one per label) before calibration, the fine labels' vote mixed in; with a pivot model,
   * the mixed log-probabilities of the label model and of the route through the pivot.
   */
  scores(input: ClassifierInput): Float64Array {
    const vector = this.featurizer.transform(input);
    const { fine, pivot, layouts } = this;
    const coarse = scoreVector(layouts.own, vector);
    const own =
      fine && layouts.fine
        ? mixHierarchy(coarse, scoreVector(layouts.fine, vector), fine.parents, fine.mix, fine.withinParent)
        : coarse;
    if (!pivot || !layouts.pivot) return own;
    return routeThroughPivot(own, scoreVector(layouts.pivot, vector), pivot, input.features);
  }

  /**
   * Best labels with calibrated confidences. The top-1 confidence goes through the fitted top-1 map;
   * the others are rescaled to keep the distribution summing to 1 (capped at the top confidence).
   */
  predict(input: ClassifierInput, topK = 3): Prediction {
    return this.predictFromScores(this.scores(input), topK);
  }

  /**
   * {@link predict} and {@link scores} of one input from one featurisation and one pass over the weights
   * (calling both costs the model twice).
   */
  predictWithScores(input: ClassifierInput, topK = 3): { prediction: Prediction; scores: Float64Array } {
    const scores = this.scores(input);
    return { prediction: this.predictFromScores(scores, topK), scores };
  }

  private predictFromScores(scores: Float64Array, topK: number): Prediction {
    const probabilities = softmax(scores, this.temperature, new Float64Array(scores.length));
    const order = topIndices(probabilities, Math.max(1, topK));
    const raw = probabilities[order[0]];
    const calibrated = applyConfidenceMap(this.confidenceMap, raw);
    const rest = raw < 1 ? (1 - calibrated) / (1 - raw) : 0;
    const top = order.map((c, k) => ({
      label: this.labels[c],
      confidence: round(k === 0 ? calibrated : Math.min(calibrated, probabilities[c] * rest), 6),
    }));
    return { label: top[0].label, confidence: top[0].confidence, top };
  }

  /**
   * Scores labelled examples. `msPerItem` is the mean wall time of `predict` (featurisation included) per
   * item after a short warm-up, `latencyMs` its percentiles.
   */
  evaluate(
    examples: readonly LabelledExample[],
  ): EvaluationReport & { msPerItem: number; latencyMs: { p50: number; p99: number; max: number } } {
    const predicted: string[] = [];
    const confidence: number[] = [];
    const times = new Float64Array(examples.length);
    // Warm up the JIT so the timing reflects a long-running worker, not the first calls.
    for (let i = 0; i < Math.min(200, examples.length); i++) this.predict(examples[i], 1);
    const started = now();
    for (let i = 0; i < examples.length; i++) {
      const t = now();
      const p = this.predict(examples[i], 1);
      times[i] = now() - t;
      predicted.push(p.label);
      confidence.push(p.confidence);
    }
    const msPerItem = examples.length > 0 ? (now() - started) / examples.length : 0;
    times.sort();
    const at = (q: number): number =>
      times.length > 0 ? round(times[Math.min(times.length - 1, Math.floor(q * times.length))]) : 0;
    const report = evaluatePredictions(
      examples.map((e) => e.label),
      predicted,
      confidence,
    );
    return { ...report, msPerItem: round(msPerItem), latencyMs: { p50: at(0.5), p99: at(0.99), max: at(1) } };
  }

  /** Index of a label, or -1. */
  labelIndex(label: string): number {
    return this.index.get(label) ?? -1;
  }
}

/**
 * A model's weights laid out for scoring: one dense feature-major row per feature, zeros included (int8
 * weights take features × classes bytes: 10 MB for 82 k features and 121 fine labels). Each class's margin
 * is summed in a register over the input's terms, four classes at a time, with no class-id indirection and
 * no store per term: over twice as fast as walking the sparse rows. The margins are bit for bit those of
 * the sparse rows: each class still adds its terms in the input's order, the stored values are exact in the
 * same typed array, and a zero weight's product (±0) leaves a sum as it was (a sum that starts at +0 never
 * becomes −0).
 */
interface ScoringLayout {
  readonly classes: number;
  /** `dense[j * classes + c]`: the stored (quantised) weight of feature j for class c. */
  readonly dense: Int8Array | Int16Array | Float32Array;
  readonly scales: Float64Array;
  readonly bias: Float64Array;
}

function scoringLayout(weights: ScoringWeights, classes: number): ScoringLayout {
  const { rowPtr, classIds, values } = weights;
  const features = rowPtr.length - 1;
  const size = features * classes;
  const dense =
    values instanceof Int8Array
      ? new Int8Array(size)
      : values instanceof Int16Array
        ? new Int16Array(size)
        : new Float32Array(size);
  for (let j = 0; j < features; j++) {
    for (let p = rowPtr[j]; p < rowPtr[j + 1]; p++) dense[j * classes + classIds[p]] = values[p];
  }
  return { classes, dense, scales: weights.scales, bias: weights.bias };
}

/** Row offsets of the current input's terms (reused: scoring is synchronous). */
let rowOffsets = new Int32Array(1024);

function scoreVector(layout: ScoringLayout, vector: SparseVector): Float64Array {
  const { classes, dense, scales, bias } = layout;
  const { indices, values: x } = vector;
  const n = indices.length;
  if (rowOffsets.length < n) rowOffsets = new Int32Array(2 * n);
  const offsets = rowOffsets;
  for (let k = 0; k < n; k++) offsets[k] = indices[k] * classes;
  const out = new Float64Array(classes);
  let c = 0;
  for (; c + 4 <= classes; c += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < n; k++) {
      const o = offsets[k] + c;
      const v = x[k];
      s0 += dense[o] * v;
      s1 += dense[o + 1] * v;
      s2 += dense[o + 2] * v;
      s3 += dense[o + 3] * v;
    }
    out[c] = s0;
    out[c + 1] = s1;
    out[c + 2] = s2;
    out[c + 3] = s3;
  }
  for (; c < classes; c++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += dense[offsets[k] + c] * x[k];
    out[c] = s;
  }
  for (c = 0; c < classes; c++) out[c] = out[c] * scales[c] + bias[c];
  return out;
}

function encodeWeights(w: ScoringWeights): WeightsFile {
  return {
    encoding: encodingOf(w.values),
    scales: [...w.scales],
    bias: [...w.bias],
    rowPtr: toBase64(w.rowPtr),
    classIds: toBase64(w.classIds),
    values: toBase64(w.values),
  };
}

function decodeWeights(w: WeightsFile): ScoringWeights {
  return {
    rowPtr: fromBase64(w.rowPtr, (b) => new Int32Array(b)),
    classIds: fromBase64(w.classIds, (b) => new Uint16Array(b)),
    values: fromBase64(w.values, (b) =>
      w.encoding === 'int8'
        ? new Int8Array(b)
        : w.encoding === 'int16'
          ? new Int16Array(b)
          : new Float32Array(b),
    ),
    scales: Float64Array.from(w.scales),
    bias: Float64Array.from(w.bias),
  };
}

/**
 * The same rows labelled `parent / fine` (rows without a fine label get `parent / `); `withinParent`: each
 * pair's problem takes only its parent's rows.
 */
function withFineLabels(vectors: Vectors, withinParent: boolean): Vectors {
  return {
    ...vectors,
    examples: vectors.examples.map((e) => ({
      ...e,
      label: `${e.label}${FINE_SEPARATOR}${e.fineLabel ?? ''}`,
    })),
    ...(withinParent ? { groupOf: (label: string) => label.slice(0, label.indexOf(FINE_SEPARATOR)) } : {}),
  };
}

/** The same rows without their character n-grams. */
function withoutChars(vectors: Vectors): Vectors {
  const { featurizer } = vectors;
  return {
    ...vectors,
    vectors: vectors.vectors.map((v) => {
      const keep: number[] = [];
      for (let k = 0; k < v.indices.length; k++) if (!featurizer.isCharTerm(v.indices[k])) keep.push(k);
      return {
        indices: Int32Array.from(keep, (k) => v.indices[k]),
        values: Float32Array.from(keep, (k) => v.values[k]),
      };
    }),
  };
}

/** The same rows labelled by their pivot label (rows without one get the empty label). */
function withPivotLabels(vectors: Vectors): Vectors {
  return { ...vectors, examples: vectors.examples.map((e) => ({ ...e, label: e.pivotLabel ?? '' })) };
}

function pivotRows(
  examples: readonly LabelledExample[],
): { label: string; pivot: string; features: LabelledExample['features'] }[] {
  return examples.map((e) => ({ label: e.label, pivot: e.pivotLabel ?? '', features: e.features }));
}

/** For each `parent / fine` label, the index of its parent among `labels`. */
function parentIndex(fineLabels: readonly string[], labels: readonly string[]): Int32Array {
  return Int32Array.from(fineLabels, (f) => labels.indexOf(f.slice(0, f.indexOf(FINE_SEPARATOR))));
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < values.length; c++) if (values[c] > values[best]) best = c;
  return best;
}

function splitHoldout(
  examples: readonly LabelledExample[],
  rows: number,
  order: 'tail' | 'random',
  seed: number,
): { fit: LabelledExample[]; test: LabelledExample[]; fitIndex: number[]; testIndex: number[] } {
  if (order === 'tail') {
    const fitIndex = [...examples.keys()].slice(0, examples.length - rows);
    const testIndex = [...examples.keys()].slice(examples.length - rows);
    return { fit: examples.slice(0, -rows), test: examples.slice(-rows), fitIndex, testIndex };
  }
  const random = seededRandom(seed ^ 0x5bd1e995);
  const idx = [...examples.keys()];
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const testSet = new Set(idx.slice(0, rows));
  const fitIndex = [...examples.keys()].filter((i) => !testSet.has(i));
  const testIndex = [...examples.keys()].filter((i) => testSet.has(i));
  return {
    fit: fitIndex.map((i) => examples[i]),
    test: testIndex.map((i) => examples[i]),
    fitIndex,
    testIndex,
  };
}

/**
 * A fit started now and awaited later, after other work: its rejection is handled at once (so it is not an
 * unhandled one meanwhile) and still reaches whoever awaits it.
 */
function inBackground<T>(pending: Promise<T>): Promise<T> {
  pending.catch(() => undefined);
  return pending;
}

/** How the solvers run: over how many threads, and the pool of worker threads kept across a training's fits. */
interface Solvers {
  readonly threads: number;
  readonly pool?: SolverPool;
}

interface Vectors {
  readonly featurizer: Featurizer;
  readonly vectors: SparseVector[];
  readonly examples: readonly LabelledExample[];
  /** When set, each label's problem takes only the rows whose label has the same group. */
  readonly groupOf?: (label: string) => string;
}

function fitFeatures(
  examples: readonly LabelledExample[],
  config: FeatureConfig,
  log: (message: string) => void,
  started: TrainingClock,
  /** The rows' terms when already extracted ({@link Featurizer.extract}, same configuration). */
  terms?: readonly ExtractedTerms[],
): Vectors {
  const featurizer = new Featurizer(config);
  const vectors = terms ? featurizer.fitExtracted(terms) : featurizer.fitTransform(examples);
  let nnz = 0;
  for (const v of vectors) nnz += v.indices.length;
  log(
    `features: ${featurizer.size} terms, ${examples.length} rows, ${(nnz / examples.length).toFixed(0)} non-zeros/row ${stamp(started)}`,
  );
  return { featurizer, vectors, examples };
}

// The rows' matrices by their vectors: the calibration stages' fits (the label's model, the fine labels', the
// pivot's, each class weighting) read the same rows with the same recency weights, so they share one matrix,
// and the solvers' workers keep its rows between fits (SolverPool).
const matrices = new WeakMap<readonly SparseVector[], Map<string, CsrMatrix>>();

function rowsMatrix(
  vectors: readonly SparseVector[],
  cols: number,
  shared: boolean,
  halfLifeDays: number | undefined,
  examples: readonly LabelledExample[],
): CsrMatrix {
  // The recency weights follow from the rows' times, the same whatever label the rows carry.
  const key = `${cols} ${shared} ${halfLifeDays ?? ''}`;
  let byKey = matrices.get(vectors);
  if (!byKey) {
    byKey = new Map();
    matrices.set(vectors, byKey);
  }
  let X = byKey.get(key);
  if (!X) {
    X = toCsr(vectors, cols, shared, halfLifeDays ? recencyWeights(examples, halfLifeDays) : undefined);
    byKey.set(key, X);
  }
  return X;
}

/** A fit's labels (sorted), their indices, the rows' matrix (recency-weighted) and the warm start by class. */
function fitProblem(
  { featurizer, vectors, examples }: Pick<Vectors, 'featurizer' | 'vectors' | 'examples'>,
  shared: boolean,
  warm?: WarmStartFrom,
  halfLifeDays?: number,
): { labels: string[]; y: Int32Array; X: CsrMatrix; warmStart?: (Float64Array | undefined)[] } {
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const labelIndex = new Map(labels.map((label, c) => [label, c]));
  const y = Int32Array.from(examples.map((e) => labelIndex.get(e.label) as number));
  const X = rowsMatrix(vectors, featurizer.size, shared, halfLifeDays, examples);
  const warmStart = warm
    ? labels.map((label) => {
        const old = warm.result.alphas[warm.result.labels.indexOf(label)];
        if (!old) return undefined;
        const init = new Float64Array(examples.length);
        for (let i = 0; i < init.length; i++) if (warm.rowMap[i] >= 0) init[i] = old[warm.rowMap[i]];
        return init;
      })
    : undefined;
  return { labels, y, X, warmStart };
}

async function fitLinear(
  { featurizer, vectors, examples, groupOf }: Vectors,
  linear: LinearOptions,
  { threads, pool }: Solvers,
  log: (message: string) => void,
  started: TrainingClock,
  warm?: WarmStartFrom,
  halfLifeDays?: number,
): Promise<FitResult> {
  const { labels, y, X, warmStart } = fitProblem(
    { featurizer, vectors, examples },
    threads > 1,
    warm,
    halfLifeDays,
  );
  let groups: ClassGroups | undefined;
  if (groupOf) {
    const groupIndex = new Map<string, number>();
    const classGroup = Int32Array.from(labels, (label) => {
      const g = groupOf(label);
      if (!groupIndex.has(g)) groupIndex.set(g, groupIndex.size);
      return groupIndex.get(g) as number;
    });
    groups = { classGroup, rowGroup: Int32Array.from(y, (c) => classGroup[c]) };
  }
  const step = Math.max(1, Math.ceil(labels.length / 10));
  const { weights: dense, alphas } = await trainOneVsRestParallel(
    X,
    y,
    labels.length,
    linear,
    threads,
    ({ classIndex, classes, iterations }) => {
      if ((classIndex + 1) % step === 0 || classIndex + 1 === classes) {
        log(
          `${linear.loss} C=${linear.C}: class ${classIndex + 1}/${classes} (${iterations} epochs) ${stamp(started)}`,
        );
      }
    },
    warmStart,
    groups,
    pool,
  );
  return { featurizer, labels, dense, alphas };
}

/**
 * The label's own model as one Crammer–Singer multiclass SVM, laid out as {@link fitLinear}'s. With more than
 * one thread it fits in a worker thread of its own, so that the one-vs-rest fits started beside it (the fine
 * labels' model) keep the other cores busy: the same result either way.
 */
async function fitCrammerSinger(
  { featurizer, vectors, examples }: Vectors,
  linear: LinearOptions,
  { threads }: Solvers,
  log: (message: string) => void,
  started: TrainingClock,
  warm?: WarmStartFrom,
  halfLifeDays?: number,
): Promise<FitResult> {
  const { labels, y, X, warmStart } = fitProblem(
    { featurizer, vectors, examples },
    threads > 1,
    warm,
    halfLifeDays,
  );
  const init = warmStart?.map((a) => a ?? new Float64Array(examples.length));
  const {
    weights: dense,
    alphas,
    iterations,
  } = threads > 1
    ? await trainCrammerSingerOffThread(X, y, labels.length, linear, init)
    : trainCrammerSinger(X, y, labels.length, linear, init);
  log(`crammer-singer C=${linear.C}: ${labels.length} classes (${iterations} epochs) ${stamp(started)}`);
  return { featurizer, labels, dense, alphas };
}

function scoreDense(result: FitResult, vector: SparseVector, bias: number): Float64Array {
  const K = result.labels.length;
  const cols = result.featurizer.size;
  const out = new Float64Array(K);
  for (let c = 0; c < K; c++) out[c] = result.dense[cols * K + c] * bias;
  for (let k = 0; k < vector.indices.length; k++) {
    const row = vector.indices[k] * K;
    const v = vector.values[k];
    for (let c = 0; c < K; c++) out[c] += result.dense[row + c] * v;
  }
  return out;
}

/** 0.5^(age / half-life), age in days relative to the newest row. */
export function recencyWeights(examples: readonly LabelledExample[], halfLifeDays: number): Float64Array {
  const times = examples.map((e) => Date.parse(e.time ?? ''));
  const bad = times.findIndex((t) => Number.isNaN(t));
  if (bad >= 0) {
    throw new ClassifierInputError(
      `recency weighting needs a date in every row; row ${bad + 1} has "${examples[bad].time ?? ''}"`,
    );
  }
  const newest = Math.max(...times);
  return Float64Array.from(times, (t) => 0.5 ** ((newest - t) / 86_400_000 / halfLifeDays));
}

/** A 32-bit hash of a row as `eval` sees it: time, text, structured inputs and label. */
export function rowHash(example: LabelledExample): number {
  const features = Object.keys(example.features)
    .sort()
    .map((k) => `${k}=${example.features[k]}`)
    .join('\u0001');
  const key = `${example.time ?? ''}\u0000${example.text}\u0000${features}\u0000${example.label}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

function trainingRows(examples: readonly LabelledExample[], split: string | undefined): TrainingRows {
  const hashes = Uint32Array.from(examples, rowHash).sort();
  const times = examples.map((e) => e.time).filter((t): t is string => !!t);
  return {
    rows: examples.length,
    ...(split ? { split } : {}),
    ...(times.length > 0
      ? {
          firstTime: times.reduce((a, b) => (b < a ? b : a)),
          lastTime: times.reduce((a, b) => (b > a ? b : a)),
        }
      : {}),
    hashes: Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength).toString('base64'),
  };
}

/**
 * How many of these rows the model was trained on (by row hash; 0 when the model recorded none). A dated row
 * outside the recorded training period cannot be one of them: a 32-bit hash over ~25 000 training rows would
 * otherwise take about one later row in 170 000 for a training row and refuse a whole later period for it.
 */
export function countTrainingRows(model: TextClassifier, examples: readonly LabelledExample[]): number {
  const training = model.metadata.training;
  const recorded = training?.hashes;
  if (!recorded) return 0;
  const bytes = Buffer.from(recorded, 'base64');
  const hashes = new Uint32Array(bytes.length / 4);
  new Uint8Array(hashes.buffer).set(bytes);
  const first = Date.parse(training.firstTime ?? '');
  const last = Date.parse(training.lastTime ?? '');
  let overlap = 0;
  for (const example of examples) {
    const time = Date.parse(example.time ?? '');
    if (!Number.isNaN(time) && !Number.isNaN(first) && !Number.isNaN(last) && (time < first || time > last)) {
      continue;
    }
    const h = rowHash(example);
    let lo = 0;
    let hi = hashes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (hashes[mid] === h) {
        overlap++;
        break;
      }
      if (hashes[mid] < h) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return overlap;
}
