export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface ReliabilityBin {
  /** Confidence range `[from, to)` (the last bin includes 1). */
  readonly from: number;
  readonly to: number;
  readonly rows: number;
  readonly meanConfidence: number;
  readonly accuracy: number;
}

export interface CoveragePoint {
  /** Share of items kept: the most confident ones. */
  readonly coverage: number;
  /** Confidence of the least confident kept item (the threshold that yields this coverage). */
  readonly minConfidence: number;
  readonly accuracy: number;
}

export interface ThresholdPoint {
  readonly threshold: number;
  /** Share of items at or above the threshold (auto-routed); the rest go to the manual queue. */
  readonly coverage: number;
  readonly accuracy: number;
}

/** How far the confidence can be trusted for routing. */
export interface ConfidenceReport {
  readonly meanConfidence: number;
  /** Expected calibration error over 10 equal-width bins (0 = perfectly calibrated). */
  readonly ece: number;
  /** Accuracy of the top-confidence quantiles. */
  readonly byCoverage: readonly CoveragePoint[];
  readonly byThreshold: readonly ThresholdPoint[];
  readonly reliability: readonly ReliabilityBin[];
}

export interface EvaluationReport {
  readonly rows: number;
  readonly accuracy: number;
  readonly macroF1: number;
  readonly weightedF1: number;
  readonly perClass: Readonly<Record<string, ClassMetrics>>;
  readonly confidence: ConfidenceReport;
}

export function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The metric a choice on the calibration slice maximises: the target's own metric. */
export type SelectionMetric = 'accuracy' | 'macro-f1';

export interface SlicePick<T> {
  readonly value: T;
  readonly accuracy: number;
  readonly macroF1: number;
}

/**
 * Picks the candidate whose predictions on the slice score best in `selectBy` (the first one on a tie) and
 * reports both metrics of every candidate, so a log shows what the other metric would have chosen.
 */
export function pickOnSlice<T>(
  gold: readonly string[],
  candidates: readonly { readonly value: T; readonly predicted: readonly string[] }[],
  selectBy: SelectionMetric,
): { best: SlicePick<T>; all: SlicePick<T>[] } {
  if (candidates.length === 0) throw new Error('pickOnSlice needs at least one candidate');
  const all = candidates.map(({ value, predicted }) => {
    const report = evaluatePredictions(
      gold,
      predicted,
      predicted.map(() => 1),
    );
    return { value, accuracy: report.accuracy, macroF1: report.macroF1 };
  });
  const score = (p: SlicePick<T>) => (selectBy === 'accuracy' ? p.accuracy : p.macroF1);
  const best = all.reduce((a, b) => (score(b) > score(a) ? b : a));
  return { best, all };
}

/**
 * Accuracy, macro/weighted F1 and per-class scores. Macro-F1 averages over the union of gold and predicted
 * labels (as scikit-learn does), so a class predicted but never present counts as F1 0.
 */
export function evaluatePredictions(
  gold: readonly string[],
  predicted: readonly string[],
  confidence: readonly number[],
): EvaluationReport {
  const n = gold.length;
  const tp = new Map<string, number>();
  const goldCount = new Map<string, number>();
  const predCount = new Map<string, number>();
  let correct = 0;
  for (let i = 0; i < n; i++) {
    goldCount.set(gold[i], (goldCount.get(gold[i]) ?? 0) + 1);
    predCount.set(predicted[i], (predCount.get(predicted[i]) ?? 0) + 1);
    if (gold[i] === predicted[i]) {
      correct++;
      tp.set(gold[i], (tp.get(gold[i]) ?? 0) + 1);
    }
  }
  const labels = [...new Set([...goldCount.keys(), ...predCount.keys()])].sort(
    (a, b) => (goldCount.get(b) ?? 0) - (goldCount.get(a) ?? 0) || (a < b ? -1 : 1),
  );
  const perClass: Record<string, ClassMetrics> = {};
  let macro = 0;
  let weighted = 0;
  for (const label of labels) {
    const t = tp.get(label) ?? 0;
    const support = goldCount.get(label) ?? 0;
    const predictedCount = predCount.get(label) ?? 0;
    const precision = predictedCount > 0 ? t / predictedCount : 0;
    const recall = support > 0 ? t / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[label] = { precision: round(precision), recall: round(recall), f1: round(f1), support };
    macro += f1;
    weighted += f1 * support;
  }
  const correctness = gold.map((g, i) => g === predicted[i]);
  return {
    rows: n,
    accuracy: round(n > 0 ? correct / n : 0),
    macroF1: round(labels.length > 0 ? macro / labels.length : 0),
    weightedF1: round(n > 0 ? weighted / n : 0),
    perClass,
    confidence: confidenceReport(correctness, confidence),
  };
}

export function confidenceReport(
  correct: readonly boolean[],
  confidence: readonly number[],
): ConfidenceReport {
  const n = correct.length;
  const bins = 10;
  const binRows = new Array<number>(bins).fill(0);
  const binConfidence = new Array<number>(bins).fill(0);
  const binCorrect = new Array<number>(bins).fill(0);
  let sumConfidence = 0;
  for (let i = 0; i < n; i++) {
    const b = Math.min(bins - 1, Math.floor(confidence[i] * bins));
    binRows[b]++;
    binConfidence[b] += confidence[i];
    if (correct[i]) binCorrect[b]++;
    sumConfidence += confidence[i];
  }
  let ece = 0;
  const reliability: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (binRows[b] === 0) continue;
    const meanConfidence = binConfidence[b] / binRows[b];
    const accuracy = binCorrect[b] / binRows[b];
    ece += (binRows[b] / n) * Math.abs(meanConfidence - accuracy);
    reliability.push({
      from: round(b / bins, 2),
      to: round((b + 1) / bins, 2),
      rows: binRows[b],
      meanConfidence: round(meanConfidence),
      accuracy: round(accuracy),
    });
  }
  const order = [...confidence.keys()].sort((a, b) => confidence[b] - confidence[a]);
  const byCoverage: CoveragePoint[] = [];
  for (const coverage of [0.5, 0.7, 0.8, 0.9, 1]) {
    const k = Math.max(1, Math.round(coverage * n));
    if (n === 0) break;
    let ok = 0;
    for (let r = 0; r < k; r++) if (correct[order[r]]) ok++;
    byCoverage.push({ coverage, minConfidence: round(confidence[order[k - 1]]), accuracy: round(ok / k) });
  }
  const byThreshold: ThresholdPoint[] = [];
  for (const threshold of [0.5, 0.7, 0.8, 0.9, 0.95]) {
    let kept = 0;
    let ok = 0;
    for (let i = 0; i < n; i++) {
      if (confidence[i] < threshold) continue;
      kept++;
      if (correct[i]) ok++;
    }
    byThreshold.push({
      threshold,
      coverage: round(n > 0 ? kept / n : 0),
      accuracy: round(kept > 0 ? ok / kept : 0),
    });
  }
  return {
    meanConfidence: round(n > 0 ? sumConfidence / n : 0),
    ece: round(ece),
    byCoverage,
    byThreshold,
    reliability,
  };
}
