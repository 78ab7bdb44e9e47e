import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { type SparseVector } from './features';
import { sparseKernel } from './sparse-kernel';
import { workerScript } from './worker-script';

/**
 * One-vs-rest linear classifiers trained by dual coordinate descent, a port of liblinear's solvers
 * (Hsieh et al. 2008 for SVMs, Yu, Huang & Lin 2011 for logistic regression), with shrinking.
 */

/** `svm`: L2-regularised squared hinge (liblinear -s 1); `svm-l1`: plain hinge (-s 3); `logreg`: (-s 7). */
export type LinearLoss = 'svm' | 'svm-l1' | 'logreg';
/** `balanced`: C of class c's positives scaled by n/(K·n_c); `sqrt`: by its square root (milder). */
export type ClassWeighting = 'none' | 'balanced' | 'sqrt';
export const CLASS_WEIGHTINGS: readonly ClassWeighting[] = ['none', 'balanced', 'sqrt'];

/**
 * The class weightings the product tries on its calibration slice, the library's `sqrt` first (kept on a
 * tie): the CLI's default, the retrainer's and the bench's (docs/classification-experiments.md).
 */
export const CLASS_WEIGHT_CANDIDATES: readonly ClassWeighting[] = ['sqrt', 'balanced'];

export interface LinearOptions {
  readonly loss: LinearLoss;
  /** Inverse regularisation strength. */
  readonly C: number;
  /** Stopping tolerance on the projected-gradient gap. */
  readonly eps: number;
  readonly maxIter: number;
  /** Value of the constant bias feature (0 = no bias). */
  readonly bias: number;
  readonly classWeight: ClassWeighting;
  readonly seed: number;
  /**
   * liblinear's shrinking (default true): the SVM solvers leave out of their passes the rows whose dual
   * variable sits at a bound with a gradient past the last pass's extremes, and check every row again before
   * stopping. The same optimum to the tolerance; false visits every row in every pass (for comparison).
   */
  readonly shrinking?: boolean;
}

export const DEFAULT_LINEAR_OPTIONS: LinearOptions = {
  loss: 'svm',
  C: 0.5,
  eps: 0.1,
  maxIter: 1000,
  bias: 1,
  classWeight: 'sqrt',
  seed: 42,
};

/** Compressed sparse rows. */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
  /** Optional per-row weights: row i's C is multiplied by rowWeights[i] (e.g. recency weighting). */
  readonly rowWeights?: Float32Array;
}

/** Builds a CSR matrix; `shared` puts it in SharedArrayBuffers so worker threads can read it without copies. */
export function toCsr(
  vectors: readonly SparseVector[],
  cols: number,
  shared = false,
  rowWeights?: ArrayLike<number>,
): CsrMatrix {
  let nnz = 0;
  for (const v of vectors) nnz += v.indices.length;
  const alloc = (bytes: number): ArrayBufferLike =>
    shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const indptr = new Int32Array(alloc(4 * (vectors.length + 1)));
  const indices = new Int32Array(alloc(4 * nnz));
  const values = new Float32Array(alloc(4 * nnz));
  let p = 0;
  vectors.forEach((v, r) => {
    indices.set(v.indices, p);
    values.set(v.values, p);
    p += v.indices.length;
    indptr[r + 1] = p;
  });
  let weights: Float32Array | undefined;
  if (rowWeights) {
    weights = new Float32Array(alloc(4 * vectors.length));
    for (let i = 0; i < vectors.length; i++) weights[i] = rowWeights[i];
  }
  return { rows: vectors.length, cols, indptr, indices, values, rowWeights: weights };
}

/** Deterministic PRNG (mulberry32): the solvers' row order, and the demo data generators (libs/demo). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Each class's problem takes only the rows of its own group (e.g. a reason's problem only its category's
 * rows): `rowGroup[i]` is row i's group, `classGroup[c]` class c's. A row's label must be a class of its group.
 */
export interface ClassGroups {
  readonly rowGroup: Int32Array;
  readonly classGroup: Int32Array;
}

