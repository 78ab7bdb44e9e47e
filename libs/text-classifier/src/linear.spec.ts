import { type SparseVector } from './features';
import {
  type ClassGroups,
  classWeights,
  type CsrMatrix,
  DEFAULT_LINEAR_OPTIONS,
  seededRandom,
  SolverPool,
  toCsr,
  trainBinary,
  trainCrammerSinger,
  trainCrammerSingerOffThread,
  trainOneVsRest,
  trainOneVsRestParallel,
} from './linear';
import { workerScript } from './worker-script';

/** Two separable clusters on features 0/1 plus a shared noise feature 2. */
function toy(): { vectors: SparseVector[]; labels: Int32Array } {
  const vectors: SparseVector[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 60; i++) {
    const c = i % 3;
    vectors.push({ indices: Int32Array.from([c, 3]), values: Float32Array.from([1, (i % 7) / 7]) });
    labels.push(c);
  }
  return { vectors, labels: Int32Array.from(labels) };
}

describe('linear solvers', () => {
  it.each(['svm', 'svm-l1', 'logreg'] as const)('%s separates a toy problem one-vs-rest', (loss) => {
    const { vectors, labels } = toy();
    const X = toCsr(vectors, 4);
    const { weights } = trainOneVsRest(X, labels, 3, { ...DEFAULT_LINEAR_OPTIONS, loss, C: 1 });
    for (let c = 0; c < 3; c++) {
      const scores = [0, 1, 2].map((k) => weights[c * 3 + k] + weights[4 * 3 + k]);
      expect(scores.indexOf(Math.max(...scores))).toBe(c);
    }
  });

  it('warm-starting from its own solution converges at once', () => {
    const { vectors, labels } = toy();
    const X = toCsr(vectors, 4);
    const positive = Uint8Array.from(labels, (y) => (y === 0 ? 1 : 0));
    const cold = trainBinary(X, positive, 1, 1, DEFAULT_LINEAR_OPTIONS, 1);
    const warm = trainBinary(X, positive, 1, 1, DEFAULT_LINEAR_OPTIONS, 1, cold.alpha);
    expect(warm.iterations).toBeLessThanOrEqual(2);
    for (let j = 0; j < 5; j++) expect(warm.w[j]).toBeCloseTo(cold.w[j], 1);
  });

  it('row weights of zero remove rows from training', () => {
    const { vectors, labels } = toy();
    const weights = Float64Array.from(labels, (y) => (y === 2 ? 0 : 1));
    const X = toCsr(vectors, 4, false, weights);
    const positive = Uint8Array.from(labels, (y) => (y === 2 ? 1 : 0));
    const { w } = trainBinary(X, positive, 1, 1, { ...DEFAULT_LINEAR_OPTIONS, loss: 'svm-l1' }, 1);
    expect(w[2]).toBeCloseTo(0, 6);
  });

  it("fits a grouped class only on its own group's rows", () => {
    // Classes 0 and 1 form group 0, class 2 group 1; group 1's rows are moved far off on feature 0.
    const { vectors, labels } = toy();
    const groups: ClassGroups = {
      classGroup: Int32Array.of(0, 0, 1),
      rowGroup: Int32Array.from(labels, (y) => (y === 2 ? 1 : 0)),
    };
    const X = toCsr(vectors, 4);
    const moved = toCsr(
      vectors.map((v, i) =>
        labels[i] === 2 ? { indices: Int32Array.of(0, 3), values: Float32Array.of(5, 1) } : v,
      ),
      4,
    );
    const options = { ...DEFAULT_LINEAR_OPTIONS, C: 1 };
    const grouped = trainOneVsRest(X, labels, 3, options, undefined, undefined, groups);
    const groupedMoved = trainOneVsRest(moved, labels, 3, options, undefined, undefined, groups);
    const all = trainOneVsRest(X, labels, 3, options);
    const allMoved = trainOneVsRest(moved, labels, 3, options);
    const column = (w: Float32Array, c: number) => [0, 1, 2, 3, 4].map((j) => w[j * 3 + c]);
    // Class 0's problem never sees group 1's rows: moving them changes nothing, unlike over all rows.
    expect(column(groupedMoved.weights, 0)).toEqual(column(grouped.weights, 0));
    expect(column(allMoved.weights, 0)).not.toEqual(column(all.weights, 0));
    // Rows outside the group keep a dual variable of 0.
    const alpha = grouped.alphas[0] as Float32Array;
    labels.forEach((y, i) => {
      if (y === 2) expect(alpha[i]).toBe(0);
    });
    // Class 2 alone in its group: only positives, so every row of the group scores positive.
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== 2) continue;
      let margin = grouped.weights[4 * 3 + 2];
      const v = vectors[i];
      v.indices.forEach((j, k) => (margin += grouped.weights[j * 3 + 2] * v.values[k]));
      expect(margin).toBeGreaterThan(0);
    }
  });

  it('balances grouped classes within their group', () => {
    const labels = Int32Array.from([0, 0, 0, 1, 2]);
    const groups: ClassGroups = {
      classGroup: Int32Array.of(0, 0, 1),
      rowGroup: Int32Array.of(0, 0, 0, 0, 1),
    };
    expect(Array.from(classWeights(labels, 3, 'balanced', groups))).toEqual([4 / 6, 2, 1]);
  });

  it('computes balanced and sqrt class weights', () => {
    const labels = Int32Array.from([0, 0, 0, 1]);
    expect(Array.from(classWeights(labels, 2, 'balanced'))).toEqual([4 / 6, 2]);
    expect(classWeights(labels, 2, 'sqrt')[1]).toBeCloseTo(Math.SQRT2, 10);
    expect(Array.from(classWeights(labels, 2, 'none'))).toEqual([1, 1]);
  });
});

