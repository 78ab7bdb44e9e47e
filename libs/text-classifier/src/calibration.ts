/** Softmax over margins divided by a temperature, written into `out`. */
export function softmax(scores: ArrayLike<number>, temperature: number, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (let c = 0; c < scores.length; c++) if (scores[c] > max) max = scores[c];
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    const e = Math.exp((scores[c] - max) / temperature);
    out[c] = e;
    sum += e;
  }
  for (let c = 0; c < scores.length; c++) out[c] /= sum;
  return out;
}

/**
 * The indices of the `k` largest values, largest first, ties in index order: the first `k` of a stable
 * descending sort, without sorting every index.
 */
export function topIndices(values: ArrayLike<number>, k: number): number[] {
  const top: number[] = [];
  if (k <= 0) return top;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (top.length === k) {
      if (!(v > values[top[k - 1]])) continue;
      top.pop();
    }
    // After every kept value at least as large: a later index loses ties, as in a stable sort.
    let at = top.length;
    while (at > 0 && v > values[top[at - 1]]) at--;
    top.splice(at, 0, i);
  }
  return top;
}

/** Mean negative log-likelihood of the gold classes under softmax(scores / T). */
export function negativeLogLikelihood(
  scores: readonly Float64Array[],
  gold: ArrayLike<number>,
  temperature: number,
): number {
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    let max = -Infinity;
    for (let c = 0; c < s.length; c++) if (s[c] > max) max = s[c];
    let sum = 0;
    for (let c = 0; c < s.length; c++) sum += Math.exp((s[c] - max) / temperature);
    total += Math.log(sum) - (s[gold[i]] - max) / temperature;
  }
  return total / Math.max(1, scores.length);
}

/**
 * Temperature scaling (Guo et al. 2017): the T minimising held-out NLL, found by golden-section search on
 * log T in [0.01, 100]. Rows whose gold class is unknown to the model must be left out by the caller.
 */
export function fitTemperature(scores: readonly Float64Array[], gold: ArrayLike<number>): number {
  if (scores.length === 0) return 1;
  let lo = Math.log(0.01);
  let hi = Math.log(100);
  const phi = (Math.sqrt(5) - 1) / 2;
  const f = (x: number): number => negativeLogLikelihood(scores, gold, Math.exp(x));
  let x1 = hi - phi * (hi - lo);
  let x2 = lo + phi * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let k = 0; k < 60 && hi - lo > 1e-4; k++) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - phi * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + phi * (hi - lo);
      f2 = f(x2);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/** Platt scaling of the top-1 confidence: calibrated = σ(a · logit(p) + b). */
export interface TopConfidenceMap {
  readonly a: number;
  readonly b: number;
}

const clampP = (p: number): number => Math.min(1 - 1e-7, Math.max(1e-7, p));
const logit = (p: number): number => Math.log(clampP(p) / (1 - clampP(p)));

export function applyConfidenceMap(map: TopConfidenceMap | undefined, p: number): number {
  if (!map) return p;
  return 1 / (1 + Math.exp(-(map.a * logit(p) + map.b)));
}

/**
 * Fits σ(a · logit(p) + b) to whether the top label was right, by Newton's method on the log-loss with
 * Platt's smoothed targets. Softmax with one temperature is usually over-confident at the top and
 * under-confident in the middle when there are many classes; this second step fixes the top-1 confidence,
 * which is what routing thresholds read. Falls back to the identity when it would not be increasing.
 */
export function fitConfidenceMap(
  confidence: readonly number[],
  correct: readonly boolean[],
): TopConfidenceMap {
  const n = confidence.length;
  const positives = correct.filter(Boolean).length;
  if (n < 20 || positives === 0 || positives === n) return { a: 1, b: 0 };
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (n - positives + 2);
  const x = confidence.map(logit);
  const t = correct.map((c) => (c ? hi : lo));
  const loss = (a: number, b: number): number => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const z = a * x[i] + b;
      // log(1 + e^z) - t·z, computed stably
      total += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t[i] * z;
    }
    return total;
  };
  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-(a * x[i] + b)));
      const d = p - t[i];
      const w = p * (1 - p);
      ga += d * x[i];
      gb += d;
      haa += w * x[i] * x[i];
      hab += w * x[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    // Backtracking: Newton steps can overshoot when the sigmoid saturates.
    let step = 1;
    let next = loss(a - da, b - db);
    while (next > current && step > 1e-6) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (next > current) break;
    a -= step * da;
    b -= step * db;
    const improvement = current - next;
    current = next;
    if (improvement < 1e-10 * n) break;
  }
  return Number.isFinite(a) && Number.isFinite(b) && a > 0 ? { a, b } : { a: 1, b: 0 };
}