/** The rows of class c's problem: all of them, or its group's. */
export function problemRows(rows: number, c: number, groups?: ClassGroups): Int32Array | undefined {
  if (!groups) return undefined;
  const group = groups.classGroup[c];
  let n = 0;
  for (let i = 0; i < rows; i++) if (groups.rowGroup[i] === group) n++;
  const out = new Int32Array(n);
  n = 0;
  for (let i = 0; i < rows; i++) if (groups.rowGroup[i] === group) out[n++] = i;
  return out;
}

/** Class weights; with groups, each class is balanced against its own group's rows and classes. */
export function classWeights(
  labels: Int32Array,
  classes: number,
  weighting: ClassWeighting,
  groups?: ClassGroups,
): Float64Array {
  const counts = new Float64Array(classes);
  for (const y of labels) counts[y]++;
  const weights = new Float64Array(classes).fill(1);
  if (weighting === 'none') return weights;
  const groupRows = new Map<number, number>();
  const groupClasses = new Map<number, number>();
  if (groups) {
    for (let c = 0; c < classes; c++) {
      const g = groups.classGroup[c];
      groupRows.set(g, (groupRows.get(g) ?? 0) + counts[c]);
      groupClasses.set(g, (groupClasses.get(g) ?? 0) + 1);
    }
  }
  for (let c = 0; c < classes; c++) {
    if (counts[c] === 0) continue;
    const g = groups?.classGroup[c] ?? 0;
    const rows = groups ? (groupRows.get(g) ?? 0) : labels.length;
    const k = groups ? (groupClasses.get(g) ?? 1) : classes;
    const w = rows / (k * counts[c]);
    weights[c] = weighting === 'sqrt' ? Math.sqrt(w) : w;
  }
  return weights;
}

export interface BinaryResult {
  /** cols + 1 weights; the last one multiplies the bias feature. */
  readonly w: Float64Array;
  readonly iterations: number;
  /** Dual variables (SVM losses only), to warm-start a refit on a superset of the rows. */
  readonly alpha?: Float64Array;
}

/**
 * Trains one binary problem: rows with `positive[i]` are +1, the rest -1. With `rows`, only those rows
 * take part (the others keep a dual variable of 0): a problem over a subset without copying the matrix.
 */
export function trainBinary(
  X: CsrMatrix,
  positive: Uint8Array,
  Cp: number,
  Cn: number,
  options: LinearOptions,
  seed: number,
  initialAlpha?: ArrayLike<number>,
  rows?: Int32Array,
  norms?: Float64Array,
): BinaryResult {
  const subset = rows ?? allRows(X.rows);
  // The rows' squared norms are the same in every class's problem: one-vs-rest computes them once.
  const squared = norms ?? rowSquaredNorms(X, options.bias);
  return options.loss === 'logreg'
    ? solveLogisticDual(X, positive, Cp, Cn, options, seed, subset, squared)
    : solveSvmDual(X, positive, Cp, Cn, options, seed, subset, squared, initialAlpha);
}

function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

/** Squared norms of the rows, the bias feature included: the diagonal of every class's dual problem. */
export function rowSquaredNorms(X: CsrMatrix, bias: number): Float64Array {
  const out = new Float64Array(X.rows);
  const { indptr, values } = X;
  for (let i = 0; i < X.rows; i++) {
    let s = bias * bias;
    for (let p = indptr[i]; p < indptr[i + 1]; p++) s += values[p] * values[p];
    out[i] = s;
  }
  return out;
}

/** The row's C: the class's, times the row's weight when rows are weighted. */
function rowC(X: CsrMatrix, positive: Uint8Array, i: number, Cp: number, Cn: number): number {
  return (positive[i] ? Cp : Cn) * (X.rowWeights ? X.rowWeights[i] : 1);
}

/** w · x_i, the bias feature included. */
function rowDot(w: Float64Array, X: CsrMatrix, i: number, bias: number): number {
  const { cols, indptr, indices, values } = X;
  let dot = w[cols] * bias;
  for (let p = indptr[i]; p < indptr[i + 1]; p++) dot += w[indices[p]] * values[p];
  return dot;
}

/** w += d · x_i, the bias feature included. */
function addRow(w: Float64Array, X: CsrMatrix, i: number, d: number, bias: number): void {
  const { cols, indptr, indices, values } = X;
  for (let p = indptr[i]; p < indptr[i + 1]; p++) w[indices[p]] += d * values[p];
  w[cols] += d * bias;
}