/** Sparse rows over `cols` features whose labels depend on a few features each, with label noise. */
function noisy(
  rows: number,
  cols: number,
  classes: number,
  seed: number,
): { X: CsrMatrix; labels: Int32Array } {
  const random = seededRandom(seed);
  const vectors: SparseVector[] = [];
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = Math.floor(random() * classes);
    labels[i] = random() < 0.1 ? Math.floor(random() * classes) : c;
    const features = new Set<number>();
    while (features.size < 8)
      features.add(random() < 0.5 ? c * 3 + Math.floor(random() * 3) : Math.floor(random() * cols));
    const indices = Int32Array.from([...features]);
    const values = Float32Array.from(indices, () => 0.2 + random());
    vectors.push({ indices, values });
  }
  return { X: toCsr(vectors, cols, true), labels };
}

/** The primal objective ½‖w‖² + Σ C_i · max(0, 1 − y_i w·x_i)² of the squared hinge (bias feature 1). */
function objective(X: CsrMatrix, positive: Uint8Array, w: Float64Array, Cp: number, Cn: number): number {
  let value = 0;
  for (const v of w) value += (v * v) / 2;
  for (let i = 0; i < X.rows; i++) {
    let margin = w[X.cols];
    for (let p = X.indptr[i]; p < X.indptr[i + 1]; p++) margin += w[X.indices[p]] * X.values[p];
    const loss = Math.max(0, 1 - (positive[i] ? 1 : -1) * margin);
    value += (positive[i] ? Cp : Cn) * loss * loss;
  }
  return value;
}

describe('dual coordinate descent with shrinking', () => {
  const { X, labels } = noisy(400, 60, 4, 11);
  const positive = Uint8Array.from(labels, (y) => (y === 1 ? 1 : 0));
  const options = { ...DEFAULT_LINEAR_OPTIONS, C: 1, eps: 1e-4 };

  it('reaches the optimum the solver without shrinking reaches, the same decisions on every row', () => {
    const shrunk = trainBinary(X, positive, 2, 1, options, 5);
    const plain = trainBinary(X, positive, 2, 1, { ...options, shrinking: false }, 5);
    const best = objective(X, positive, plain.w, 2, 1);
    expect(Math.abs(objective(X, positive, shrunk.w, 2, 1) - best) / best).toBeLessThan(1e-4);
    const side = (w: Float64Array) =>
      Array.from({ length: X.rows }, (_, i) => {
        let margin = w[X.cols];
        for (let p = X.indptr[i]; p < X.indptr[i + 1]; p++) margin += w[X.indices[p]] * X.values[p];
        return margin > 0;
      });
    expect(side(shrunk.w)).toEqual(side(plain.w));
  });

  it("stops at the library's tolerance near that optimum", () => {
    const plain = trainBinary(X, positive, 2, 1, { ...options, shrinking: false }, 5);
    const loose = trainBinary(X, positive, 2, 1, { ...options, eps: DEFAULT_LINEAR_OPTIONS.eps }, 5);
    const best = objective(X, positive, plain.w, 2, 1);
    expect(loose.iterations).toBeLessThan(plain.iterations);
    expect(Math.abs(objective(X, positive, loose.w, 2, 1) - best) / best).toBeLessThan(0.01);
  });
});

