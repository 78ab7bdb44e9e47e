import { type SparseVector } from './features';
import {
  type ClassGroups,
  classWeights,
  DEFAULT_LINEAR_OPTIONS,
  seededRandom,
  toCsr,
  trainBinary,
  trainOneVsRest,
} from './linear';

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