/** Shuffles index[0..n) in place (Fisher–Yates): the dual solvers visit rows in a new order each pass. */
function shuffle(index: Int32Array, n: number, random: () => number): void {
  for (let s = 0; s < n; s++) {
    const j = s + Math.floor(random() * (n - s));
    const t = index[s];
    index[s] = index[j];
    index[j] = t;
  }
}

function solveSvmDual(
  X: CsrMatrix,
  positive: Uint8Array,
  Cp: number,
  Cn: number,
  options: LinearOptions,
  seed: number,
  rows: Int32Array,
  norms: Float64Array,
  initialAlpha?: ArrayLike<number>,
): BinaryResult {
  const { rows: all, cols, indptr, indices, values } = X;
  const l = rows.length;
  const bias = options.bias;
  const l2 = options.loss === 'svm';
  const shrinking = options.shrinking ?? true;
  // The row loops in WebAssembly where it runs (the same arithmetic: sparse-kernel.ts), else below.
  const kernel = sparseKernel(X);
  const w = kernel ? kernel.w.fill(0) : new Float64Array(cols + 1);
  // Per-row label sign, diagonal term (squared hinge), upper bound (hinge) from the row's C, and the
  // diagonal of the dual problem; in the kernel's memory when the passes run there (only the problem's rows
  // are read, so the other rows' entries left by an earlier class do not matter; alpha is cleared).
  const alpha = kernel ? kernel.alpha.fill(0) : new Float64Array(all);
  const sign = kernel ? kernel.sign : new Float64Array(all);
  const diag = kernel ? kernel.diag : new Float64Array(all);
  const upper = kernel ? kernel.upper : new Float64Array(all);
  const QD = kernel ? kernel.QD : new Float64Array(all);
  for (const i of rows) {
    const Ci = rowC(X, positive, i, Cp, Cn);
    sign[i] = positive[i] ? 1 : -1;
    diag[i] = l2 ? 0.5 / Ci : 0;
    upper[i] = l2 ? Infinity : Ci;
  }
  if (initialAlpha) {
    for (const i of rows) {
      const a = Math.min(Math.max(initialAlpha[i], 0), upper[i]);
      if (a === 0) continue;
      alpha[i] = a;
      addRow(w, X, i, positive[i] ? a : -a, bias);
    }
  }
  for (const i of rows) QD[i] = norms[i] + diag[i];
  let index: Int32Array;
  if (kernel) {
    index = kernel.index;
    index.set(rows);
  } else {
    index = Int32Array.from(rows);
  }
  const random = seededRandom(seed);
  let activeSize = l;
  let PGmaxOld = Infinity;
  let PGminOld = -Infinity;
  let iter = 0;
  // The row loops are written out over locals and four terms at a time (docs/classification-experiments.md:
  // about a tenth less CPU). The update is addRow's to the bit (a row's terms are distinct columns); the dot
  // product sums four partial sums, so it differs from rowDot's in the last bits only.
  while (iter < options.maxIter) {
    let PGmaxNew = -Infinity;
    let PGminNew = Infinity;
    shuffle(index, activeSize, random);
    if (kernel) {
      // The pass below, in WebAssembly (the same operations in the same order: the same weights to the bit).
      const pass = kernel.epoch(activeSize, PGmaxOld, PGminOld, shrinking, bias);
      activeSize = pass.active;
      PGmaxNew = pass.pgMax;
      PGminNew = pass.pgMin;
    }
    for (let s = 0; !kernel && s < activeSize; s++) {
      const i = index[s];
      const yi = sign[i];
      const from = indptr[i];
      const to = indptr[i + 1];
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      let p = from;
      for (; p + 3 < to; p += 4) {
        d0 += w[indices[p]] * values[p];
        d1 += w[indices[p + 1]] * values[p + 1];
        d2 += w[indices[p + 2]] * values[p + 2];
        d3 += w[indices[p + 3]] * values[p + 3];
      }
      for (; p < to; p++) d0 += w[indices[p]] * values[p];
      const sum = d0 + d1 + (d2 + d3);
      const dot = w[cols] * bias + sum;
      const ai = alpha[i];
      const G = yi * dot - 1 + ai * diag[i];
      const C = upper[i];
      let PG = 0;
      if (ai === 0) {
        if (shrinking && G > PGmaxOld) {
          activeSize--;
          index[s] = index[activeSize];
          index[activeSize] = i;
          s--;
          continue;
        } else if (G < 0) {
          PG = G;
        }
      } else if (ai === C) {
        if (shrinking && G < PGminOld) {
          activeSize--;
          index[s] = index[activeSize];
          index[activeSize] = i;
          s--;
          continue;
        } else if (G > 0) {
          PG = G;
        }
      } else {
        PG = G;
      }
      if (PG > PGmaxNew) PGmaxNew = PG;
      if (PG < PGminNew) PGminNew = PG;
      if (Math.abs(PG) > 1e-12) {
        const a = Math.min(Math.max(ai - G / QD[i], 0), C);
        alpha[i] = a;
        const d = (a - ai) * yi;
        let q = from;
        for (; q + 3 < to; q += 4) {
          w[indices[q]] += d * values[q];
          w[indices[q + 1]] += d * values[q + 1];
          w[indices[q + 2]] += d * values[q + 2];
          w[indices[q + 3]] += d * values[q + 3];
        }
        for (; q < to; q++) w[indices[q]] += d * values[q];
        w[cols] += d * bias;
      }
    }
    iter++;
    if (PGmaxNew - PGminNew <= options.eps) {
      if (activeSize === l) break;
      activeSize = l;
      PGmaxOld = Infinity;
      PGminOld = -Infinity;
      continue;
    }
    PGmaxOld = PGmaxNew;
    PGminOld = PGminNew;
    if (PGmaxOld <= 0) PGmaxOld = Infinity;
    if (PGminOld >= 0) PGminOld = -Infinity;
  }
  // The kernel's weights are overwritten by the next fit over the same matrix: the result is a copy.
  return { w: kernel ? w.slice() : w, iterations: iter, alpha: kernel ? alpha.slice() : alpha };
}