describe('the squared-hinge solver on rows of every length', () => {
  it('meets the optimality conditions (its row loops run four terms at a time, then the rest)', () => {
    const random = seededRandom(5);
    const cols = 30;
    const vectors: SparseVector[] = Array.from({ length: 220 }, (_, i) => {
      const terms = new Set<number>();
      while (terms.size < 1 + (i % 11)) terms.add(Math.floor(random() * cols));
      const indices = Int32Array.from(terms);
      return { indices, values: Float32Array.from(indices, () => 0.1 + random()) };
    });
    const X = toCsr(vectors, cols);
    const positive = Uint8Array.from(vectors, () => (random() < 0.4 ? 1 : 0));
    const C = 1;
    const { w, alpha } = trainBinary(X, positive, C, C, { ...DEFAULT_LINEAR_OPTIONS, C, eps: 1e-9 }, 3);
    // At the optimum w = Σ α_i y_i x_i and α_i = 2C · max(0, 1 − y_i w·x_i), here summed term by term.
    const expected = new Float64Array(cols + 1);
    vectors.forEach((v, i) => {
      const y = positive[i] ? 1 : -1;
      const a = alpha?.[i] ?? NaN;
      v.indices.forEach((j, k) => (expected[j] += a * y * v.values[k]));
      expected[cols] += a * y;
      const margin = v.indices.reduce((sum, j, k) => sum + w[j] * v.values[k], w[cols]);
      expect(a).toBeCloseTo(2 * C * Math.max(0, 1 - y * margin), 6);
    });
    w.forEach((value, j) => expect(value).toBeCloseTo(expected[j], 8));
  });
});

describe('one-vs-rest over worker threads', () => {
  it('gives the same weights and dual variables as in this thread, warm starts and groups included', async () => {
    // Needs the compiled worker (`npm run build`), as training off the event loop does.
    expect(workerScript('ovr-worker')).toBeDefined();
    const { X, labels } = noisy(300, 40, 5, 3);
    const options = { ...DEFAULT_LINEAR_OPTIONS, C: 0.5 };
    const serial = trainOneVsRest(X, labels, 5, options);
    const parallel = await trainOneVsRestParallel(X, labels, 5, options, 2);
    expect(parallel.weights).toEqual(serial.weights);
    // The workers' arrays come from another realm: compared by value.
    const values = (alphas: (Float32Array | undefined)[]) => alphas.map((a) => Array.from(a ?? []));
    expect(values(parallel.alphas)).toEqual(values(serial.alphas));
    const groups: ClassGroups = {
      classGroup: Int32Array.of(0, 0, 1, 1, 1),
      rowGroup: Int32Array.from(labels, (y) => (y < 2 ? 0 : 1)),
    };
    const warm = serial.alphas;
    const serialWarm = trainOneVsRest(X, labels, 5, { ...options, C: 1 }, undefined, warm, groups);
    const parallelWarm = await trainOneVsRestParallel(
      X,
      labels,
      5,
      { ...options, C: 1 },
      2,
      undefined,
      warm,
      groups,
    );
    expect(parallelWarm.weights).toEqual(serialWarm.weights);
  }, 60_000);

  it("keeps its threads and each one's matrix across fits: the same weights as fits of their own", async () => {
    const first = noisy(300, 40, 5, 3);
    const other = noisy(200, 30, 4, 8);
    const options = { ...DEFAULT_LINEAR_OPTIONS, C: 0.5 };
    const pool = new SolverPool(2);
    try {
      const started = pool.take(2);
      pool.release();
      const fit = (
        { X, labels }: { X: CsrMatrix; labels: Int32Array },
        classes: number,
        weighted = options,
        warm?: (Float32Array | undefined)[],
      ) => trainOneVsRestParallel(X, labels, classes, weighted, 2, undefined, warm, undefined, pool);
      // The same matrix twice (kept rows, another class weighting warm-started), another, then the first again.
      const a = await fit(first, 5);
      const balanced = { ...options, classWeight: 'balanced' as const };
      const b = await fit(first, 5, balanced, a.alphas);
      const c = await fit(other, 4);
      const d = await fit(first, 5);
      const again = pool.take(2);
      pool.release();
      // The same two threads (no new ones started).
      expect(again?.length).toBe(2);
      again?.forEach((worker, t) => expect(worker).toBe(started?.[t]));
      expect(a.weights).toEqual(trainOneVsRest(first.X, first.labels, 5, options).weights);
      expect(b.weights).toEqual(
        trainOneVsRest(first.X, first.labels, 5, balanced, undefined, a.alphas).weights,
      );
      expect(c.weights).toEqual(trainOneVsRest(other.X, other.labels, 4, options).weights);
      expect(d.weights).toEqual(a.weights);
      // One fit at a time.
      pool.take(2);
      await expect(fit(first, 5)).rejects.toThrow('another model');
      pool.release();
    } finally {
      await pool.close();
    }
  }, 60_000);
});

