import { type SparseVector } from './features';
import { seededRandom, toCsr } from './linear';
import { sparseKernel } from './sparse-kernel';

/** Rows of `terms(i)` distinct random columns and random values, and their kernel (expected to exist). */
function randomRows(random: () => number, rows: number, cols: number, terms: (i: number) => number) {
  const vectors: SparseVector[] = Array.from({ length: rows }, (_, i) => {
    const columns = new Set<number>();
    while (columns.size < terms(i)) columns.add(Math.floor(random() * cols));
    const indices = Int32Array.from(columns);
    return { indices, values: Float32Array.from(indices, () => random() - 0.3) };
  });
  const X = toCsr(vectors, cols);
  const kernel = sparseKernel(X);
  expect(kernel).toBeDefined();
  return { X, kernel };
}

/** Row i's dot product as the solver's TypeScript loop sums it: four partial sums, the remainder into the first. */
function loopDot(w: Float64Array, X: ReturnType<typeof toCsr>, i: number): number {
  const { indptr, indices, values } = X;
  const to = indptr[i + 1];
  const d = [0, 0, 0, 0];
  let p = indptr[i];
  for (; p + 3 < to; p += 4) for (let k = 0; k < 4; k++) d[k] += w[indices[p + k]] * values[p + k];
  for (; p < to; p++) d[0] += w[indices[p]] * values[p];
  return d[0] + d[1] + (d[2] + d[3]);
}

describe('sparse kernel (WebAssembly)', () => {
  it("gives the TypeScript loops' dot products and updates to the bit, on rows of 0–11 terms, reading another row ahead", () => {
    const random = seededRandom(11);
    const cols = 50;
    const { X, kernel } = randomRows(random, 240, cols, (i) => i % 12);
    if (!kernel) return;
    const w = new Float64Array(cols + 1).map(() => random() * 2 - 1);
    kernel.w.set(w);
    const { indptr, indices, values } = X;
    for (let i = 0; i < X.rows; i++) {
      const from = indptr[i];
      const to = indptr[i + 1];
      // The row read ahead (as the solver's next one) changes nothing in the sum.
      const next = Math.floor(random() * X.rows);
      expect(kernel.dot(from, to, indptr[next], indptr[next + 1])).toBe(loopDot(w, X, i));
      const step = random() - 0.5;
      for (let q = from; q < to; q++) w[indices[q]] += step * values[q];
      kernel.axpy(from, to, step);
    }
    // A wrong update shows in every later dot product and here.
    expect(Array.from(kernel.w)).toEqual(Array.from(w));
  });

  it("runs the dual solver's pass as its TypeScript loop does, to the bit: shrinking, bounds and updates", () => {
    const random = seededRandom(5);
    const cols = 40;
    const rows = 300;
    const { X, kernel } = randomRows(random, rows, cols, (i) => 1 + (i % 11));
    if (!kernel) return;
    const { indptr, indices, values } = X;
    const bias = 1;
    // A hinge pass (finite upper bounds: rows at C) and a squared-hinge one, with and without shrinking.
    for (const [hinge, shrinking] of [
      [true, true],
      [false, true],
      [false, false],
    ]) {
      const w = new Float64Array(cols + 1).map(() => (random() - 0.5) * 0.5);
      const alpha = new Float64Array(rows);
      const sign = new Float64Array(rows);
      const diag = new Float64Array(rows);
      const upper = new Float64Array(rows);
      const QD = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        const C = 0.2 + random();
        sign[i] = random() < 0.4 ? 1 : -1;
        diag[i] = hinge ? 0 : 0.5 / C;
        upper[i] = hinge ? C : Infinity;
        const r = random();
        alpha[i] = r < 0.4 ? 0 : hinge && r < 0.6 ? C : random() * C;
        let norm = bias * bias;
        for (let p = indptr[i]; p < indptr[i + 1]; p++) norm += values[p] * values[p];
        QD[i] = norm + diag[i];
      }
      const index = Int32Array.from({ length: rows }, (_, i) => (i * 7) % rows);
      // Old extremes tight enough that some rows leave the active set.
      const PGmaxOld = 0.3;
      const PGminOld = -0.3;
      kernel.w.set(w);
      kernel.alpha.set(alpha);
      kernel.sign.set(sign);
      kernel.diag.set(diag);
      kernel.upper.set(upper);
      kernel.QD.set(QD);
      kernel.index.set(index);
      const pass = kernel.epoch(rows, PGmaxOld, PGminOld, shrinking, bias);
      // solveSvmDual's loop (linear.ts) over the same arrays.
      let active = rows;
      let PGmaxNew = -Infinity;
      let PGminNew = Infinity;
      let shrunk = 0;
      let updated = 0;
      for (let s = 0; s < active; s++) {
        const i = index[s];
        const yi = sign[i];
        const from = indptr[i];
        const to = indptr[i + 1];
        const dot = w[cols] * bias + loopDot(w, X, i);
        const ai = alpha[i];
        const G = yi * dot - 1 + ai * diag[i];
        const C = upper[i];
        let PG = 0;
        if (ai === 0 ? shrinking && G > PGmaxOld : ai === C && shrinking && G < PGminOld) {
          active--;
          index[s] = index[active];
          index[active] = i;
          s--;
          shrunk++;
          continue;
        }
        if (ai === 0) PG = G < 0 ? G : 0;
        else if (ai === C) PG = G > 0 ? G : 0;
        else PG = G;
        PGmaxNew = Math.max(PGmaxNew, PG);
        PGminNew = Math.min(PGminNew, PG);
        if (Math.abs(PG) > 1e-12) {
          const a = Math.min(Math.max(ai - G / QD[i], 0), C);
          alpha[i] = a;
          const step = (a - ai) * yi;
          for (let q = from; q < to; q++) w[indices[q]] += step * values[q];
          w[cols] += step * bias;
          updated++;
        }
      }
      expect(updated).toBeGreaterThan(10);
      if (shrinking) expect(shrunk).toBeGreaterThan(0);
      expect(pass).toEqual({ active, pgMax: PGmaxNew, pgMin: PGminNew });
      expect(Array.from(kernel.index)).toEqual(Array.from(index));
      expect(Array.from(kernel.alpha)).toEqual(Array.from(alpha));
      expect(Array.from(kernel.w)).toEqual(Array.from(w));
    }
  });

  it('keeps one kernel per matrix', () => {
    const X = toCsr([{ indices: Int32Array.of(0, 2), values: Float32Array.of(1, 2) }], 3);
    expect(sparseKernel(X)).toBe(sparseKernel(X));
    const Y = toCsr([{ indices: Int32Array.of(1), values: Float32Array.of(1) }], 3);
    expect(sparseKernel(Y)).not.toBe(sparseKernel(X));
  });
});