function solveLogisticDual(
  X: CsrMatrix,
  positive: Uint8Array,
  Cp: number,
  Cn: number,
  options: LinearOptions,
  seed: number,
  rows: Int32Array,
  xTx: Float64Array,
): BinaryResult {
  const { cols } = X;
  const l = rows.length;
  const bias = options.bias;
  const w = new Float64Array(cols + 1);
  // alpha[2i] is the dual variable, alpha[2i+1] = C_i - alpha[2i].
  const alpha = new Float64Array(2 * X.rows);
  const index = Int32Array.from(rows);
  const innerEps = 1e-2;
  const innerEpsMin = Math.min(1e-8, options.eps);
  let innerEpsCurrent = innerEps;
  const maxInner = 100;
  const eta = 0.1;
  for (const i of rows) {
    const C = rowC(X, positive, i, Cp, Cn);
    alpha[2 * i] = Math.min(0.001 * C, 1e-8);
    alpha[2 * i + 1] = C - alpha[2 * i];
    addRow(w, X, i, (positive[i] ? 1 : -1) * alpha[2 * i], bias);
  }
  const random = seededRandom(seed);
  let iter = 0;
  while (iter < options.maxIter) {
    shuffle(index, l, random);
    let newtonIter = 0;
    let Gmax = 0;
    for (let s = 0; s < l; s++) {
      const i = index[s];
      const yi = positive[i] ? 1 : -1;
      const C = rowC(X, positive, i, Cp, Cn);
      const a = xTx[i];
      const b = yi * rowDot(w, X, i, bias);
      let ind1 = 2 * i;
      let ind2 = 2 * i + 1;
      let sign = 1;
      if (0.5 * a * (alpha[ind2] - alpha[ind1]) + b < 0) {
        ind1 = 2 * i + 1;
        ind2 = 2 * i;
        sign = -1;
      }
      const alphaOld = alpha[ind1];
      let z = alphaOld;
      if (C - z < 0.5 * C) z = 0.1 * z;
      let gp = a * (z - alphaOld) + sign * b + Math.log(z / (C - z));
      Gmax = Math.max(Gmax, Math.abs(gp));
      let inner = 0;
      while (inner <= maxInner) {
        if (Math.abs(gp) < innerEpsCurrent) break;
        const gpp = a + C / (C - z) / z;
        const tmpz = z - gp / gpp;
        if (tmpz <= 0) z *= eta;
        else z = tmpz;
        gp = a * (z - alphaOld) + sign * b + Math.log(z / (C - z));
        newtonIter++;
        inner++;
      }
      if (inner > 0) {
        alpha[ind1] = z;
        alpha[ind2] = C - z;
        addRow(w, X, i, sign * (z - alphaOld) * yi, bias);
      }
    }
    iter++;
    if (Gmax < options.eps) break;
    if (newtonIter <= l / 10) innerEpsCurrent = Math.max(innerEpsMin, 0.1 * innerEpsCurrent);
  }
  return { w, iterations: iter };
}