describe('seededRandom', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const seqA = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(seqA);
    for (const x of seqA) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});

describe('Crammer–Singer multiclass SVM', () => {
  /** Three overlapping clusters on two features plus a constant one: no class is separable on its own. */
  function overlapping(n: number): { vectors: SparseVector[]; labels: Int32Array } {
    const random = seededRandom(3);
    const centres = [
      [1, 0],
      [0, 1],
      [0.7, 0.7],
    ];
    const vectors: SparseVector[] = [];
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      labels[i] = c;
      const x = centres[c].map((v) => v + (random() - 0.5) * 0.8);
      vectors.push({ indices: Int32Array.of(0, 1, 2), values: Float32Array.of(x[0], x[1], 0.5) });
    }
    return { vectors, labels };
  }
  const options = { ...DEFAULT_LINEAR_OPTIONS, C: 1, eps: 0.01, classWeight: 'none' as const };

  it('separates the toy problem jointly', () => {
    const { vectors, labels } = toy();
    const { weights } = trainCrammerSinger(toCsr(vectors, 4), labels, 3, options);
    for (let c = 0; c < 3; c++) {
      const scores = [0, 1, 2].map((k) => weights[c * 3 + k] + weights[4 * 3 + k]);
      expect(scores.indexOf(Math.max(...scores))).toBe(c);
    }
  });

  it("keeps each row's dual variables feasible: they sum to 0, only its own class's is positive, up to its C", () => {
    const { vectors, labels } = overlapping(300);
    const rowWeights = Float64Array.from(labels, (_, i) => (i % 2 === 0 ? 1 : 0.25));
    const { alphas } = trainCrammerSinger(toCsr(vectors, 3, false, rowWeights), labels, 3, options);
    let bounded = 0;
    for (let i = 0; i < labels.length; i++) {
      const row = [0, 1, 2].map((c) => alphas[c][i]);
      expect(Math.abs(row[0] + row[1] + row[2])).toBeLessThan(1e-5);
      row.forEach((a, c) =>
        c === labels[i] ? expect(a).toBeGreaterThanOrEqual(-1e-9) : expect(a).toBeLessThanOrEqual(1e-9),
      );
      expect(row[labels[i]]).toBeLessThanOrEqual(options.C * rowWeights[i] + 1e-6);
      if (row[labels[i]] > options.C * rowWeights[i] - 1e-6) bounded++;
    }
    // The clusters overlap: some rows sit at their bound.
    expect(bounded).toBeGreaterThan(0);
  });

  it('differs from one-vs-rest on overlapping classes, and fits them at least as well', () => {
    const { vectors, labels } = overlapping(300);
    const X = toCsr(vectors, 3);
    const accuracy = (weights: Float32Array): number =>
      vectors.filter((v, i) => {
        const scores = [0, 1, 2].map(
          (c) => weights[3 * 3 + c] + v.indices.reduce((s, j, k) => s + weights[j * 3 + c] * v.values[k], 0),
        );
        return scores.indexOf(Math.max(...scores)) === labels[i];
      }).length / vectors.length;
    const joint = trainCrammerSinger(X, labels, 3, options).weights;
    const ovr = trainOneVsRest(X, labels, 3, options).weights;
    expect(Array.from(joint)).not.toEqual(Array.from(ovr));
    expect(accuracy(joint)).toBeGreaterThanOrEqual(accuracy(ovr));
  });

  it('converges at once from its own solution, and scales a warm start back when a row’s C shrank', () => {
    const { vectors, labels } = overlapping(300);
    const X = toCsr(vectors, 3);
    const cold = trainCrammerSinger(X, labels, 3, options);
    const warm = trainCrammerSinger(X, labels, 3, options, cold.alphas);
    expect(warm.iterations).toBeLessThanOrEqual(2);
    warm.weights.forEach((w, k) => expect(w).toBeCloseTo(cold.weights[k], 2));
    const halved = toCsr(vectors, 3, false, new Float64Array(labels.length).fill(0.5));
    const shrunk = trainCrammerSinger(halved, labels, 3, options, cold.alphas);
    const fresh = trainCrammerSinger(halved, labels, 3, options);
    for (let i = 0; i < labels.length; i++)
      expect(shrunk.alphas[labels[i]][i]).toBeLessThanOrEqual(0.5 + 1e-6);
    shrunk.weights.forEach((w, k) => expect(w).toBeCloseTo(fresh.weights[k], 1));
  });

  it('meets the optimality conditions with seven classes (the gradient four classes at a time and the rest)', () => {
    // Rows of 1–9 terms over 12 features, seven classes: every row's gradients are summed class by class.
    const random = seededRandom(8);
    const cols = 12;
    const K = 7;
    const vectors: SparseVector[] = [];
    const labels = new Int32Array(350);
    for (let i = 0; i < labels.length; i++) {
      labels[i] = i % K;
      const terms = new Set<number>([labels[i]]);
      while (terms.size < 1 + (i % 9)) terms.add(Math.floor(random() * cols));
      const indices = Int32Array.from(terms);
      vectors.push({
        indices,
        values: Float32Array.from(indices, (j) => (j === labels[i] ? 1 : 0.1 + 0.5 * random())),
      });
    }
    const C = 0.5;
    const { weights, alphas } = trainCrammerSinger(toCsr(vectors, cols), labels, K, {
      ...options,
      C,
      eps: 1e-3,
    });
    // Row i's gradient G_m = w_m · x_i + (m ≠ y_i): at the optimum, max_m G_m − min over the classes whose
    // dual variable is below its bound (C for its own class, 0 for the others) ≤ eps (weights rounded to
    // float32). A gradient that leaves out a class misses this by more than 2.
    let worst = 0;
    vectors.forEach((v, i) => {
      const G = Array.from({ length: K }, (_, m) => {
        let g = (m === labels[i] ? 0 : 1) + weights[cols * K + m];
        v.indices.forEach((j, k) => (g += weights[j * K + m] * v.values[k]));
        return g;
      });
      const below = G.filter((_, m) => alphas[m][i] < (m === labels[i] ? C : 0) - 1e-7);
      if (below.length > 0) worst = Math.max(worst, Math.max(...G) - Math.min(...below));
    });
    expect(worst).toBeLessThan(2e-3);
  });

  it('fits in a worker thread of its own to the same weights and dual variables, warm starts included', async () => {
    // Needs the compiled worker (`npm run build`), as training off the event loop does.
    expect(workerScript('crammer-singer-worker')).toBeDefined();
    const { vectors, labels } = overlapping(300);
    const X = toCsr(vectors, 3, true, new Float64Array(labels.length).fill(0.8));
    const values = (alphas: Float32Array[]) => alphas.map((a) => Array.from(a));
    const serial = trainCrammerSinger(X, labels, 3, options);
    const threaded = await trainCrammerSingerOffThread(X, labels, 3, options);
    expect(Array.from(threaded.weights)).toEqual(Array.from(serial.weights));
    expect(values(threaded.alphas)).toEqual(values(serial.alphas));
    const balanced = { ...options, classWeight: 'balanced' } as const;
    const warm = trainCrammerSinger(X, labels, 3, balanced, serial.alphas);
    const threadedWarm = await trainCrammerSingerOffThread(X, labels, 3, balanced, serial.alphas);
    expect(Array.from(threadedWarm.weights)).toEqual(Array.from(warm.weights));
    expect(threadedWarm.iterations).toBe(warm.iterations);
  }, 60_000);
});
