import { type SparseVector } from './features';
import {
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