export interface OneVsRestProgress {
  readonly classIndex: number;
  readonly classes: number;
  readonly iterations: number;
}

export interface OneVsRestResult {
  /** Feature-major weights: `weights[j * K + c]` for feature j (j = cols is the bias feature). */
  readonly weights: Float32Array;
  /** Per-class dual variables (SVM losses), for warm starts. */
  readonly alphas: (Float32Array | undefined)[];
}

/** Optional per-class initial dual variables (one per row of X). */
export type WarmStart = readonly (ArrayLike<number> | undefined)[];

/** Trains K one-vs-rest classifiers in this thread. */
export function trainOneVsRest(
  X: CsrMatrix,
  labels: Int32Array,
  classes: number,
  options: LinearOptions,
  onProgress?: (progress: OneVsRestProgress) => void,
  warmStart?: WarmStart,
  groups?: ClassGroups,
): OneVsRestResult {
  const weights = new Float32Array((X.cols + 1) * classes);
  const alphas: (Float32Array | undefined)[] = new Array(classes).fill(undefined);
  const perClass = classWeights(labels, classes, options.classWeight, groups);
  const positive = new Uint8Array(X.rows);
  const norms = rowSquaredNorms(X, options.bias);
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < X.rows; i++) positive[i] = labels[i] === c ? 1 : 0;
    const { w, iterations, alpha } = trainBinary(
      X,
      positive,
      options.C * perClass[c],
      options.C,
      options,
      options.seed + c,
      warmStart?.[c],
      problemRows(X.rows, c, groups),
      norms,
    );
    for (let j = 0; j <= X.cols; j++) weights[j * classes + c] = w[j];
    alphas[c] = alpha ? Float32Array.from(alpha) : undefined;
    onProgress?.({ classIndex: c, classes, iterations });
  }
  return { weights, alphas };
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));
}

/**
 * Worker threads for {@link trainOneVsRestParallel}, kept across fits (a training's calibration stages and its
 * refit): each starts once, and keeps the last matrix it was handed with its rows copied into its kernel, so a
 * fit over the same rows (the label's model, the fine labels', a second class weighting) neither starts
 * threads nor copies the rows again. {@link SolverPool.close} ends them.
 */
export class SolverPool {
  private readonly workers: Worker[] = [];
  private readonly matrixIds = new WeakMap<Int32Array, number>();
  private matrices = 0;
  private busy = false;

  constructor(readonly threads: number) {}

  /**
   * The first `count` workers (started when first asked for) for one fit, until {@link SolverPool.release}:
   * one fit at a time. Undefined without the compiled worker script.
   */
  take(count: number): Worker[] | undefined {
    if (this.busy) throw new Error('the solver pool is fitting another model');
    const script = workerScript('ovr-worker');
    if (!script) return undefined;
    while (this.workers.length < Math.min(count, this.threads)) this.workers.push(new Worker(script));
    this.busy = true;
    return this.workers.slice(0, count);
  }

  release(): void {
    this.busy = false;
  }

  /** The same id for the same matrix (by its column array), so that the workers know when to keep its rows. */
  matrixId(X: CsrMatrix): number {
    let id = this.matrixIds.get(X.indices);
    if (id === undefined) {
      id = ++this.matrices;
      this.matrixIds.set(X.indices, id);
    }
    return id;
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/**
 * {@link trainOneVsRest} spread over worker threads (classes handed out one at a time, largest first): the
 * pool's, or threads started for this fit alone. `X` should be in SharedArrayBuffers (`toCsr(…, shared)`),
 * otherwise each worker gets a copy.
 */
export async function trainOneVsRestParallel(
  X: CsrMatrix,
  labels: Int32Array,
  classes: number,
  options: LinearOptions,
  threads: number,
  onProgress?: (progress: OneVsRestProgress) => void,
  warmStart?: WarmStart,
  groups?: ClassGroups,
  pool?: SolverPool,
): Promise<OneVsRestResult> {
  const own = pool ? undefined : new SolverPool(threads);
  const count = Math.min(threads, classes);
  const workers = count > 1 ? (pool ?? own)?.take(count) : undefined;
  try {
    if (!workers || workers.length <= 1)
      return trainOneVsRest(X, labels, classes, options, onProgress, warmStart, groups);
    const weights = new Float32Array((X.cols + 1) * classes);
    const alphas: (Float32Array | undefined)[] = new Array(classes).fill(undefined);
    const perClass = classWeights(labels, classes, options.classWeight, groups);
    const perClassC = perClass.map((w) => options.C * w);
    // Largest problems first: a class's rows, or its group's.
    const size = new Float64Array(classes);
    if (groups) {
      const groupRows = new Map<number, number>();
      for (const g of groups.rowGroup) groupRows.set(g, (groupRows.get(g) ?? 0) + 1);
      for (let c = 0; c < classes; c++) size[c] = groupRows.get(groups.classGroup[c]) ?? 0;
    } else {
      for (const y of labels) size[y]++;
    }
    const queue = [...size.keys()].sort((a, b) => size[b] - size[a]);
    const problem: WorkerProblem = {
      matrix: (pool ?? (own as SolverPool)).matrixId(X),
      X,
      labels,
      options,
      perClassC,
      groups,
    };
    let done = 0;
    const detach: (() => void)[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        for (const worker of workers) {
          const next = (): void => {
            const c = queue.shift();
            if (c === undefined) return;
            const init = warmStart?.[c];
            worker.postMessage({ c, init: init ? Float64Array.from(init) : undefined });
          };
          const onMessage = (message: WorkerReply): void => {
            const { c, weights: w } = message;
            for (let j = 0; j <= X.cols; j++) weights[j * classes + c] = w[j];
            alphas[c] = message.alpha;
            onProgress?.({ classIndex: done, classes, iterations: message.iterations });
            if (++done === classes) resolve();
            next();
          };
          const onExit = (code: number): void =>
            reject(new Error(`training worker exited with code ${code}`));
          worker.on('message', onMessage);
          worker.on('error', reject);
          worker.on('exit', onExit);
          detach.push(() => {
            worker.off('message', onMessage);
            worker.off('error', reject);
            worker.off('exit', onExit);
          });
          worker.postMessage({ problem });
          next();
        }
      });
    } finally {
      for (const off of detach) off();
    }
    return { weights, alphas };
  } finally {
    if (workers) (pool ?? own)?.release();
    await own?.close();
  }
}

/** What a one-vs-rest worker is told before a fit's classes: the matrix (by id: kept while it is the same). */
export interface WorkerProblem {
  readonly matrix: number;
  readonly X: CsrMatrix;
  readonly labels: Int32Array;
  readonly options: LinearOptions;
  readonly perClassC: Float64Array;
  readonly groups?: ClassGroups;
}

interface WorkerReply {
  readonly c: number;
  readonly iterations: number;
  readonly weights: Float32Array;
  readonly alpha?: Float32Array;
}

export interface CrammerSingerResult {
  /** Feature-major weights: `weights[j * K + c]` for feature j (j = cols is the bias feature). */
  readonly weights: Float32Array;
  /** Dual variables by class (`alphas[c][i]`), for warm starts. */
  readonly alphas: Float32Array[];
  readonly iterations: number;
}

/**
 * {@link trainCrammerSinger} in a worker thread of its own, the same result: the joint fit is one serial
 * problem, so started beside a one-vs-rest fit over worker threads it keeps both cores busy instead of leaving
 * one idle while it runs. `X` should be built with `toCsr(…, shared = true)`, otherwise it is copied. Without
 * the compiled worker script it fits in this thread.
 */
export async function trainCrammerSingerOffThread(
  X: CsrMatrix,
  labels: Int32Array,
  classes: number,
  options: LinearOptions,
  warmStart?: readonly ArrayLike<number>[],
): Promise<CrammerSingerResult> {
  const script = workerScript('crammer-singer-worker');
  if (!script) return trainCrammerSinger(X, labels, classes, options, warmStart);
  const worker = new Worker(script, {
    workerData: { X, labels, classes, options, warmStart: warmStart?.map((a) => Float64Array.from(a)) },
  });
  try {
    return await new Promise<CrammerSingerResult>((resolve, reject) => {
      worker.on('message', resolve);
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`crammer-singer worker exited with code ${code}`)));
    });
  } finally {
    await worker.terminate();
  }
}

/**
 * One joint multiclass SVM (Crammer & Singer 2001) trained by sequential dual coordinate descent with
 * shrinking, a port of liblinear's `-s 4` solver (Keerthi et al. 2008): all classes' weights are fitted
 * together against one hinge loss per row, instead of K binary problems. Row i's C is `C` times its class's
 * weight (`classWeight`) times its row weight. A warm start (`alphas[c][i]`) is scaled back into the
 * feasible set when a row's C shrank.
 */
export function trainCrammerSinger(
  X: CsrMatrix,
  labels: Int32Array,
  classes: number,
  options: LinearOptions,
  warmStart?: readonly ArrayLike<number>[],
): CrammerSingerResult {
  const { rows: l, cols, indptr, indices, values } = X;
  const K = classes;
  const bias = options.bias;
  const eps = options.eps;
  const perClass = classWeights(labels, classes, options.classWeight);
  const C = new Float64Array(l);
  for (let i = 0; i < l; i++) C[i] = options.C * perClass[labels[i]] * (X.rowWeights ? X.rowWeights[i] : 1);
  const w = new Float64Array((cols + 1) * K);
  const alpha = new Float64Array(l * K);
  const QD = rowSquaredNorms(X, bias);
  const addScaled = (i: number, c: number, d: number): void => {
    for (let p = indptr[i]; p < indptr[i + 1]; p++) w[indices[p] * K + c] += d * values[p];
    w[cols * K + c] += d * bias;
  };
  if (warmStart) {
    for (let i = 0; i < l; i++) {
      const own = warmStart[labels[i]]?.[i] ?? 0;
      if (own <= 0) continue;
      // Feasible: Σ_c alpha = 0, alpha_y ≤ C_i, the others ≤ 0; scaling the row keeps the sum at 0.
      const scale = Math.min(1, C[i] / own);
      for (let c = 0; c < K; c++) {
        const a = (warmStart[c]?.[i] ?? 0) * scale;
        if (a === 0) continue;
        alpha[i * K + c] = a;
        addScaled(i, c, a);
      }
    }
  }
  const index = Int32Array.from(allRows(l));
  const alphaIndex = new Int32Array(l * K);
  for (let i = 0; i < l; i++) for (let c = 0; c < K; c++) alphaIndex[i * K + c] = c;
  const activeSizeI = new Int32Array(l).fill(K);
  const yIndex = Int32Array.from(labels);
  const G = new Float64Array(K);
  const B = new Float64Array(K);
  const D = new Float64Array(K);
  const alphaNew = new Float64Array(K);
  const dInd = new Int32Array(K);
  const dVal = new Float64Array(K);
  const sorted = new Float64Array(K);
  const random = seededRandom(options.seed);
  let activeSize = l;
  let epsShrink = Math.max(10 * eps, 1);
  let startFromAll = true;
  let iter = 0;
  const shrunk = (i: number, m: number, alphaIM: number, minG: number): boolean => {
    const bound = m === yIndex[i] ? C[i] : 0;
    return alphaIM === bound && G[m] < minG;
  };
  while (iter < options.maxIter) {
    let stopping = -Infinity;
    shuffle(index, activeSize, random);
    for (let s = 0; s < activeSize; s++) {
      const i = index[s];
      const Ai = QD[i];
      const base = i * K;
      if (Ai <= 0) continue;
      let active = activeSizeI[i];
      for (let m = 0; m < active; m++) G[m] = 1;
      if (yIndex[i] < active) G[yIndex[i]] = 0;
      // G[m] += w_c · x_i, class by class (four at a time) over the row's terms, the bias last: each class's
      // sum in the same order as a term-by-term sweep, to the bit, with its running sum in a register.
      const from = indptr[i];
      const to = indptr[i + 1];
      let m = 0;
      for (; m + 3 < active; m += 4) {
        const c0 = alphaIndex[base + m];
        const c1 = alphaIndex[base + m + 1];
        const c2 = alphaIndex[base + m + 2];
        const c3 = alphaIndex[base + m + 3];
        let g0 = G[m];
        let g1 = G[m + 1];
        let g2 = G[m + 2];
        let g3 = G[m + 3];
        for (let p = from; p < to; p++) {
          const row = indices[p] * K;
          const v = values[p];
          g0 += w[row + c0] * v;
          g1 += w[row + c1] * v;
          g2 += w[row + c2] * v;
          g3 += w[row + c3] * v;
        }
        const row = cols * K;
        G[m] = g0 + w[row + c0] * bias;
        G[m + 1] = g1 + w[row + c1] * bias;
        G[m + 2] = g2 + w[row + c2] * bias;
        G[m + 3] = g3 + w[row + c3] * bias;
      }
      for (; m < active; m++) {
        const c = alphaIndex[base + m];
        let g = G[m];
        for (let p = from; p < to; p++) g += w[indices[p] * K + c] * values[p];
        G[m] = g + w[cols * K + c] * bias;
      }
      let minG = Infinity;
      let maxG = -Infinity;
      for (let m = 0; m < active; m++) {
        if (alpha[base + alphaIndex[base + m]] < 0 && G[m] < minG) minG = G[m];
        if (G[m] > maxG) maxG = G[m];
      }
      if (yIndex[i] < active && alpha[base + labels[i]] < C[i] && G[yIndex[i]] < minG) minG = G[yIndex[i]];
      for (let m = 0; m < active; m++) {
        if (!shrunk(i, m, alpha[base + alphaIndex[base + m]], minG)) continue;
        active--;
        while (active > m) {
          if (!shrunk(i, active, alpha[base + alphaIndex[base + active]], minG)) {
            const t = alphaIndex[base + m];
            alphaIndex[base + m] = alphaIndex[base + active];
            alphaIndex[base + active] = t;
            const g = G[m];
            G[m] = G[active];
            G[active] = g;
            if (yIndex[i] === active) yIndex[i] = m;
            else if (yIndex[i] === m) yIndex[i] = active;
            break;
          }
          active--;
        }
      }
      activeSizeI[i] = active;
      if (active <= 1) {
        activeSize--;
        index[s] = index[activeSize];
        index[activeSize] = i;
        s--;
        continue;
      }
      if (maxG - minG <= 1e-12) continue;
      stopping = Math.max(maxG - minG, stopping);
      for (let m = 0; m < active; m++) B[m] = G[m] - Ai * alpha[base + alphaIndex[base + m]];
      // The row's subproblem, solved exactly (liblinear's solve_sub_problem).
      const yi = yIndex[i];
      for (let m = 0; m < active; m++) D[m] = B[m];
      if (yi < active) D[yi] += Ai * C[i];
      for (let m = 0; m < active; m++) sorted[m] = D[m];
      sorted.subarray(0, active).sort((a, b) => b - a);
      let beta = sorted[0] - Ai * C[i];
      let r = 1;
      for (; r < active && beta < r * sorted[r]; r++) beta += sorted[r];
      beta /= r;
      for (let m = 0; m < active; m++) {
        alphaNew[m] = m === yi ? Math.min(C[i], (beta - B[m]) / Ai) : Math.min(0, (beta - B[m]) / Ai);
      }
      let nz = 0;
      for (let m = 0; m < active; m++) {
        const c = alphaIndex[base + m];
        const d = alphaNew[m] - alpha[base + c];
        alpha[base + c] = alphaNew[m];
        if (Math.abs(d) >= 1e-12) {
          dInd[nz] = c;
          dVal[nz++] = d;
        }
      }
      for (let m = 0; m < nz; m++) addScaled(i, dInd[m], dVal[m]);
    }
    iter++;
    if (stopping < epsShrink) {
      if (stopping < eps && startFromAll) break;
      activeSize = l;
      activeSizeI.fill(K);
      epsShrink = Math.max(epsShrink / 2, eps);
      startFromAll = true;
    } else {
      startFromAll = false;
    }
  }
  const alphas = Array.from({ length: K }, (_, c) => {
    const out = new Float32Array(l);
    for (let i = 0; i < l; i++) out[i] = alpha[i * K + c];
    return out;
  });
  return { weights: Float32Array.from(w), alphas, iterations: iter };
}
